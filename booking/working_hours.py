"""When a request should have been answered: working hours counted on working days only."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def is_working_day(day: date) -> bool:
    """Monday to Friday, except the dates in settings.BOOKING_CLOSED_DATES (bank holidays)."""
    return day.weekday() < 5 and day not in getattr(settings, "BOOKING_CLOSED_DATES", ())


def response_deadline(start: datetime, *, clinical_priority: bool = False) -> datetime:
    """
    When a request received at `start` should have been answered.

    BOOKING_RESPONSE_HOURS (BOOKING_PRIORITY_RESPONSE_HOURS for a clinical priority) are
    counted on working days only, in clinic time: a request sent on Friday at 16:00 with
    24 hours is due on Monday at 16:00; one sent at the weekend, at the end of Monday.
    """
    if clinical_priority:
        hours = settings.BOOKING_PRIORITY_RESPONSE_HOURS
    else:
        hours = settings.BOOKING_RESPONSE_HOURS
    remaining = timedelta(hours=max(hours, 0))
    clinic_tz = timezone.get_default_timezone()
    # Arithmetic between datetimes sharing one tzinfo is wall-clock time, which is what a
    # "working day" means across the clock changes.
    current = timezone.localtime(start, clinic_tz)
    while True:
        next_midnight = datetime.combine(current.date() + timedelta(days=1), time.min, clinic_tz)
        if is_working_day(current.date()):
            available = next_midnight - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = next_midnight
