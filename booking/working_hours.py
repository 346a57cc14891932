"""
When a request should have been answered, and how long staff took, counted on the days the
chosen clinic is open (its opening hours and closures, pages.opening_hours), or on working
days (Monday to Friday, except BOOKING_CLOSED_DATES) for a request with no clinic preference
or a clinic whose hours aren't entered. docs/staff-guide.md explains the rule to staff.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from pages.opening_hours import Period, open_periods

# A clinic's weekly hours and closures, as pages.opening_hours reads them; None: not entered.
OpeningCalendar = tuple[list, list] | None


def is_working_day(day: date) -> bool:
    """Monday to Friday, except the dates in settings.BOOKING_CLOSED_DATES (bank holidays)."""
    return day.weekday() < 5 and day not in getattr(settings, "BOOKING_CLOSED_DATES", ())


def opening_calendar(clinic) -> OpeningCalendar:
    """The clinic's hours and closures (prefetch them to save two queries), or None."""
    if clinic is None:
        return None
    hours = list(clinic.opening_hours.all())
    return (hours, list(clinic.closures.all())) if hours else None


def response_deadline(start: datetime, *, clinical_priority: bool = False, clinic=None) -> datetime:
    """
    When a request received at `start` should have been answered.

    BOOKING_RESPONSE_HOURS (BOOKING_PRIORITY_RESPONSE_HOURS for a clinical priority) are
    counted on the clinic's open days only, in clinic time: a request sent on Friday at 16:00
    with 24 hours is due on Monday at 16:00 if the clinic is shut at the weekend. A target
    that lands while the clinic is closed moves to when someone can act on it that same day:
    the end of the session before it (after closing time), else the end of the day's first
    session (before opening). So the target is always a day the clinic is open, which is the
    day the patient is told. Without opening hours it is the counted time on working days.
    """
    if clinical_priority:
        hours = settings.BOOKING_PRIORITY_RESPONSE_HOURS
    else:
        hours = settings.BOOKING_RESPONSE_HOURS
    calendar = opening_calendar(clinic)
    counted = _count_hours(start, timedelta(hours=max(hours, 0)), _open_day_rule(calendar))
    if calendar is None:
        return counted
    return _during_opening_hours(counted, calendar)


def working_time_between(start: datetime, end: datetime, *, clinic=None) -> timedelta:
    """
    How much of the time from `start` to `end` the clinic was open (its opening hours, less
    closures); without opening hours, how much of it fell on working days.
    """
    if end <= start:
        return timedelta(0)
    calendar = opening_calendar(clinic)
    if calendar is not None:
        return sum(
            (period.end - period.start for period in open_periods(*calendar, start, end)),
            timedelta(0),
        )
    total = timedelta(0)
    current, end = _clinic_time(start), _clinic_time(end)
    while current < end:
        next_midnight = _midnight_after(current)
        if is_working_day(current.date()):
            total += min(next_midnight, end) - current
        current = next_midnight
    return total


def _open_day_rule(calendar: OpeningCalendar) -> Callable[[date], bool]:
    if calendar is None:
        return is_working_day
    return lambda day: bool(_sessions_on(day, calendar))


def _count_hours(start: datetime, remaining: timedelta, is_open_day) -> datetime:
    # Arithmetic between datetimes sharing one tzinfo is wall-clock time, which is what a
    # "working day" means across the clock changes.
    current = _clinic_time(start)
    while True:
        next_midnight = _midnight_after(current)
        if is_open_day(current.date()):
            available = next_midnight - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = next_midnight


def _during_opening_hours(counted: datetime, calendar) -> datetime:
    # A target at midnight belongs to the day it ends.
    day = (counted - timedelta(microseconds=1)).date()
    sessions = _sessions_on(day, calendar)
    if not sessions:
        # Only when no hours were counted at all (a zero-hour target on a closed day).
        later = open_periods(*calendar, counted, counted + timedelta(days=400))
        return _clinic_time(later[0].end) if later else counted
    if any(session.start <= counted <= session.end for session in sessions):
        return counted
    ended = [session.end for session in sessions if session.end < counted]
    return _clinic_time(max(ended) if ended else sessions[0].end)


def _sessions_on(day: date, calendar) -> list[Period]:
    day_start = datetime.combine(day, time.min, timezone.get_default_timezone())
    return open_periods(*calendar, day_start, _midnight_after(day_start))


def _clinic_time(moment: datetime) -> datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def _midnight_after(moment: datetime) -> datetime:
    return datetime.combine(moment.date() + timedelta(days=1), time.min, moment.tzinfo)
