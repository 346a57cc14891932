"""
Opening hours worked out on the clinics' clock (pages/opening_hours.py): open now or not,
when that changes, across days, closures, midnight and the clock changes in March and
October. Pure functions: rows are plain tuples, `now` is given.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from pages import opening_hours
from pages.opening_hours import open_periods, open_status, summarise
from tests.booking.times import london_time

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


class Row(NamedTuple):
    weekday: int
    opens: time
    closes: time


class Off(NamedTuple):
    starts_on: date
    ends_on: date | None = None
    reason: str = ""


def hours(*rows):
    return [Row(day, time(*opens), time(*closes)) for day, opens, closes in rows]


# Monday to Friday 09:00-18:00, Saturday 10:00-14:00, closed on Sunday.
WEEK = hours(*[(day, (9,), (18,)) for day in (MON, TUE, WED, THU, FRI)], (SAT, (10,), (14,)))


def status_text(rows, now, closures=()):
    status = open_status(rows, closures, now)
    return f"{status.headline} — {status.detail}" if status.detail else status.headline


# --- Open now, and when that changes ------------------------------------------------------


def test_open_during_the_day_says_when_it_closes():
    # Wednesday 11 June 2025.
    assert status_text(WEEK, london_time(2025, 6, 11, 12, 0)) == "Open now — closes at 18:00"


def test_closed_before_opening_says_it_opens_later_today():
    assert status_text(WEEK, london_time(2025, 6, 11, 7, 30)) == "Closed now — opens at 09:00"


def test_after_the_last_range_of_the_day_it_opens_tomorrow():
    assert (
        status_text(WEEK, london_time(2025, 6, 11, 18, 0)) == "Closed now — opens tomorrow at 09:00"
    )


def test_over_the_weekend_it_names_the_day_it_opens():
    # Saturday 14 June after closing: Sunday is closed, so Monday.
    assert (
        status_text(WEEK, london_time(2025, 6, 14, 15, 0)) == "Closed now — opens Monday at 09:00"
    )


def test_a_lunch_break_closes_and_reopens_the_same_day():
    rows = hours((WED, (9,), (13,)), (WED, (14,), (18,)))

    assert status_text(rows, london_time(2025, 6, 11, 10, 0)) == "Open now — closes at 13:00"
    assert status_text(rows, london_time(2025, 6, 11, 13, 30)) == "Closed now — opens at 14:00"


def test_ranges_that_touch_are_one_opening():
    rows = hours((WED, (9,), (13,)), (WED, (13,), (18,)))

    assert status_text(rows, london_time(2025, 6, 11, 12, 59)) == "Open now — closes at 18:00"


def test_opening_more_than_a_week_ahead_gives_the_date():
    rows = hours((MON, (9,), (17,)))
    # Monday 16 June after closing: next Monday is 23 June, seven days on.
    assert (
        status_text(rows, london_time(2025, 6, 16, 18, 0))
        == "Closed now — opens Monday 23 June at 09:00"
    )


def test_the_status_is_the_same_for_a_moment_given_in_utc():
    in_utc = london_time(2025, 6, 11, 17, 30).astimezone(UTC)  # 16:30 UTC in summer

    assert status_text(WEEK, in_utc) == "Open now — closes at 18:00"


# --- Closures -----------------------------------------------------------------------------


def test_a_bank_holiday_is_closed_all_day():
    bank_holiday = [Off(date(2025, 8, 25), reason="Bank holiday")]  # a Monday

    assert (
        status_text(WEEK, london_time(2025, 8, 25, 11, 0), bank_holiday)
        == "Closed now — opens tomorrow at 09:00"
    )
    assert (
        status_text(WEEK, london_time(2025, 8, 23, 15, 0), bank_holiday)
        == "Closed now — opens Tuesday at 09:00"
    )


def test_a_closure_over_several_days_reopens_after_its_last_day():
    christmas = [Off(date(2025, 12, 24), date(2026, 1, 2), "Christmas")]

    # The first day open again is Saturday 3 January 2026, ten days on.
    assert (
        status_text(WEEK, london_time(2025, 12, 23, 19, 0), christmas)
        == "Closed now — opens Saturday 3 January at 10:00"
    )
    assert not opening_hours.is_open_at(WEEK, christmas, london_time(2025, 12, 29, 12, 0))
    assert opening_hours.is_open_at(WEEK, christmas, london_time(2026, 1, 5, 12, 0))


def test_a_clinic_closed_for_longer_than_it_looks_ahead_is_just_closed():
    closed = [Off(date(2025, 1, 1), date(2027, 12, 31), "Refurbishment")]

    assert status_text(WEEK, london_time(2025, 6, 11, 12, 0), closed) == "Closed now"


# --- Midnight -----------------------------------------------------------------------------


def test_a_range_ending_at_midnight_closes_at_midnight():
    rows = hours((FRI, (20,), (0,)))

    assert status_text(rows, london_time(2025, 6, 13, 23, 0)) == "Open now — closes at midnight"
    assert opening_hours.is_open_at(rows, [], london_time(2025, 6, 13, 23, 59, 59))
    assert not opening_hours.is_open_at(rows, [], london_time(2025, 6, 14, 0, 0))


def test_hours_past_midnight_are_one_opening_across_the_two_days():
    rows = hours((FRI, (20,), (0,)), (SAT, (0,), (2,)))

    assert (
        status_text(rows, london_time(2025, 6, 13, 23, 30)) == "Open now — closes tomorrow at 02:00"
    )
    assert status_text(rows, london_time(2025, 6, 14, 1, 0)) == "Open now — closes at 02:00"


def test_opening_at_midnight_tonight_says_midnight():
    rows = hours((SAT, (0,), (2,)))

    assert status_text(rows, london_time(2025, 6, 13, 23, 0)) == "Closed now — opens at midnight"


def test_a_clinic_open_all_the_time_never_says_when_it_closes():
    rows = hours(*[(day, (0,), (0,)) for day in range(7)])

    assert status_text(rows, london_time(2025, 6, 11, 3, 0)) == "Open now"


# --- Clock changes (Europe/London) ----------------------------------------------------------


def test_in_march_the_day_the_clocks_go_forward_is_an_hour_shorter():
    # Sunday 30 March 2025: 01:00 GMT becomes 02:00 BST.
    rows = hours((SUN, (0,), (4,)))
    day = open_periods(rows, [], london_time(2025, 3, 30), london_time(2025, 3, 31))

    assert day == [
        opening_hours.Period(
            datetime(2025, 3, 30, 0, 0, tzinfo=UTC), datetime(2025, 3, 30, 3, 0, tzinfo=UTC)
        )
    ]


def test_after_the_clocks_go_forward_opening_time_is_on_summer_time():
    # Monday 31 March 2025, 08:15 UTC is 09:15 on the clinic's clock: open.
    now = datetime(2025, 3, 31, 8, 15, tzinfo=UTC)
    status = open_status(WEEK, [], now)

    assert status.is_open
    assert status.changes_at == london_time(2025, 3, 31, 18, 0)
    assert status.changes_at.astimezone(UTC).hour == 17


def test_before_the_clocks_go_forward_on_saturday_it_opens_on_summer_time_monday():
    status = open_status(WEEK, [], london_time(2025, 3, 29, 15, 0))

    assert status.detail == "opens Monday at 09:00"
    assert status.changes_at.astimezone(UTC) == datetime(2025, 3, 31, 8, 0, tzinfo=UTC)


def test_in_october_the_day_the_clocks_go_back_is_an_hour_longer():
    # Sunday 26 October 2025: 02:00 BST becomes 01:00 GMT.
    rows = hours((SUN, (0,), (4,)))
    (period,) = open_periods(rows, [], london_time(2025, 10, 26), london_time(2025, 10, 27))

    assert period.end - period.start == timedelta(hours=5)
    # 01:30 GMT, the second time the clock shows 01:30: still open, closing at 04:00.
    status = open_status(rows, [], datetime(2025, 10, 26, 1, 30, tzinfo=UTC))
    assert status.is_open and status.detail == "closes at 04:00"


def test_after_the_clocks_go_back_opening_time_is_on_winter_time():
    # Monday 27 October 2025, 08:30 UTC is 08:30 on the clinic's clock: not open yet.
    status = open_status(WEEK, [], datetime(2025, 10, 27, 8, 30, tzinfo=UTC))

    assert not status.is_open
    assert status.detail == "opens at 09:00"
    assert status.changes_at.astimezone(UTC) == datetime(2025, 10, 27, 9, 0, tzinfo=UTC)


# --- Open periods between two moments (for anything that counts opening hours) ---------------


def test_open_periods_between_two_moments_are_cut_to_fit_and_skip_closures():
    closures = [Off(date(2025, 6, 12))]  # Thursday
    periods = open_periods(
        WEEK, closures, london_time(2025, 6, 11, 12, 0), london_time(2025, 6, 14, 12, 0)
    )

    assert periods == [
        opening_hours.Period(
            london_time(2025, 6, 11, 12, 0).astimezone(UTC),
            london_time(2025, 6, 11, 18, 0).astimezone(UTC),
        ),
        opening_hours.Period(
            london_time(2025, 6, 13, 9, 0).astimezone(UTC),
            london_time(2025, 6, 13, 18, 0).astimezone(UTC),
        ),
        opening_hours.Period(
            london_time(2025, 6, 14, 10, 0).astimezone(UTC),
            london_time(2025, 6, 14, 12, 0).astimezone(UTC),
        ),
    ]


def test_no_open_periods_without_hours():
    assert open_periods([], [], london_time(2025, 6, 1), london_time(2025, 7, 1)) == []


# --- What the clinic page is given ------------------------------------------------------------


def test_no_hours_at_all_shows_nothing_and_never_expires():
    summary = summarise([], [], london_time(2025, 6, 11, 12, 0))

    assert summary.days == []
    assert summary.status is None
    assert summary.closures == []
    assert summary.valid_until is None


def test_the_weekly_table_lists_every_day_and_says_midnight():
    rows = hours((MON, (9,), (13,)), (MON, (14,), (18,)), (FRI, (20,), (0,)))
    days = summarise(rows, [], london_time(2025, 6, 11, 12, 0)).days

    assert [day.name for day in days] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert days[MON].ranges == ["09:00 to 13:00", "14:00 to 18:00"]
    assert days[TUE].ranges == []
    assert days[FRI].ranges == ["20:00 to midnight"]


def test_closures_to_come_are_listed_first_first_and_past_ones_left_out():
    closures = [
        Off(date(2025, 12, 25), date(2025, 12, 26), "Christmas"),
        Off(date(2025, 6, 1), reason="Over"),
        Off(date(2025, 6, 11), reason="Staff training"),
        Off(date(2025, 8, 25), reason="Bank holiday"),
    ]
    summary = summarise(WEEK, closures, london_time(2025, 6, 11, 12, 0))

    assert [(c.first_day, c.last_day, c.reason) for c in summary.closures] == [
        (date(2025, 6, 11), date(2025, 6, 11), "Staff training"),
        (date(2025, 8, 25), date(2025, 8, 25), "Bank holiday"),
        (date(2025, 12, 25), date(2025, 12, 26), "Christmas"),
    ]


def test_the_summary_stays_true_until_the_next_opening_or_closing():
    assert summarise(WEEK, [], london_time(2025, 6, 11, 12, 0)).valid_until == london_time(
        2025, 6, 11, 18, 0
    )
    assert summarise(WEEK, [], london_time(2025, 6, 11, 7, 0)).valid_until == london_time(
        2025, 6, 11, 9, 0
    )


def test_the_summary_stays_true_at_most_until_midnight():
    # Closed after 18:00 until 09:00, but "tomorrow" becomes "today" at midnight.
    assert summarise(WEEK, [], london_time(2025, 6, 11, 19, 0)).valid_until == london_time(
        2025, 6, 12, 0, 0
    )
    # Closures alone (no hours) still move on at midnight.
    closures = [Off(date(2025, 6, 20))]
    assert summarise([], closures, london_time(2025, 6, 11, 19, 0)).valid_until == london_time(
        2025, 6, 12, 0, 0
    )


def test_midnight_on_a_clock_change_day_is_the_clinics_midnight():
    # Saturday 25 October 2025 at 20:00 BST: the next midnight is 23:00 UTC.
    summary = summarise(WEEK, [], london_time(2025, 10, 25, 20, 0))

    assert summary.valid_until.astimezone(UTC) == datetime(2025, 10, 25, 23, 0, tzinfo=UTC)


# --- Rules for the rows staff enter -----------------------------------------------------------


def test_closing_time_must_be_after_opening_time_but_midnight_ends_the_day():
    assert opening_hours.closes_after_opens(time(9), time(18))
    assert opening_hours.closes_after_opens(time(22), time(0))
    assert opening_hours.closes_after_opens(time(0), time(0))
    assert not opening_hours.closes_after_opens(time(18), time(9))
    assert not opening_hours.closes_after_opens(time(9), time(9))


def test_overlapping_ranges_on_one_day_are_found_and_touching_ones_are_not():
    touching = hours((MON, (9,), (13,)), (MON, (13,), (18,)), (TUE, (12,), (14,)))
    overlapping = hours((MON, (9,), (13,)), (TUE, (9,), (18,)), (MON, (12,), (0,)))

    assert opening_hours.first_overlap(touching) is None
    assert opening_hours.first_overlap(overlapping) == (
        Row(MON, time(9), time(13)),
        Row(MON, time(12), time(0)),
    )
