"""
The clinic admin: contact details, opening hours and closures (inlines, chosen from lists:
nothing to type in a format), getting there, access facts and the treatments offered.
"""

from datetime import time

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from pages import opening_hours
from pages.admin.base import SEO_FIELDSET, ContentAdmin
from pages.admin.fees import CLINIC_FEE_FIELDSET
from pages.models import Clinic, Closure, OpeningHours

# Times in quarter hours. A closing time of 00:00 is midnight at the end of the day, so it
# comes last in its list and says so.
_QUARTER_HOURS = [time(hour, minute) for hour in range(24) for minute in (0, 15, 30, 45)]
OPENING_TIMES = [("", "---------")] + [(t, opening_hours.clock(t)) for t in _QUARTER_HOURS]
CLOSING_TIMES = (
    [("", "---------")]
    + [(t, opening_hours.clock(t)) for t in _QUARTER_HOURS[1:]]
    + [(time(0), "Midnight (00:00, end of the day)")]
)


class DateInput(forms.DateInput):
    """The browser's own date picker: no date format to type."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        widgets = {
            "opens": forms.Select(choices=OPENING_TIMES),
            "closes": forms.Select(choices=CLOSING_TIMES),
        }


class OpeningHoursFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            form.instance
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.instance.opens is not None
            and form.instance.closes is not None
        ]
        overlap = opening_hours.first_overlap(rows)
        if overlap is not None:
            earlier, later = overlap
            raise ValidationError(
                f"On {earlier.get_weekday_display()}, "
                f"{opening_hours.describe_range(earlier.opens, earlier.closes)} and "
                f"{opening_hours.describe_range(later.opens, later.closes)} overlap. Change "
                "one of them, or make them one range."
            )


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    form = OpeningHoursForm
    formset = OpeningHoursFormSet
    extra = 0
    verbose_name = "range of opening hours"
    verbose_name_plural = "Opening hours"


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class ClosureInline(admin.TabularInline):
    model = Closure
    form = ClosureForm
    extra = 0
    verbose_name = "closure"
    verbose_name_plural = "Closures (bank holidays and other days closed)"


@admin.register(Clinic)
class ClinicAdmin(ContentAdmin):
    list_display = [
        "title",
        "city",
        "is_published",
        "awaiting_clinical_review",
        "notification_email",
        "sort_order",
    ]
    search_fields = ["title", "slug", "city", "postcode"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "city", "summary", "photo"]}),
        (
            "Contact",
            {
                "fields": ["phone", "email"],
                "description": "Each detail is shown to patients only when filled in: leave "
                "it empty until it is confirmed.",
            },
        ),
        (
            "Opening hours",
            {
                "fields": ["hours_as_shown"],
                "description": "Enter the hours and closures in the “Opening hours” and "
                "“Closures” tables at the bottom of this page. No hours entered: the page "
                "shows none.",
            },
        ),
        (
            "Getting there",
            {
                "fields": ["address", "postcode", "directions", "parking"],
                "description": "With an address or postcode, the page links to it on "
                "OpenStreetMap.",
            },
        ),
        (
            "Accessibility",
            {
                "fields": [
                    "step_free_access",
                    "hearing_loop",
                    "accessible_toilet",
                    "accessibility_note",
                ],
                "description": "“Unknown” is not shown to patients. Say yes or no only once "
                "someone has checked.",
            },
        ),
        ("Treatments", {"fields": ["treatments"]}),
        CLINIC_FEE_FIELDSET,
        ("Staff notifications", {"fields": ["notification_email"]}),
        (
            "Publishing and review",
            {"fields": ["is_published", "awaiting_clinical_review", "sort_order", "updated_at"]},
        ),
        SEO_FIELDSET,
    ]
    readonly_fields = ["hours_as_shown", "updated_at"]
    autocomplete_fields = ["photo"]
    inlines = [OpeningHoursInline, ClosureInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "treatments":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="As patients see them")
    def hours_as_shown(self, obj):
        if obj.pk is None:
            return "—"
        summary = opening_hours.summarise(
            obj.opening_hours.all(), obj.closures.all(), now=timezone.now()
        )
        if not summary.days:
            return "No opening hours entered."
        rows = [(day.name, ", ".join(day.ranges) or "Closed") for day in summary.days]
        status = summary.status
        return format_html(
            "<p>{}{}</p><ul>{}</ul>",
            status.headline,
            f" — {status.detail}" if status.detail else "",
            format_html_join("", "<li>{}: {}</li>", rows),
        )
