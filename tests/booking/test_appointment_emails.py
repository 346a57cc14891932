"""Booking, rebooking and cancelling an appointment: what the patient receives in writing,
with its calendar file, and what staff see of each email."""

import smtplib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from booking import tasks
from booking.appointment_links import appointment_change_url
from booking.models import AppointmentEmail, ConsultationRequest
from booking.services import (
    consultation_request_resend_failed_emails,
    consultation_request_transition,
)
from tests.booking.admin_helpers import change_url, submit_change_form
from tests.booking.appointment_helpers import (
    FEE_INCLUDES,
    HEALTH_DETAILS,
    WHAT_TO_BRING,
    book,
    calendar_of,
    days_ahead,
    fees,
    full_clinic,
    health_request,
    staff,
    team_member,
)
from tests.booking.notification_helpers import all_text
from tests.factories import make_clinic, make_request, make_team_member

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Kind = AppointmentEmail.Kind
State = AppointmentEmail.State


@pytest.fixture
def booked_setup():
    clinic = full_clinic()
    fees()
    return clinic, health_request(clinic), staff()


def emails_of(consultation_request):
    return {
        (row.kind, row.sequence): row
        for row in AppointmentEmail.objects.filter(request=consultation_request)
    }


def test_booking_emails_the_patient_a_confirmation_with_time_place_fee_and_terms(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    member = team_member(clinic)
    at = days_ahead(10, 14, 30)

    with django_capture_on_commit_callbacks(execute=True):
        event = book(request, by=by, at=at, clinic=clinic, appointment_with=member)

    (message,) = mailoutbox
    request.refresh_from_db()
    assert message.to == ["zoe@example.com"]
    assert message.reply_to == ["clinic@example.com"]
    assert message.subject.startswith("Your consultation is booked: ")
    assert request.reference in message.subject
    local = timezone.localtime(at)
    for body in (message.body, message.alternatives[0].content):
        assert local.strftime("%A %-d %B %Y") + " at 14:30" in body
        assert "2 Example Road" in body and "BS8 1AA" in body
        assert "openstreetmap.org/search" in body
        assert "0117 496 0000" in body
        assert "Buses 8 and 9 stop outside." in body
        assert "Step-free access: yes" in body and "Accessible toilet: no" in body
        assert "£150" in body
        assert FEE_INCLUDES in body
        assert "What to bring:" in body and WHAT_TO_BRING in body
        assert "give us 48 hours" in body
        assert "Dr Ada Lovelace, Consultant dermatologist" in body
        assert request.reference in body
    assert "Dr Ada Lovelace" in event.note
    assert request.appointment_with == member

    calendar, mimetype = calendar_of(message)
    assert mimetype == "text/calendar; method=REQUEST"
    (ics_event,) = calendar.events
    assert calendar["METHOD"] == "REQUEST"
    assert str(ics_event["UID"]) == request.appointment_uid
    assert ics_event["SEQUENCE"] == 0
    assert ics_event.start == at

    rows = emails_of(request)
    assert rows[(Kind.CONFIRMATION, 0)].state == State.SENT
    assert rows[(Kind.CONFIRMATION, 0)].sent_at is not None
    # The reminder waits for its time (the immediate backend in tests can't defer it).
    reminder = rows[(Kind.REMINDER, 0)]
    assert reminder.state == State.PENDING
    assert reminder.due_at == at - timedelta(hours=24)


def test_the_clinic_phone_in_the_email_can_be_tapped_however_it_was_typed(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    clinic.phone = "+44 117 496 0000"
    clinic.save()

    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=days_ahead(10), clinic=clinic)

    (message,) = mailoutbox
    html = message.alternatives[0].content
    assert 'href="tel:+441174960000"' in html
    assert "tel:+4444" not in html


def test_the_change_link_in_the_email_opens_the_patients_change_page(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=days_ahead(5), clinic=clinic)
    request.refresh_from_db()

    assert appointment_change_url(request) in mailoutbox[0].body
    assert appointment_change_url(request) in mailoutbox[0].alternatives[0].content


def test_rebooking_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=days_ahead(5), clinic=clinic)
    request.refresh_from_db()
    uid = request.appointment_uid
    new_time = days_ahead(7, 11)

    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=new_time, clinic=clinic)

    assert len(mailoutbox) == 2
    update = mailoutbox[1]
    assert update.subject.startswith("Your consultation has changed")
    assert "These details replace the ones we sent before." in update.body
    calendar, _mimetype = calendar_of(update)
    (ics_event,) = calendar.events
    assert str(ics_event["UID"]) == uid
    assert ics_event["SEQUENCE"] == 1
    assert ics_event.start == new_time
    rows = emails_of(request)
    assert rows[(Kind.REMINDER, 0)].state == State.NOT_SENT
    assert rows[(Kind.REMINDER, 0)].state_reason == "superseded by a later change"
    assert rows[(Kind.REMINDER, 1)].state == State.PENDING
    assert rows[(Kind.UPDATE, 1)].state == State.SENT


def test_saving_the_same_appointment_again_sends_nothing(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    at = days_ahead(5)
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=at, clinic=clinic)
        book(request, by=by, at=at, clinic=clinic)

    assert len(mailoutbox) == 1
    request.refresh_from_db()
    assert request.appointment_sequence == 0


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(Status.CONTACTED, ""), (Status.CLOSED, ConsultationRequest.Outcome.DECLINED)],
)
def test_cancelling_sends_a_calendar_cancellation_and_stops_the_reminder(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks, status, outcome
):
    clinic, request, by = booked_setup
    at = days_ahead(5)
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=at, clinic=clinic)
    request.refresh_from_db()
    uid = request.appointment_uid

    with django_capture_on_commit_callbacks(execute=True):
        consultation_request_transition(
            consultation_request=request, status=status, by=by, outcome=outcome
        )

    cancellation = mailoutbox[1]
    assert cancellation.subject.startswith("Your consultation on ")
    assert "is cancelled" in cancellation.subject
    assert "We have cancelled the appointment below." in cancellation.body
    # Nothing left to change, and no way there: the link would only say it's gone.
    assert "Cancel or change my appointment" not in cancellation.alternatives[0].content
    calendar, mimetype = calendar_of(cancellation)
    assert mimetype == "text/calendar; method=CANCEL"
    (ics_event,) = calendar.events
    assert calendar["METHOD"] == "CANCEL"
    assert ics_event["STATUS"] == "CANCELLED"
    assert str(ics_event["UID"]) == uid
    assert ics_event["SEQUENCE"] == 1
    assert ics_event.start == at
    reminder = emails_of(request)[(Kind.REMINDER, 0)]
    assert reminder.state == State.NOT_SENT
    assert "cancelled" in reminder.state_reason


@pytest.mark.parametrize(
    "outcome", [ConsultationRequest.Outcome.ATTENDED, ConsultationRequest.Outcome.DID_NOT_ATTEND]
)
def test_closing_with_what_happened_at_the_appointment_emails_nothing(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks, outcome
):
    clinic, request, by = booked_setup
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=days_ahead(1, 23, 30), clinic=clinic)
    with django_capture_on_commit_callbacks(execute=True):
        consultation_request_transition(
            consultation_request=request, status=Status.CLOSED, by=by, outcome=outcome
        )

    assert len(mailoutbox) == 1  # the confirmation only
    request.refresh_from_db()
    assert request.outcome == outcome
    assert set(emails_of(request)) <= {(Kind.CONFIRMATION, 0), (Kind.REMINDER, 0)}


def test_staff_can_choose_not_to_email_and_the_request_shows_it(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    with django_capture_on_commit_callbacks(execute=True):
        event = book(request, by=by, at=days_ahead(5), clinic=clinic, email_patient=False)

    assert mailoutbox == []
    rows = emails_of(request)
    assert {key: (row.state, row.state_reason) for key, row in rows.items()} == {
        (Kind.CONFIRMATION, 0): (State.NOT_SENT, "staff chose not to email"),
        (Kind.REMINDER, 0): (State.NOT_SENT, "staff chose not to email"),
    }
    assert "The patient was not emailed." in event.note


def test_a_team_member_must_be_published_and_work_at_that_clinic(booked_setup):
    clinic, request, by = booked_setup
    elsewhere = make_clinic("Leeds")
    for member, message in [
        (make_team_member("Dr Draft", is_published=False), "no published profile"),
        (make_team_member("Dr Leeds", clinics=[elsewhere]), "doesn’t work at Bristol"),
    ]:
        with pytest.raises(ValidationError) as error:
            book(request, by=by, at=days_ahead(5), clinic=clinic, appointment_with=member)
        assert message in error.value.message_dict["appointment_with"][0]
    # A profile that lists no clinics yet is not ruled out.
    book(request, by=by, at=days_ahead(5), clinic=clinic, appointment_with=make_team_member())


def test_a_booking_from_before_uids_gets_one_on_its_next_change(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, _request, by = booked_setup
    legacy = make_request(
        status=Status.BOOKED, appointment_at=days_ahead(3), appointment_clinic=clinic
    )
    assert legacy.appointment_uid == ""

    with django_capture_on_commit_callbacks(execute=True):
        book(legacy, by=by, at=days_ahead(4), clinic=clinic)

    legacy.refresh_from_db()
    assert legacy.appointment_uid.endswith("@127.0.0.1")
    assert legacy.appointment_sequence == 1
    assert mailoutbox[0].subject.startswith("Your consultation has changed")


def test_any_change_of_status_answers_the_patients_change_request(booked_setup):
    clinic, request, by = booked_setup
    book(request, by=by, at=days_ahead(5), clinic=clinic)
    ConsultationRequest.objects.filter(pk=request.pk).update(
        change_request=ConsultationRequest.ChangeRequest.NEW_TIME,
        change_requested_at=timezone.now(),
    )
    request.refresh_from_db()

    book(request, by=by, at=days_ahead(6), clinic=clinic)

    request.refresh_from_db()
    assert (request.change_request, request.change_requested_at) == ("", None)


def test_a_clinic_with_no_content_gets_an_email_with_nothing_made_up(
    mailoutbox, django_capture_on_commit_callbacks
):
    bare = make_clinic("Leeds")
    request = health_request(bare)
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=staff(), at=days_ahead(5), clinic=bare)

    (message,) = mailoutbox
    text = all_text(message)
    for absent in (
        "Getting there",
        "Parking",
        "Consultation fee",
        "Cancelling",
        "Open the address",
    ):
        assert absent not in text
    assert "020 7386 0464" in message.body  # the main number: the clinic has none of its own


# --- No health details, in any email -----------------------------------------------------------


def every_email_builder():
    """Each appointment email kind's builder (tasks' registry, so new kinds are included)."""
    return sorted(tasks.APPOINTMENT_EMAIL_BUILDERS.items())


@pytest.mark.parametrize(("kind", "build"), every_email_builder())
def test_no_appointment_email_contains_health_details(booked_setup, kind, build):
    clinic, request, by = booked_setup
    book(request, by=by, at=days_ahead(5), clinic=clinic, appointment_with=team_member(clinic))
    request.refresh_from_db()
    appointment_email = AppointmentEmail(
        request=request,
        kind=kind,
        appointment_uid=request.appointment_uid,
        sequence=request.appointment_sequence,
        appointment_at=request.appointment_at,
    )

    message = build(appointment_email)

    text = all_text(message)
    for attachment in message.attachments:
        content = attachment.content
        text += content.decode() if isinstance(content, bytes) else content
    for detail in HEALTH_DETAILS:
        assert detail not in text, (kind, detail)
    assert request.reference in text


# --- Staff's view ------------------------------------------------------------------------------


def test_staff_book_from_the_request_page_and_see_each_emails_state(
    booked_setup, client, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    member = team_member(clinic)
    client.force_login(by)
    at = timezone.localtime(days_ahead(9, 15))

    with django_capture_on_commit_callbacks(execute=True):
        # "Email the patient" is ticked to begin with: the form is sent as it stands.
        response = submit_change_form(
            client,
            request,
            new_status=Status.BOOKED,
            appointment_time_0=at.strftime("%d/%m/%Y"),
            appointment_time_1="15:00",
            booked_clinic=str(clinic.pk),
            booked_team_member=str(member.pk),
        )

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    request.refresh_from_db()
    assert (request.status, request.appointment_with) == (Status.BOOKED, member)
    page = client.get(change_url(request)).content.decode()
    assert "Appointment emails" in page
    assert "Confirmation" in page and "Sent" in page
    assert "Reminder" in page and "Pending" in page


def test_staff_untick_the_email_box_and_the_patient_gets_nothing(
    booked_setup, client, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    client.force_login(by)
    at = timezone.localtime(days_ahead(9, 15))

    with django_capture_on_commit_callbacks(execute=True):
        submit_change_form(
            client,
            request,
            new_status=Status.BOOKED,
            appointment_time_0=at.strftime("%d/%m/%Y"),
            appointment_time_1="15:00",
            booked_clinic=str(clinic.pk),
            email_patient=None,
        )

    assert mailoutbox == []
    page = client.get(change_url(request)).content.decode()
    assert "Not sent: staff chose not to email" in page


def test_send_failed_emails_again_requeues_a_failed_appointment_email(
    booked_setup, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 2

    def server_down(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", server_down)
    clinic, request, by = booked_setup
    with django_capture_on_commit_callbacks(execute=True):
        book(request, by=by, at=days_ahead(5), clinic=clinic)
    confirmation = emails_of(request)[(Kind.CONFIRMATION, 0)]
    assert (confirmation.state, confirmation.state_reason) == (
        State.FAILED,
        "SMTPServerDisconnected",
    )

    monkeypatch.undo()  # the server is back
    with django_capture_on_commit_callbacks(execute=True):
        resent = consultation_request_resend_failed_emails(consultation_request=request)

    assert resent == [Kind.CONFIRMATION]
    assert [message.subject[:27] for message in mailoutbox] == ["Your consultation is booked"]
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.state_reason) == (State.SENT, "")


def test_a_failed_confirmation_superseded_since_is_not_sent_again(
    booked_setup, mailoutbox, django_capture_on_commit_callbacks
):
    clinic, request, by = booked_setup
    book(request, by=by, at=days_ahead(5), clinic=clinic, email_patient=False)
    AppointmentEmail.objects.filter(kind=Kind.CONFIRMATION).update(state=State.FAILED)
    book(request, by=by, at=days_ahead(6), clinic=clinic, email_patient=False)

    with django_capture_on_commit_callbacks(execute=True):
        resent = consultation_request_resend_failed_emails(consultation_request=request)

    assert resent == []
    assert mailoutbox == []
    confirmation = emails_of(request)[(Kind.CONFIRMATION, 0)]
    assert (confirmation.state, confirmation.state_reason) == (
        State.NOT_SENT,
        "superseded by a later change",
    )


def test_a_cancellation_not_yet_sent_when_the_patient_is_booked_afresh_is_not_sent(booked_setup):
    clinic, request, by = booked_setup
    book(request, by=by, at=days_ahead(5), clinic=clinic)
    consultation_request_transition(
        consultation_request=request, status=ConsultationRequest.Status.CONTACTED, by=by
    )
    request.refresh_from_db()
    cancellation = request.appointment_emails.get(kind=Kind.CANCELLATION)
    book(request, by=by, at=days_ahead(9), clinic=make_clinic("London"))
    request.refresh_from_db()

    # Retried now, it would show the new booking's clinic beside the old booking's time.
    cancellation.request = request
    assert cancellation.reason_not_to_send() == "superseded by a new booking"
