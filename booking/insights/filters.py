"""
What an insights page shows: the date range, clinic and treatment chosen (InsightsFilter), the
form that reads them from the page's GET parameters, and the requests they select.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from booking.models import ConsultationRequest, StaffProfile
from pages.models import Clinic, Treatment

# Longer ranges say little more and make every figure slower.
LONGEST_RANGE = timedelta(days=3 * 366)


@dataclass(frozen=True)
class InsightsFilter:
    """Requests that arrived from `start` to `end` (both included, days in Europe/London)."""

    start: date
    end: date
    clinic: Clinic | None = None
    treatment: Treatment | None = None
    show_spam: bool = False

    @property
    def start_at(self) -> datetime:
        """The first moment of the range: midnight starting `start` in London."""
        return _london_midnight(self.start)

    @property
    def end_before(self) -> datetime:
        """The moment after the range: midnight ending `end` in London."""
        return _london_midnight(self.end + timedelta(days=1))


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_default_timezone())


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# Each preset's first day, given today (its last day).
PRESETS = {
    "last_4_weeks": ("Last 4 weeks", lambda today: today - timedelta(weeks=4) + timedelta(days=1)),
    "last_quarter": (
        "Last quarter (13 weeks)",
        lambda today: today - timedelta(weeks=13) + timedelta(days=1),
    ),
    "last_12_months": (
        "Last 12 months",
        lambda today: _a_year_before(today) + timedelta(days=1),
    ),
}
CUSTOM = "custom"
DEFAULT_PRESET = "last_quarter"


def clinics_visible_to(user) -> QuerySet[Clinic]:
    """The clinics whose figures `user` may see (the queue's scoping: ConsultationRequest
    .objects.visible_to). Requests with no clinic preference come with any of them."""
    if not (user.is_authenticated and user.is_active):
        return Clinic.objects.none()
    if user.is_superuser:
        return Clinic.objects.order_by("title")
    return Clinic.objects.filter(pk__in=StaffProfile.clinic_ids_for(user)).order_by("title")


def requests_in_scope(user, insights_filter: InsightsFilter) -> QuerySet[ConsultationRequest]:
    """
    The requests behind the figures: those `user` may see, that arrived in the range, at the
    chosen clinic and for the chosen treatment (if chosen), without spam unless show_spam.
    """
    requests = ConsultationRequest.objects.visible_to(user).filter(
        created_at__gte=insights_filter.start_at, created_at__lt=insights_filter.end_before
    )
    if insights_filter.clinic is not None:
        requests = requests.filter(clinic=insights_filter.clinic)
    if insights_filter.treatment is not None:
        requests = requests.filter(treatment=insights_filter.treatment)
    if not insights_filter.show_spam:
        requests = requests.exclude(status=ConsultationRequest.Status.SPAM)
    return requests.order_by()


class InsightsFilterForm(forms.Form):
    """
    The filters above the figures, read from GET. Every field is optional: an empty form is
    the default view (the last quarter, every clinic and treatment the user may see, no spam).
    Dates without a preset mean a custom range.
    """

    preset = forms.ChoiceField(
        label="Dates",
        choices=[(key, label) for key, (label, _) in PRESETS.items()] + [(CUSTOM, "Custom")],
        required=False,
    )
    start = forms.DateField(
        label="From",
        required=False,
        # The browser's date picker, which sends ISO dates whatever the language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For Custom dates.",
        error_messages={"invalid": "Enter the first date as a date, for example 2025-01-31."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the last date as a date, for example 2025-03-31."},
    )
    clinic = forms.ModelChoiceField(
        queryset=Clinic.objects.none(), required=False, empty_label="All clinics"
    )
    treatment = forms.ModelChoiceField(
        queryset=Treatment.objects.order_by("title"),
        required=False,
        empty_label="All treatments",
    )
    show_spam = forms.BooleanField(label="Include spam", required=False)

    def __init__(self, *args, user, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["clinic"].queryset = clinics_visible_to(user)

    def clean(self):
        cleaned_data = super().clean()
        preset = cleaned_data.get("preset") or ""
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if self.errors:
            return cleaned_data
        if preset != CUSTOM and not (preset == "" and (start or end)):
            first_day = PRESETS[preset or DEFAULT_PRESET][1](self.today)
            cleaned_data.update(preset=preset or DEFAULT_PRESET, start=first_day, end=self.today)
            return cleaned_data
        cleaned_data["preset"] = CUSTOM
        if start is None:
            self.add_error("start", "Enter the first date of the range.")
        if end is None:
            self.add_error("end", "Enter the last date of the range.")
        if start is None or end is None:
            return cleaned_data
        if end < start:
            self.add_error("end", "The last date is before the first date.")
        elif end - start >= LONGEST_RANGE:
            self.add_error(
                "end",
                f"Choose a range of three years or less (this one is {(end - start).days + 1} "
                "days).",
            )
        return cleaned_data

    def insights_filter(self) -> InsightsFilter:
        """The filter the valid form describes."""
        data = self.cleaned_data
        return InsightsFilter(
            start=data["start"],
            end=data["end"],
            clinic=data["clinic"],
            treatment=data["treatment"],
            show_spam=data["show_spam"],
        )
