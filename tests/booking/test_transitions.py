"""Moving a request through the triage workflow: which moves are allowed, what each one
needs (an outcome, an appointment), and the history it leaves."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking.models import ConsultationRequest, RequestEvent
from booking.services import consultation_request_assign, consultation_request_transition
from tests.booking.times import london_time
from tests.factories import make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome

ALLOWED = [
    (from_status, to_status)
    for from_status, targets in ConsultationRequest.TRANSITIONS.items()
    for to_status in targets
]
FORBIDDEN = [
    (from_status, to_status)
    for from_status in Status.values
    for to_status in Status.values
    if (from_status, to_status) not in ALLOWED
]


def details_for(status, clinic, *, from_status=None):
    """The extra details a move to `status` needs."""
    if status == Status.CLOSED:
        outcome = Outcome.ATTENDED if from_status == Status.BOOKED else Outcome.NO_RESPONSE
        return {"outcome": outcome}
    if status == Status.BOOKED:
        return {
            "appointment_at": timezone.now() + timedelta(days=3),
            "appointment_clinic": clinic,
        }
    return {}


def test_the_documented_workflow_table():
    assert ConsultationRequest.TRANSITIONS == {
        Status.NEW: (Status.CONTACTED, Status.BOOKED, Status.CLOSED, Status.SPAM),
        Status.CONTACTED: (Status.BOOKED, Status.CLOSED),
        Status.BOOKED: (Status.BOOKED, Status.CONTACTED, Status.CLOSED),
        Status.CLOSED: (Status.CONTACTED,),
        Status.SPAM: (Status.NEW,),
    }


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_changes_status_and_records_who_did_it(
    from_status, to_status, bristol, admin_user
):
    request = make_request(status=from_status, clinic=bristol)
    before = timezone.now()

    event = consultation_request_transition(
        consultation_request=request,
        status=to_status,
        by=admin_user,
        note="Called at 10:05",
        **details_for(to_status, bristol, from_status=from_status),
    )

    request.refresh_from_db()
    assert request.status == to_status
    assert request.status_changed_at >= before
    assert list(request.events.all()) == [event]
    assert event.actor == admin_user
    assert event.action == RequestEvent.Action.STATUS
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert event.note.endswith("Called at 10:05")
    assert event.created_at == request.status_changed_at


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_forbidden_transition_is_refused_and_changes_nothing(
    from_status, to_status, bristol, admin_user
):
    request = make_request(status=from_status, clinic=bristol)

    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request,
            status=to_status,
            by=admin_user,
            **details_for(to_status, bristol),
        )

    assert "status" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == from_status
    assert request.status_changed_at is None
    assert not request.events.exists()


def test_unknown_status_is_refused(admin_user):
    request = make_request()
    with pytest.raises(ValidationError, match="not a status"):
        consultation_request_transition(
            consultation_request=request, status="archived", by=admin_user
        )


# --- Closing ---------------------------------------------------------------------------------


def test_closing_needs_an_outcome(admin_user):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request, status=Status.CLOSED, by=admin_user
        )
    assert error.value.message_dict == {"outcome": ["Choose an outcome to close the request."]}
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_closing_stores_the_outcome_and_says_it_in_the_history(admin_user):
    request = make_request(status=Status.CONTACTED)
    event = consultation_request_transition(
        consultation_request=request, status=Status.CLOSED, by=admin_user, outcome=Outcome.DECLINED
    )
    request.refresh_from_db()
    assert request.outcome == Outcome.DECLINED
    assert event.note == "Outcome: Patient declined."


def test_only_a_booked_request_can_be_closed_as_attended(admin_user):
    request = make_request(status=Status.CONTACTED)
    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request,
            status=Status.CLOSED,
            by=admin_user,
            outcome=Outcome.ATTENDED,
        )
    assert "outcome" in error.value.message_dict


def test_an_outcome_is_refused_unless_closing(admin_user):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request,
            status=Status.CONTACTED,
            by=admin_user,
            outcome=Outcome.DUPLICATE,
        )
    assert "outcome" in error.value.message_dict


def test_reopening_a_closed_request_clears_its_outcome(admin_user):
    request = make_request(status=Status.CLOSED, outcome=Outcome.NO_RESPONSE)
    consultation_request_transition(
        consultation_request=request,
        status=Status.CONTACTED,
        by=admin_user,
        note="Patient rang back",
    )
    request.refresh_from_db()
    assert (request.status, request.outcome) == (Status.CONTACTED, "")
    assert request in ConsultationRequest.objects.open()


# --- Booking ---------------------------------------------------------------------------------


def test_booking_needs_the_appointment_time_and_clinic(admin_user):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request, status=Status.BOOKED, by=admin_user
        )
    assert set(error.value.message_dict) == {"appointment_at", "appointment_clinic"}
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_booking_refuses_an_appointment_in_the_past(bristol, admin_user):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request,
            status=Status.BOOKED,
            by=admin_user,
            appointment_at=timezone.now() - timedelta(days=2),
            appointment_clinic=bristol,
        )
    assert "appointment_at" in error.value.message_dict


def test_booking_stores_the_appointment_and_says_it_in_the_history(bristol, admin_user):
    request = make_request(status=Status.CONTACTED)
    appointment = london_time(2099, 3, 12, 10, 30)

    event = consultation_request_transition(
        consultation_request=request,
        status=Status.BOOKED,
        by=admin_user,
        appointment_at=appointment,
        appointment_clinic=bristol,
    )

    request.refresh_from_db()
    assert request.appointment_at == appointment
    assert request.appointment_clinic == bristol
    assert event.note == "Appointment: Thu 12 Mar 2099, 10:30 at Bristol."
    consultation_request_transition(
        consultation_request=request,
        status=Status.BOOKED,
        by=admin_user,
        appointment_at=london_time(2099, 3, 2, 9, 5),
        appointment_clinic=bristol,
    )
    assert request.events.last().note == "Appointment: Mon 2 Mar 2099, 09:05 at Bristol."


def test_an_appointment_is_refused_unless_booking(bristol, admin_user):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        consultation_request_transition(
            consultation_request=request,
            status=Status.CONTACTED,
            by=admin_user,
            appointment_at=timezone.now() + timedelta(days=1),
            appointment_clinic=bristol,
        )
    assert "appointment_at" in error.value.message_dict


def test_rebooking_changes_the_appointment(bristol, london, admin_user):
    request = make_request(
        status=Status.BOOKED,
        appointment_at=london_time(2099, 1, 5, 9),
        appointment_clinic=bristol,
    )

    event = consultation_request_transition(
        consultation_request=request,
        status=Status.BOOKED,
        by=admin_user,
        appointment_at=london_time(2099, 1, 9, 14),
        appointment_clinic=london,
    )

    request.refresh_from_db()
    assert (request.appointment_at, request.appointment_clinic) == (
        london_time(2099, 1, 9, 14),
        london,
    )
    assert event.describe() == "Booked (changed)"


# --- Spam ------------------------------------------------------------------------------------


def test_marking_spam_keeps_an_automatic_reason_or_gives_one(admin_user):
    flagged = make_request(spam_reason="honeypot")
    consultation_request_transition(consultation_request=flagged, status=Status.SPAM, by=admin_user)
    plain = make_request()
    consultation_request_transition(consultation_request=plain, status=Status.SPAM, by=admin_user)
    flagged.refresh_from_db()
    plain.refresh_from_db()
    assert flagged.spam_reason == "honeypot"
    assert plain.spam_reason == "Marked as spam by staff"


def test_not_spam_puts_the_request_back_in_the_queue_as_new(admin_user):
    request = make_request(status=Status.SPAM, spam_reason="time-trap")
    event = consultation_request_transition(
        consultation_request=request, status=Status.NEW, by=admin_user
    )
    request.refresh_from_db()
    assert (request.status, request.spam_reason) == (Status.NEW, "")
    assert request in ConsultationRequest.objects.open()
    assert event.describe() == "Spam → New"


# --- Concurrency and history -----------------------------------------------------------------


def test_transition_checks_the_stored_status_not_a_stale_copy(admin_user):
    mine = make_request()
    theirs = ConsultationRequest.objects.get(pk=mine.pk)
    consultation_request_transition(consultation_request=theirs, status=Status.SPAM, by=admin_user)

    with pytest.raises(ValidationError):
        consultation_request_transition(
            consultation_request=mine, status=Status.CONTACTED, by=admin_user
        )  # still says "new" in memory

    mine.refresh_from_db()
    assert mine.status == Status.SPAM
    assert mine.events.count() == 1


def test_history_lists_every_step_in_order(bristol, receptionist):
    request = make_request(clinic=bristol)

    consultation_request_assign(consultation_request=request, to=receptionist, by=receptionist)
    consultation_request_transition(
        consultation_request=request,
        status=Status.CONTACTED,
        by=receptionist,
        note="Left a voicemail",
    )
    consultation_request_transition(
        consultation_request=request,
        status=Status.BOOKED,
        by=receptionist,
        appointment_at=timezone.now() + timedelta(days=7),
        appointment_clinic=bristol,
    )

    assert [(event.describe(), event.actor) for event in request.events.all()] == [
        ("Assignment", receptionist),
        ("New → Contacted", receptionist),
        ("Contacted → Booked", receptionist),
    ]
