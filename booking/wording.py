"""
When a patient can expect to hear from us, in words. The confirmation page and the patient's
email both use these, so they always agree.
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
    The response target as a day: "by the end of Thursday 26 November". The clinics' opening
    hours aren't known, so a time ("by 05:00", for a request sent at night) would promise
    what nobody can keep.

    With `relative` (the confirmation page, seen the day it is sent), today and tomorrow say so:
    "by the end of tomorrow (Friday 27 November)". Never in an email, which may be read
    days later.
    """
    if respond_by is None:
        return "within " + response_time_text(settings.BOOKING_RESPONSE_HOURS)
    local = timezone.localtime(respond_by)
    day = local.date()
    if local.time() == datetime.time.min:
        day -= datetime.timedelta(days=1)
    if relative:
        today = timezone.localdate(now)
        if day == today:
            return "by the end of today"
        if day == today + datetime.timedelta(days=1):
            return f"by the end of tomorrow ({date_format(day, 'l j F')})"
    return f"by the end of {date_format(day, 'l j F')}"
