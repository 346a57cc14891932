"""What a status change records for Insights: the first response and the first times a
request reached contacted and booked, kept when it is reopened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import ConsultationRequest
from booking.services import consultation_request_transition
from tests.booking.times import london_time
from tests.factories import make_clinic, make_request, make_staff

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome


@pytest.fixture
def clock(monkeypatch):
    """Sets what timezone.now() returns."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def move(request, status, by, **details):
    consultation_request_transition(consultation_request=request, status=status, by=by, **details)
    request.refresh_from_db()


def test_first_contact_records_the_response_and_reopening_keeps_the_first_times(settings, clock):
    settings.BOOKING_CLOSED_DATES = frozenset()
    by = make_staff("manager", superuser=True)
    clinic = make_clinic("Bristol")
    # Sent on Friday at 16:00; no opening hours entered, so working days count.
    request = make_request(clinic=clinic, created_at=london_time(2026, 3, 6, 16))

    clock(london_time(2026, 3, 9, 10))  # Monday 10:00
    move(request, Status.CONTACTED, by)
    assert request.first_response_at == london_time(2026, 3, 9, 10)
    assert request.first_response_minutes == 18 * 60  # 8 h of Friday, 10 h of Monday
    assert request.contacted_at == request.first_response_at
    assert request.booked_at is None

    clock(london_time(2026, 3, 10, 9))
    move(
        request,
        Status.BOOKED,
        by,
        appointment_at=timezone.now() + timedelta(days=3),
        appointment_clinic=clinic,
    )
    first_booked = request.booked_at
    assert first_booked == london_time(2026, 3, 10, 9)

    clock(london_time(2026, 3, 20, 9))
    move(request, Status.CLOSED, by, outcome=Outcome.DID_NOT_ATTEND)
    move(request, Status.CONTACTED, by)
    move(
        request,
        Status.BOOKED,
        by,
        appointment_at=timezone.now() + timedelta(days=3),
        appointment_clinic=clinic,
    )
    assert request.booked_at == first_booked
    assert request.first_response_at == london_time(2026, 3, 9, 10)


def test_spam_and_its_rescue_are_not_a_response():
    by = make_staff("manager", superuser=True)
    request = make_request()
    move(request, Status.SPAM, by)
    move(request, Status.NEW, by)
    assert request.first_response_at is None
    assert request.contacted_at is None
    move(request, Status.CLOSED, by, outcome=Outcome.NO_RESPONSE)
    assert request.first_response_at is not None
    assert request.contacted_at is None
