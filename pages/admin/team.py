"""The clinical team's admin: each clinician's profile, registration and clinics."""

from django import forms
from django.contrib import admin

from pages.admin.base import SEO_FIELDSET, ClinicalReviewFilter, ContentAdmin
from pages.models import TeamMember


class TeamMemberAdminForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)
        labels = {"body": "Biography"}
        help_texts = {
            "body": "A few short paragraphs in Markdown: training, experience, what they "
            "treat. Tick “awaiting clinical review” until the clinician has approved it."
        }


@admin.register(TeamMember)
class TeamMemberAdmin(ContentAdmin):
    form = TeamMemberAdminForm
    list_display = [
        "title",
        "role",
        "regulator",
        "registration_number",
        "is_published",
        "awaiting_clinical_review",
        "sort_order",
    ]
    list_filter = [ClinicalReviewFilter, "is_published", "clinics", "regulator"]
    search_fields = ["title", "slug", "role", "registration_number", "qualifications"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "role", "qualifications", "portrait", "body"]}),
        (
            "Professional registration",
            {
                "fields": ["regulator", "registration_number"],
                "description": "Shown with a link to the regulator's public register when "
                "both are filled in. Copy the number from the register itself.",
            },
        ),
        ("Where they work", {"fields": ["clinics"]}),
        (
            "Publishing and review",
            {"fields": ["is_published", "awaiting_clinical_review", "sort_order", "updated_at"]},
        ),
        SEO_FIELDSET,
    ]
    filter_horizontal = ["clinics"]
    autocomplete_fields = ["portrait"]
