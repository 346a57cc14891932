"""When a request must be answered: working days only, sooner for a clinical priority, and
"overdue" once the target passes with the request still new."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.models import ConsultationRequest
from booking.services import consultation_request_set_priority, consultation_request_transition
from booking.working_hours import is_working_day, response_deadline
from tests.booking.times import london_time
from tests.factories import make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status


@pytest.mark.parametrize(
    ("created", "priority", "due"),
    [
        # One working day: Monday 10:00 → Tuesday 10:00.
        (london_time(2026, 3, 2, 10), False, london_time(2026, 3, 3, 10)),
        # Friday afternoon: the weekend doesn't count.
        (london_time(2026, 3, 6, 16), False, london_time(2026, 3, 9, 16)),
        # Saturday morning: the clock starts on Monday.
        (london_time(2026, 3, 7, 9), False, london_time(2026, 3, 10, 0)),
        (london_time(2026, 3, 8, 23, 59), False, london_time(2026, 3, 10, 0)),
        # Clinical priority: four working hours.
        (london_time(2026, 3, 2, 10), True, london_time(2026, 3, 2, 14)),
        (london_time(2026, 3, 6, 22), True, london_time(2026, 3, 9, 2)),
        # The clocks go forward on Sunday 29 March 2026: still Monday at 16:00 in London.
        (london_time(2026, 3, 27, 16), False, london_time(2026, 3, 30, 16)),
    ],
)
def test_response_deadline_counts_working_days_only(created, priority, due):
    assert response_deadline(created, clinical_priority=priority) == due


def test_response_deadline_works_from_utc_times():
    created = datetime(2026, 7, 3, 15, 0, tzinfo=ZoneInfo("UTC"))  # Friday 16:00 in London
    assert response_deadline(created) == london_time(2026, 7, 6, 16)


def test_response_hours_are_settings(settings):
    settings.BOOKING_RESPONSE_HOURS = 48
    settings.BOOKING_PRIORITY_RESPONSE_HOURS = 1
    monday = london_time(2026, 3, 2, 10)
    assert response_deadline(monday) == london_time(2026, 3, 4, 10)
    assert response_deadline(monday, clinical_priority=True) == london_time(2026, 3, 2, 11)


def test_closed_dates_are_skipped_like_weekends(settings):
    settings.BOOKING_CLOSED_DATES = frozenset([date(2026, 12, 25), date(2026, 12, 28)])
    assert not is_working_day(date(2026, 12, 25))
    # Thursday 24 December 15:00 → Friday 25 closed, weekend, Monday 28 closed → Tuesday 29.
    assert response_deadline(london_time(2026, 12, 24, 15)) == london_time(2026, 12, 29, 15)


def test_clinical_priority_shortens_the_response_target_and_is_recorded(admin_user):
    created = london_time(2026, 3, 2, 10)  # a Monday
    request = make_request(created_at=created, respond_by=response_deadline(created))

    assert (
        consultation_request_set_priority(
            consultation_request=request, is_clinical_priority=True, by=admin_user
        )
        is True
    )

    request.refresh_from_db()
    assert request.is_clinical_priority
    assert request.respond_by == london_time(2026, 3, 2, 14)
    assert request.events.get().note == "Marked as a clinical priority."
    assert (
        consultation_request_set_priority(
            consultation_request=request, is_clinical_priority=True, by=admin_user
        )
        is False
    )
    assert request.events.count() == 1


# --- Overdue ---------------------------------------------------------------------------------


def test_overdue_means_still_new_after_the_target():
    now = timezone.now()
    late = make_request(respond_by=now - timedelta(minutes=1))
    in_time = make_request(respond_by=now + timedelta(minutes=1))
    answered_late = [
        make_request(respond_by=now - timedelta(days=1), status=status)
        for status in (Status.CONTACTED, Status.BOOKED, Status.CLOSED, Status.SPAM)
    ]

    assert list(ConsultationRequest.objects.overdue(now)) == [late]
    assert set(ConsultationRequest.objects.not_overdue(now)) == {in_time, *answered_late}
    assert late.is_overdue
    assert not any(r.is_overdue for r in (in_time, *answered_late))


def test_a_late_request_stops_being_overdue_once_contacted(admin_user):
    request = make_request(respond_by=timezone.now() - timedelta(hours=3))
    assert request.is_overdue
    consultation_request_transition(
        consultation_request=request, status=Status.CONTACTED, by=admin_user
    )
    assert not request.is_overdue
    assert not ConsultationRequest.objects.overdue().exists()
