"""Frequently asked questions: a treatment's own (an inline on its page) and general ones."""

from django.contrib import admin

from pages.admin.base import (
    ClinicalReviewFilter,
    mark_clinically_reviewed,
    publish,
    unpublish,
)
from pages.models import FAQ


class TreatmentFAQInline(admin.StackedInline):
    """A treatment's questions, on its admin page, in the order of their numbers."""

    model = FAQ
    fields = ["question", "body", "sort_order", "is_published", "awaiting_clinical_review"]
    extra = 0
    verbose_name = "question on this treatment's page"
    verbose_name_plural = "Frequently asked questions on this treatment's page"


class FAQPlaceFilter(admin.SimpleListFilter):
    title = "shown on"
    parameter_name = "place"

    def lookups(self, request, model_admin):
        return [("general", "The FAQs page"), ("treatment", "A treatment's page")]

    def queryset(self, request, queryset):
        if self.value() == "general":
            return queryset.general()
        if self.value() == "treatment":
            return queryset.exclude(treatment=None)
        return queryset


@admin.register(FAQ)
class FAQAdmin(admin.ModelAdmin):
    list_display = [
        "question",
        "treatment",
        "sort_order",
        "is_published",
        "awaiting_clinical_review",
    ]
    list_filter = [FAQPlaceFilter, ClinicalReviewFilter, "is_published"]
    list_select_related = ["treatment"]
    list_editable = ["sort_order"]
    search_fields = ["question", "body"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["question", "body"]}),
        (
            "Where it is shown",
            {
                "fields": ["treatment", "sort_order"],
                "description": "Without a treatment it is on the FAQs page (/faqs/). Lower "
                "numbers are listed first.",
            },
        ),
        (
            "Publishing and review",
            {"fields": ["is_published", "awaiting_clinical_review", "updated_at"]},
        ),
    ]
    autocomplete_fields = ["treatment"]
    actions = [publish, unpublish, mark_clinically_reviewed]

    def view_on_site(self, obj):
        return obj.get_absolute_url()
