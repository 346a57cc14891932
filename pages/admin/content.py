"""The admins of articles, treatments, simple pages and the home page."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join

from pages.admin.base import SEO_FIELDSET, ClinicalReviewFilter, ContentAdmin, SingletonAdmin
from pages.admin.faqs import TreatmentFAQInline
from pages.admin.fees import COST_FIELDSET, WHAT_TO_EXPECT_FIELDSET
from pages.models import Article, HomePage, Page, Treatment


@admin.register(Article)
class ArticleAdmin(ContentAdmin):
    list_display = [
        "title",
        "author",
        "reviewer",
        "published_on",
        "last_reviewed_on",
        "is_published",
        "awaiting_clinical_review",
    ]
    list_filter = [
        ClinicalReviewFilter,
        "is_published",
        "author",
        "reviewer",
        "source_publication",
    ]
    list_select_related = ["author", "reviewer"]
    search_fields = ["title", "slug", "standfirst", "body"]
    date_hierarchy = "published_on"
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "hero_image", "body"]}),
        (
            "Author, reviewer and source",
            {"fields": ["author", "reviewer", "source_publication", "source_url"]},
        ),
        (
            "Publishing and review",
            {
                "fields": [
                    "is_published",
                    "published_on",
                    "last_reviewed_on",
                    "awaiting_clinical_review",
                    "updated_at",
                ]
            },
        ),
        ("Related treatments", {"fields": ["related_treatments"]}),
        SEO_FIELDSET,
    ]
    autocomplete_fields = ["author", "reviewer", "hero_image"]
    filter_horizontal = ["related_treatments"]


class TreatmentAdminForm(forms.ModelForm):
    class Meta:
        model = Treatment
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def clean(self):
        cleaned_data = super().clean()
        kind = cleaned_data.get("kind")
        procedures = cleaned_data.get("procedures")
        if kind == Treatment.Kind.PROCEDURE and procedures:
            self.add_error(
                "procedures",
                "Only a condition lists procedures. A procedure shows the conditions that list it.",
            )
        return cleaned_data


@admin.register(Treatment)
class TreatmentAdmin(ContentAdmin):
    form = TreatmentAdminForm
    list_display = [
        "title",
        "kind",
        "is_featured",
        "asks_about_changes",
        "is_published",
        "awaiting_clinical_review",
        "sort_order",
    ]
    list_filter = [
        ClinicalReviewFilter,
        "is_published",
        "kind",
        "is_featured",
        "asks_about_changes",
    ]
    search_fields = ["title", "slug", "summary", "body"]
    readonly_fields = ["treats_conditions", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "hero_image", "body"]}),
        WHAT_TO_EXPECT_FIELDSET,
        COST_FIELDSET,
        ("Medical advice", {"fields": ["medical_advice_note"]}),
        ("Links", {"fields": ["procedures", "treats_conditions"]}),
        ("Performed by", {"fields": ["performed_by"]}),
        (
            "Publishing and review",
            {
                "fields": [
                    "is_published",
                    "awaiting_clinical_review",
                    "is_featured",
                    "sort_order",
                    "updated_at",
                ]
            },
        ),
        ("Booking form", {"fields": ["asks_about_changes"]}),
        SEO_FIELDSET,
    ]
    filter_horizontal = ["procedures", "performed_by"]
    autocomplete_fields = ["hero_image"]
    inlines = [TreatmentFAQInline]

    @admin.display(description="Conditions that list this procedure")
    def treats_conditions(self, obj):
        conditions = obj.conditions.all() if obj.pk else []
        return format_html_join(", ", "{}", ((c.title,) for c in conditions)) or "—"


@admin.register(Page)
class PageAdmin(ContentAdmin):
    list_display = [
        "title",
        "slug",
        "version",
        "is_published",
        "awaiting_clinical_review",
        "updated_at",
    ]
    search_fields = ["title", "slug", "body"]
    readonly_fields = ["version", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body"]}),
        (
            "Publishing and review",
            {
                "fields": ["is_published", "awaiting_clinical_review", "version", "updated_at"],
                "description": "Changing the title or text makes a new version; consent "
                "records keep the version each patient agreed to.",
            },
        ),
        SEO_FIELDSET,
    ]


@admin.register(HomePage)
class HomePageAdmin(SingletonAdmin):
    list_display = ["__str__", "title", "awaiting_clinical_review", "updated_at"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "body"]}),
        ("Review", {"fields": ["awaiting_clinical_review", "updated_at"]}),
        SEO_FIELDSET,
    ]

    def view_on_site(self, obj):
        return obj.get_absolute_url()
