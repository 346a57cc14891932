"""
Response targets in words. The confirmation page and the patient's email share the patient's
wording, so they always agree; the staff email has its own, to the minute.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format


def response_time_text(hours: int) -> str:
    """BOOKING_RESPONSE_HOURS in words: 24 is "one working day", 4 is "4 working hours"."""
    if hours > 0 and hours % 24 == 0:
        days = hours // 24
        return "one working day" if days == 1 else f"{days} working days"
    return "one working hour" if hours == 1 else f"{hours} working hours"


def respond_by_text(
    respond_by: datetime.datetime | None, *, relative: bool = False, now=None
) -> str:
    """
    The response target as a day: "by the end of Thursday 26 November". The target falls on
    a day the chosen clinic is open, within its hours (booking.working_hours), or on a
    working day when its hours aren't entered, so the day is one the patient can rely on.
    The time isn't given: it is when the clinic's work on the request must be done, and
    the patient may hear from us at any time that day.

    With `relative` (the confirmation page, seen the day it is sent), today and tomorrow say so:
    "by the end of tomorrow (Friday 27 November)". Never in an email, which may be read
    days later.
    """
    if respond_by is None:
        return "within " + response_time_text(settings.BOOKING_RESPONSE_HOURS)
    day, _ = _deadline_in_clinic_time(respond_by)
    if relative:
        today = timezone.localdate(now)
        if day == today:
            return "by the end of today"
        if day == today + datetime.timedelta(days=1):
            return f"by the end of tomorrow ({date_format(day, 'l j F')})"
    return f"by the end of {date_format(day, 'l j F')}"


def staff_respond_by_text(respond_by: datetime.datetime | None, *, now=None) -> str:
    """
    The response target for staff, to the minute, in clinic time: "by 14:00 today (Tuesday
    1 December)", "by 10:00 tomorrow (Wednesday 2 December)", "by 16:00 on Friday 4
    December"; a target at midnight is "by the end of" the day before. Staff work in working
    hours, so a time is a target they can meet. The date is always given: an email may be
    read later than it was sent. Staff emails say how urgent a request is only this way.
    """
    if respond_by is None:
        return "within " + response_time_text(settings.BOOKING_RESPONSE_HOURS)
    day, time = _deadline_in_clinic_time(respond_by)
    by = f"by {time:%H:%M}" if time is not None else "by the end of"
    named = date_format(day, "l j F")
    today = timezone.localdate(now)
    if day == today:
        return f"{by} today ({named})"
    if day == today + datetime.timedelta(days=1):
        return f"{by} tomorrow ({named})"
    return f"{by} on {named}" if time is not None else f"{by} {named}"


def _deadline_in_clinic_time(
    respond_by: datetime.datetime,
) -> tuple[datetime.date, datetime.time | None]:
    """The target's day and time in clinic time; midnight is the end of the day before (no
    time)."""
    local = timezone.localtime(respond_by)
    if local.time() == datetime.time.min:
        return local.date() - datetime.timedelta(days=1), None
    return local.date(), local.time()
