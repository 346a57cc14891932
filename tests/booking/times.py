"""Wall-clock times in the clinics' time zone, for tests of deadlines and appointments."""

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON_TZ = ZoneInfo("Europe/London")


def london_time(*args):
    """`datetime(*args)` in Europe/London: what the clock on the clinic's wall says."""
    return datetime(*args, tzinfo=LONDON_TZ)
