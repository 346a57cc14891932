"""
When a patient can usually come: days of the week and times of day, as the codes stored on
ConsultationRequest.preferred_days / preferred_periods ("mon,sat", "morning,evening"; empty
means any), what a clinic's weekly opening hours allow, and the words for both.

- A time of day is allowed on a weekday if the clinic is open for part of it that weekday
  (pages.opening_hours rows). Closures are left out: they are dates, and this is "usually".
- A clinic whose hours aren't entered allows every day and time of day. Its hours are a fact
  we don't know, and the patient must never be told a clinic is closed when it may be open;
  staff agree the time with the patient anyway.
- "No preference" for the clinic allows what any published clinic allows (the union).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from pages.opening_hours import MINUTES_PER_DAY, range_minutes


class Day(models.TextChoices):
    # In the order of date.weekday(): Monday is 0.
    MON = "mon", "Monday"
    TUE = "tue", "Tuesday"
    WED = "wed", "Wednesday"
    THU = "thu", "Thursday"
    FRI = "fri", "Friday"
    SAT = "sat", "Saturday"
    SUN = "sun", "Sunday"


class TimeOfDay(models.TextChoices):
    # The clock ranges are in the labels, so the patient knows what each one means.
    MORNING = "morning", "Morning (before 12:00)"
    AFTERNOON = "afternoon", "Afternoon (12:00 to 17:00)"
    EVENING = "evening", "Evening (from 17:00)"


# Each time of day as minutes from midnight, from (inclusive) to (exclusive).
TIME_OF_DAY_MINUTES = {
    TimeOfDay.MORNING: (0, 12 * 60),
    TimeOfDay.AFTERNOON: (12 * 60, 17 * 60),
    TimeOfDay.EVENING: (17 * 60, MINUTES_PER_DAY),
}
TIME_OF_DAY_NAMES = {
    TimeOfDay.MORNING: "morning",
    TimeOfDay.AFTERNOON: "afternoon",
    TimeOfDay.EVENING: "evening",
}


@dataclass(frozen=True)
class WeeklyTimes:
    """The times of day one or more clinics are open on each day of the week (none: closed)."""

    by_day: Mapping[str, frozenset[str]]

    @property
    def days(self) -> list[str]:
        """The day codes with any opening, Monday first."""
        return [day for day in Day.values if self.by_day.get(day)]

    @property
    def times_of_day(self) -> list[str]:
        """The time-of-day codes open on any day, morning first."""
        open_any_day = set().union(*self.by_day.values())
        return [period for period in TimeOfDay.values if period in open_any_day]

    def day_choices(self) -> list[tuple[str, str]]:
        return [(day, Day(day).label) for day in self.days]

    def time_of_day_choices(self) -> list[tuple[str, str]]:
        return [(period, TimeOfDay(period).label) for period in self.times_of_day]

    def __or__(self, other: "WeeklyTimes") -> "WeeklyTimes":
        return WeeklyTimes(
            {
                day: self.by_day.get(day, frozenset()) | other.by_day.get(day, frozenset())
                for day in Day.values
            }
        )


ANY_TIME = WeeklyTimes({day: frozenset(TimeOfDay.values) for day in Day.values})


def clinic_times(clinic) -> WeeklyTimes:
    """What `clinic`'s weekly hours allow (prefetch `opening_hours`); ANY_TIME without hours."""
    rows = list(clinic.opening_hours.all())
    if not rows:
        return ANY_TIME
    by_day: dict[str, set[str]] = {}
    for row in rows:
        opens, closes = range_minutes(row.opens, row.closes)
        for period, (start, end) in TIME_OF_DAY_MINUTES.items():
            if opens < end and closes > start:
                by_day.setdefault(Day.values[row.weekday], set()).add(period)
    return WeeklyTimes({day: frozenset(periods) for day, periods in by_day.items()})


def times_at_any(clinics: Iterable) -> WeeklyTimes:
    """What "No preference" allows: the union over `clinics`; ANY_TIME when there are none."""
    allowed = None
    for clinic in clinics:
        times = clinic_times(clinic)
        allowed = times if allowed is None else allowed | times
    return ANY_TIME if allowed is None else allowed


def check_preferred_times(
    days: Iterable[str], times_of_day: Iterable[str], *, allowed: WeeklyTimes, clinic_name: str
) -> None:
    """
    Raise a ValidationError keyed by field ("preferred_days", "preferred_periods") for a
    chosen day the clinic is closed, or a chosen time of day it isn't open on any chosen day
    (any day, when none is chosen). A chosen day open only at other times is accepted: the
    choice still leaves times that suit, and staff agree one with the patient. An empty
    `clinic_name` is "No preference", checked against the union of the clinics.
    """
    days = [day for day in Day.values if day in set(days)]
    periods = [period for period in TimeOfDay.values if period in set(times_of_day)]
    closed = [day for day in days if not allowed.by_day.get(day)]
    if closed:
        if clinic_name:
            message = (
                f"{clinic_name} is closed on {day_words(closed, 'and')}: choose other days, "
                "or No preference for the clinic"
            )
        else:
            message = f"None of our clinics is open on {day_words(closed, 'or')}: choose other days"
        raise ValidationError({"preferred_days": message}, code="closed_day")
    open_on_chosen_days = [allowed.by_day[day] for day in days] or list(allowed.by_day.values())
    shut = [p for p in periods if not any(p in open_then for open_then in open_on_chosen_days)]
    if shut:
        place = f"{clinic_name} isn't" if clinic_name else "None of our clinics is"
        on_days = " on the days you chose" if days else ""
        message = f"{place} open in the {_time_of_day_words(shut, 'or')}{on_days}"
        raise ValidationError({"preferred_periods": message}, code="closed_time_of_day")


def joined_codes(codes: Iterable[str], choices: type[models.TextChoices]) -> str:
    """The codes as stored: comma-separated, in the choices' order, each once."""
    chosen = set(codes)
    return ",".join(code for code in choices.values if code in chosen)


def stored_codes(value: str, choices: type[models.TextChoices]) -> list[str]:
    """A stored value's known codes, in the choices' order."""
    chosen = set(value.split(","))
    return [code for code in choices.values if code in chosen]


def preferences_in_words(preferred_days: str, preferred_periods: str) -> str:
    """
    What the patient chose, for staff and exports: "Mondays and Saturdays, mornings",
    "Any day, evenings", "Any time" (nothing chosen).
    """
    days = stored_codes(preferred_days, Day)
    periods = stored_codes(preferred_periods, TimeOfDay)
    if not days and not periods:
        return "Any time"
    day_text = day_words(days, "and") if days else "Any day"
    period_text = _time_of_day_words(periods, "and", plural=True) if periods else "any time"
    return f"{day_text}, {period_text}"


def day_words(days: list[str], conjunction: str) -> str:
    """ "Mondays", "Saturdays and Sundays"."""
    return _listed([f"{Day(day).label}s" for day in days], conjunction)


def _time_of_day_words(periods: list[str], conjunction: str, *, plural: bool = False) -> str:
    names = [TIME_OF_DAY_NAMES[TimeOfDay(period)] + ("s" if plural else "") for period in periods]
    return _listed(names, conjunction)


def _listed(words: list[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
