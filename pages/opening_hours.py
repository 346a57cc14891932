"""
When a clinic is open: its weekly opening hours and dated closures, read on the clinics' own
clock (Europe/London), as pure functions of the rows staff enter and a moment `now`.

- A weekly range is a weekday with an opening and a closing time on that day. A closing time
  of 00:00 means midnight at the end of the day: a clinic open late enters 22:00–00:00 on one
  day and 00:00–02:00 on the next, and the two are counted (and described) as one period.
- A closure is a first and an optional last date on which none of the weekly ranges apply.
- Times are wall-clock times: 09:00 is 09:00 on the clinic's clock in winter (GMT) and in
  summer (BST). Instants are compared and subtracted in UTC, never as London wall time, so a
  period across a clock change has its real length.

The clinic page uses `summarise` (table, "open now", closures to come, and until when all that
stays true); `open_periods` and `is_open_at` answer "when is it open" for anything else.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

CLINIC_TIME_ZONE = ZoneInfo("Europe/London")
MIDNIGHT = time(0)
MINUTES_PER_DAY = 24 * 60
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# How far ahead to look for the next opening: past the longest closure anyone would enter.
LOOKAHEAD_DAYS = 400


class WeeklyRange(Protocol):
    """One row of weekly hours (pages.models.OpeningHours, or anything shaped like it)."""

    weekday: int  # Monday is 0, as date.weekday()
    opens: time
    closes: time  # 00:00: midnight at the end of the day


class DatedClosure(Protocol):
    """One closure (pages.models.Closure, or anything shaped like it)."""

    starts_on: date
    ends_on: date | None  # None: closed on starts_on only
    reason: str


class Period(NamedTuple):
    """An unbroken time the clinic is open, from `start` up to (not including) `end`, in UTC."""

    start: datetime
    end: datetime


class DayHours(NamedTuple):
    """A row of the weekly table: the day's name and its ranges as text (none: closed)."""

    name: str
    ranges: list[str]


class UpcomingClosure(NamedTuple):
    first_day: date
    last_day: date
    reason: str


@dataclass(frozen=True)
class OpenStatus:
    """Open or closed at one moment, and when that next changes (None: not in sight)."""

    is_open: bool
    changes_at: datetime | None  # on the clinic's clock
    now: datetime  # on the clinic's clock

    @property
    def headline(self) -> str:
        return "Open now" if self.is_open else "Closed now"

    @property
    def detail(self) -> str:
        """ "closes at 18:00", "opens Monday at 09:00", or "" when no change is in sight."""
        if self.changes_at is None:
            return ""
        verb = "closes" if self.is_open else "opens"
        return f"{verb} {describe_moment(self.changes_at, now=self.now)}"


@dataclass(frozen=True)
class OpeningSummary:
    """What a clinic page shows about its hours, and until when it stays true."""

    days: list[DayHours]  # empty: no weekly hours entered
    status: OpenStatus | None  # None: no weekly hours entered
    closures: list[UpcomingClosure]  # today's and later ones, first first
    # When this must be worked out again: the next opening or closing, or midnight, when
    # "today", "tomorrow" and the closures to come move on. None: nothing here changes.
    valid_until: datetime | None


# --- Rules for the rows staff enter ---------------------------------------------------------


def range_minutes(opens: time, closes: time) -> tuple[int, int]:
    """A range as minutes from the start of its day; a closing time of 00:00 is the day's end."""
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    return start, MINUTES_PER_DAY if closes == MIDNIGHT else end


def closes_after_opens(opens: time, closes: time) -> bool:
    start, end = range_minutes(opens, closes)
    return end > start


def first_overlap(ranges: Iterable[WeeklyRange]) -> tuple[WeeklyRange, WeeklyRange] | None:
    """Two ranges on the same weekday that overlap (touching is fine), or None."""
    by_start = sorted(ranges, key=lambda r: (r.weekday, range_minutes(r.opens, r.closes)))
    for earlier, later in zip(by_start, by_start[1:], strict=False):
        if earlier.weekday != later.weekday:
            continue
        if (
            range_minutes(later.opens, later.closes)[0]
            < range_minutes(earlier.opens, earlier.closes)[1]
        ):
            return earlier, later
    return None


def describe_range(opens: time, closes: time) -> str:
    """ "09:00 to 18:00"; "22:00 to midnight"."""
    return f"{clock(opens)} to {'midnight' if closes == MIDNIGHT else clock(closes)}"


def clock(moment: time | datetime) -> str:
    return f"{moment:%H:%M}"


# --- When it is open --------------------------------------------------------------------------


def open_periods(
    hours: Iterable[WeeklyRange],
    closures: Iterable[DatedClosure],
    start: datetime,
    end: datetime,
) -> list[Period]:
    """The times the clinic is open between `start` and `end` (aware), cut to fit, in UTC."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first_day, last_day = _local_date(start), _local_date(end)
    return [
        Period(max(period.start, start), min(period.end, end))
        for period in _periods(hours, closures, first_day, last_day)
        if period.end > start and period.start < end
    ]


def is_open_at(
    hours: Iterable[WeeklyRange], closures: Iterable[DatedClosure], moment: datetime
) -> bool:
    return bool(open_periods(hours, closures, moment, moment + timedelta(microseconds=1)))


def open_status(
    hours: Iterable[WeeklyRange], closures: Iterable[DatedClosure], now: datetime
) -> OpenStatus | None:
    """Open or closed at `now`, and when that changes; None for a clinic with no hours."""
    hours = list(hours)
    if not hours:
        return None
    now = now.astimezone(UTC)
    today = _local_date(now)
    horizon = today + timedelta(days=LOOKAHEAD_DAYS)
    for period in _periods(hours, closures, today, horizon):
        if period.end <= now:
            continue
        is_open = period.start <= now
        changes_at = period.end if is_open else period.start
        # A period that runs to the end of what was looked at has no end in sight.
        if changes_at >= _instant(horizon + timedelta(days=1), MIDNIGHT):
            changes_at = None
        return OpenStatus(is_open, _local(changes_at), _local(now))
    return OpenStatus(False, None, _local(now))


def summarise(
    hours: Iterable[WeeklyRange], closures: Iterable[DatedClosure], now: datetime
) -> OpeningSummary:
    hours, closures = list(hours), list(closures)
    today = _local_date(now.astimezone(UTC))
    status = open_status(hours, closures, now)
    upcoming = sorted(
        UpcomingClosure(c.starts_on, _last_day(c), c.reason)
        for c in closures
        if _last_day(c) >= today
    )
    valid_until = None
    if status is not None or upcoming:
        valid_until = _local(_instant(today + timedelta(days=1), MIDNIGHT))
        if status is not None and status.changes_at is not None:
            valid_until = min(valid_until, status.changes_at)
    return OpeningSummary(weekly_table(hours), status, upcoming, valid_until)


def weekly_table(hours: Iterable[WeeklyRange]) -> list[DayHours]:
    """Every day of the week with its ranges, Monday first; empty when no hours are entered."""
    by_day = _ranges_by_weekday(hours)
    if not by_day:
        return []
    return [
        DayHours(name, [describe_range(opens, closes) for opens, closes in by_day.get(day, [])])
        for day, name in enumerate(WEEKDAY_NAMES)
    ]


def describe_moment(moment: datetime, *, now: datetime) -> str:
    """
    When `moment` is, as seen at `now` (both on the clinic's clock): "at 18:00",
    "tomorrow at 09:00", "Monday at 09:00" within the week, "Monday 6 January at 09:00"
    further on. Midnight belongs to the day it ends: "at midnight", "Friday at midnight".
    """
    if moment.time() == MIDNIGHT:
        day, time_text = moment.date() - timedelta(days=1), "midnight"
    else:
        day, time_text = moment.date(), clock(moment)
    days_ahead = (day - now.date()).days
    if days_ahead <= 0:
        return f"at {time_text}"
    if days_ahead == 1:
        return f"tomorrow at {time_text}"
    name = WEEKDAY_NAMES[day.weekday()]
    if days_ahead < 7:
        return f"{name} at {time_text}"
    return f"{name} {day.day} {MONTH_NAMES[day.month - 1]} at {time_text}"


# --- Internals --------------------------------------------------------------------------------


def _periods(
    hours: Iterable[WeeklyRange],
    closures: Iterable[DatedClosure],
    first_day: date,
    last_day: date,
) -> Iterator[Period]:
    """The open periods of the days from `first_day` to `last_day`, joined where they touch."""
    by_day = _ranges_by_weekday(hours)
    closed = [(c.starts_on, _last_day(c)) for c in closures]
    pending = None
    day = first_day
    while by_day and day <= last_day:
        if not any(first <= day <= last for first, last in closed):
            for opens, closes in by_day.get(day.weekday(), []):
                end_day = day + timedelta(days=1) if closes == MIDNIGHT else day
                period = Period(_instant(day, opens), _instant(end_day, closes))
                if pending is not None and period.start <= pending.end:
                    pending = Period(pending.start, max(pending.end, period.end))
                    continue
                if pending is not None:
                    yield pending
                pending = period
        day += timedelta(days=1)
    if pending is not None:
        yield pending


def _ranges_by_weekday(hours: Iterable[WeeklyRange]) -> dict[int, list[tuple[time, time]]]:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for row in sorted(hours, key=lambda r: (r.weekday, range_minutes(r.opens, r.closes))):
        by_day.setdefault(row.weekday, []).append((row.opens, row.closes))
    return by_day


def _last_day(closure: DatedClosure) -> date:
    return closure.ends_on or closure.starts_on


def _instant(day: date, wall_time: time) -> datetime:
    """The UTC instant the clinic's clock shows `wall_time` on `day`.

    A time the clock skips in March (01:30) is read with the winter offset, so it falls an
    hour later; one it shows twice in October is its first showing.
    """
    return datetime.combine(day, wall_time, tzinfo=CLINIC_TIME_ZONE).astimezone(UTC)


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(CLINIC_TIME_ZONE)


def _local_date(moment: datetime) -> date:
    return moment.astimezone(CLINIC_TIME_ZONE).date()
