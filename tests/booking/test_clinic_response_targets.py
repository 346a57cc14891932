"""Response targets and response times counted on the chosen clinic's open days and hours."""

from datetime import date, time, timedelta

import pytest

from booking.working_hours import response_deadline, working_time_between
from tests.booking.times import london_time
from tests.factories import make_clinic, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def bristol_hours():
    """Monday to Friday 09:00–13:00 and 14:00–18:00, Saturday 10:00–14:00, shut on Sunday."""
    clinic = make_clinic("Bristol")
    for day in range(5):
        clinic.opening_hours.create(weekday=day, opens=time(9), closes=time(13))
        clinic.opening_hours.create(weekday=day, opens=time(14), closes=time(18))
    clinic.opening_hours.create(weekday=5, opens=time(10), closes=time(14))
    return clinic


@pytest.mark.parametrize(
    ("created", "priority", "due"),
    [
        # Within opening hours the counted time stands: Monday 10:00 → Tuesday 10:00.
        (london_time(2026, 3, 2, 10), False, london_time(2026, 3, 2, 10) + timedelta(days=1)),
        # Friday 16:00 → Saturday 16:00, after Saturday's 14:00 close: the end of Saturday.
        (london_time(2026, 3, 6, 16), False, london_time(2026, 3, 7, 14)),
        # Sunday doesn't count: Saturday 12:00 → Monday 12:00 … during the lunch break,
        # so the end of the morning session.
        (london_time(2026, 3, 7, 12), False, london_time(2026, 3, 9, 12)),
        (london_time(2026, 3, 7, 13, 30), False, london_time(2026, 3, 9, 13)),
        # Sent on Sunday: counting starts on Monday; Tuesday 00:00 is the end of Monday.
        (london_time(2026, 3, 8, 11), False, london_time(2026, 3, 9, 18)),
        # Priority, four hours: Monday 10:00 → 14:00; 16:00 → 20:00, so Monday's 18:00 close.
        (london_time(2026, 3, 2, 10), True, london_time(2026, 3, 2, 14)),
        (london_time(2026, 3, 2, 16), True, london_time(2026, 3, 2, 18)),
        # Before opening: Monday 02:00 + 4 h = 06:00, so the end of the first session.
        (london_time(2026, 3, 2, 2), True, london_time(2026, 3, 2, 13)),
        # Across the clocks going forward (Sunday 29 March 2026), still wall-clock time.
        (london_time(2026, 3, 27, 11), False, london_time(2026, 3, 28, 11)),
        (london_time(2026, 3, 28, 11), False, london_time(2026, 3, 30, 11)),
        # And going back (Sunday 25 October 2026).
        (london_time(2026, 10, 24, 11), False, london_time(2026, 10, 26, 11)),
    ],
)
def test_deadline_counts_the_clinics_open_days_and_lands_in_its_hours(
    bristol_hours, created, priority, due
):
    assert response_deadline(created, clinical_priority=priority, clinic=bristol_hours) == due


def test_closures_are_skipped_like_closed_days(bristol_hours):
    bristol_hours.closures.create(
        starts_on=date(2026, 12, 25), ends_on=date(2026, 12, 28), reason="Christmas"
    )
    # Thursday 24 December 15:00 → closed Friday to Monday, Sunday shut → Tuesday 15:00.
    due = response_deadline(london_time(2026, 12, 24, 15), clinic=bristol_hours)
    assert due == london_time(2026, 12, 29, 15)


def test_closed_dates_setting_is_for_requests_without_clinic_hours(settings, bristol_hours):
    settings.BOOKING_CLOSED_DATES = frozenset([date(2026, 3, 3)])
    monday = london_time(2026, 3, 2, 10)
    assert response_deadline(monday, clinic=bristol_hours) == london_time(2026, 3, 3, 10)
    assert response_deadline(monday) == london_time(2026, 3, 4, 10)
    assert response_deadline(monday, clinic=make_clinic("No hours")) == london_time(2026, 3, 4, 10)


def test_a_new_request_gets_its_clinics_target(bristol_hours):
    request = make_request(clinic=bristol_hours, created_at=london_time(2026, 3, 6, 16))
    assert request.default_respond_by() == london_time(2026, 3, 7, 14)


def test_working_time_counts_only_opening_hours(bristol_hours):
    # Friday 17:00 to Monday 10:00: an hour on Friday, four on Saturday, one on Monday.
    assert working_time_between(
        london_time(2026, 3, 6, 17), london_time(2026, 3, 9, 10), clinic=bristol_hours
    ) == timedelta(hours=6)
    # Across the October clock change: Saturday 24 October 13:00 to Monday 26 October 09:30.
    assert working_time_between(
        london_time(2026, 10, 24, 13), london_time(2026, 10, 26, 9, 30), clinic=bristol_hours
    ) == timedelta(hours=1, minutes=30)


def test_working_time_without_hours_counts_working_days(settings):
    settings.BOOKING_CLOSED_DATES = frozenset()
    # Friday 16:00 to Monday 10:00: eight hours of Friday and ten of Monday.
    assert working_time_between(
        london_time(2026, 3, 6, 16), london_time(2026, 3, 9, 10)
    ) == timedelta(hours=18)
    # The clocks go forward on a Sunday, which doesn't count anyway; an answer given before
    # the request arrived (bad data) counts as no time.
    assert working_time_between(
        london_time(2026, 3, 9, 10), london_time(2026, 3, 9, 9)
    ) == timedelta(0)
