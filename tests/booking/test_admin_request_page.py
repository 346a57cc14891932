"""The request page: read-only patient answers, the triage form, assignment, notes, history."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from booking.models import ConsultationRequest, RequestEvent, StaffProfile
from booking.services import (
    consultation_request_add_note,
    consultation_request_assign,
    consultation_request_transition,
)
from tests.booking.admin_helpers import (
    assign_to_me_url,
    change_url,
    messages_of,
    read_form,
    submit_change_form,
)
from tests.factories import make_clinic_staff, make_consent_text, make_request, make_staff

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome


def test_patient_answers_are_read_only_and_escaped(reception_client, bristol):
    request = make_request(
        clinic=bristol,
        full_name="<b>Bold</b> Name",
        message='<script>alert("x")</script>\nSecond line',
        best_time_to_call="<img src=x onerror=alert(1)>",
        consent_wording=make_consent_text(version="consent-v3"),
        privacy_notice=make_consent_text("privacy_notice", "7", title="<i>Privacy</i>"),
        staff_notification=ConsultationRequest.NotificationState.SENT,
        patient_notification=ConsultationRequest.NotificationState.FAILED,
    )
    response = reception_client.get(change_url(request))
    page = response.content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>Second line" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in page
    for shown in ["consent-v3", "Consent receipt", "Sent", "Failed"]:
        assert shown in page
    assert "&lt;i&gt;Privacy&lt;/i&gt;" in page
    form = read_form(response)
    patient_fields = {
        "full_name",
        "email",
        "phone",
        "message",
        "clinic",
        "treatment",
        "best_time_to_call",
        "recent_change",
        "consent_given_at",
        "consent_wording",
        "privacy_notice",
        "staff_notification",
        "patient_notification",
        "status",
        "outcome",
        "respond_by",
    }
    assert not patient_fields & form.field_names


def test_posting_patient_fields_changes_nothing(reception_client, bristol):
    request = make_request(clinic=bristol, full_name="Real Name", email="real@example.com")
    response = submit_change_form(
        reception_client,
        request,
        full_name="Changed",
        email="changed@example.com",
        status=Status.CLOSED,
        message="tampered",
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.full_name, request.email, request.status, request.message) == (
        "Real Name",
        "real@example.com",
        Status.NEW,
        "",
    )


def test_phone_is_shown_nationally_with_a_tel_link(reception_client, bristol):
    request = make_request(clinic=bristol, phone="+447700900123", email="a@example.com")
    page = reception_client.get(change_url(request)).content.decode()
    assert '<a href="tel:+447700900123">07700 900123</a>' in page
    assert '<a href="mailto:a@example.com">a@example.com</a>' in page


def test_status_change_through_the_form_is_recorded_with_the_user(
    reception_client, receptionist, bristol
):
    request = make_request(clinic=bristol)
    response = submit_change_form(
        reception_client, request, new_status=Status.CONTACTED, status_note="Left a voicemail"
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    event = request.events.get()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        receptionist,
        Status.NEW,
        Status.CONTACTED,
        "Left a voicemail",
    )


def test_status_choices_are_only_the_allowed_moves(reception_client, bristol):
    request = make_request(clinic=bristol, status=Status.CONTACTED)
    page = reception_client.get(change_url(request)).content.decode()
    select = page.split('name="new_status"')[1].split("</select>")[0]
    assert 'value="booked"' in select and 'value="closed"' in select
    assert 'value="spam"' not in select and 'value="new"' not in select


def test_a_forbidden_move_posted_anyway_is_refused(reception_client, bristol):
    request = make_request(clinic=bristol, status=Status.CONTACTED)
    response = submit_change_form(reception_client, request, new_status=Status.SPAM)
    assert response.status_code == 200  # the form again, with the error
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    assert not request.events.exists()


def test_closing_without_an_outcome_shows_the_error_on_the_form(reception_client, bristol):
    request = make_request(clinic=bristol)
    response = submit_change_form(reception_client, request, new_status=Status.CLOSED)
    assert response.status_code == 200
    assert "Choose an outcome to close the request." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_closing_with_an_outcome(reception_client, bristol):
    request = make_request(clinic=bristol)
    submit_change_form(
        reception_client, request, new_status=Status.CLOSED, close_outcome=Outcome.NOT_SUITABLE
    )
    request.refresh_from_db()
    assert (request.status, request.outcome) == (Status.CLOSED, Outcome.NOT_SUITABLE)


def test_booking_through_the_form_needs_and_stores_the_appointment(
    reception_client, bristol, london
):
    request = make_request(clinic=bristol, status=Status.CONTACTED)
    response = submit_change_form(reception_client, request, new_status=Status.BOOKED)
    assert response.status_code == 200
    assert "Enter the appointment date and time." in response.content.decode()

    day = timezone.localdate() + timedelta(days=10)
    response = submit_change_form(
        reception_client,
        request,
        new_status=Status.BOOKED,
        appointment_time_0=day.strftime("%d/%m/%Y"),
        appointment_time_1="14:30",
        booked_clinic=str(london.pk),
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.BOOKED
    local = timezone.localtime(request.appointment_at)
    assert (local.date(), local.hour, local.minute) == (day, 14, 30)
    assert request.appointment_clinic == london


def test_outcome_without_choosing_closed_is_an_error(reception_client, bristol):
    request = make_request(clinic=bristol)
    response = submit_change_form(reception_client, request, close_outcome=Outcome.DUPLICATE)
    assert "Choose “Closed” to record an outcome." in response.content.decode()
    request.refresh_from_db()
    assert request.outcome == ""


def test_assignment_and_priority_through_the_form(reception_client, receptionist, bristol):
    colleague = make_clinic_staff("bea", clinics=[bristol], first_name="Bea")
    request = make_request(clinic=bristol)
    respond_by_before = request.respond_by

    submit_change_form(
        reception_client, request, assigned_to=str(colleague.pk), is_clinical_priority="on"
    )

    request.refresh_from_db()
    assert request.assigned_to == colleague
    assert request.is_clinical_priority
    assert request.respond_by != respond_by_before
    assert {(e.action, e.actor) for e in request.events.all()} == {
        (RequestEvent.Action.ASSIGNED, receptionist),
        (RequestEvent.Action.PRIORITY, receptionist),
    }


def test_assignee_menu_is_a_plain_list_of_colleagues(admin_client, bristol):
    request = make_request(clinic=bristol)
    page = admin_client.get(change_url(request)).content.decode()
    assert 'id="add_id_assigned_to"' not in page
    assert 'id="change_id_assigned_to"' not in page


def test_cannot_assign_to_staff_of_another_clinic(reception_client, bristol, london):
    london_staff = make_clinic_staff("lon", clinics=[london], first_name="Londoner")
    request = make_request(clinic=bristol)
    page = reception_client.get(change_url(request)).content.decode()
    assert "Londoner" not in page
    response = submit_change_form(reception_client, request, assigned_to=str(london_staff.pk))
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.assigned_to is None


def test_assign_to_me_button(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    page = reception_client.get(change_url(request)).content.decode()
    assert f'action="{assign_to_me_url(request)}"' in page

    response = reception_client.post(assign_to_me_url(request), follow=True)

    request.refresh_from_db()
    assert request.assigned_to == receptionist
    assert request.events.get().actor == receptionist
    assert f"{request.reference} is assigned to you." in messages_of(response)
    assert 'action="' + assign_to_me_url(request) not in response.content.decode()


def test_assign_to_me_needs_post_and_change_permission(client, bristol):
    request = make_request(clinic=bristol)
    viewer = make_staff("viewer", permissions=["booking.view_consultationrequest"])
    StaffProfile.objects.create(user=viewer).clinics.set([bristol])
    client.force_login(viewer)
    response = client.get(change_url(request))
    assert response.status_code == 200
    assert "Assign to me" not in response.content.decode()
    assert client.get(assign_to_me_url(request)).status_code == 405
    assert client.post(assign_to_me_url(request)).status_code == 403
    request.refresh_from_db()
    assert request.assigned_to is None


def test_notes_are_append_only(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    first = consultation_request_add_note(
        consultation_request=request, text="First call: no answer", by=receptionist
    )

    response = reception_client.get(change_url(request))
    form = read_form(response)
    assert "notes-0-text" not in form.field_names  # the saved note can't be edited
    assert "notes-0-DELETE" not in form.field_names
    assert "notes-1-text" in form.field_names  # a new one can be added
    assert "First call: no answer" in response.content.decode()

    submit_change_form(
        reception_client,
        request,
        **{
            "notes-0-text": "Rewritten history",
            "notes-0-DELETE": "on",
            "notes-1-text": "Second call: booked for Tuesday",
        },
    )

    notes = list(request.notes.all())
    assert [note.text for note in notes] == [
        "First call: no answer",
        "Second call: booked for Tuesday",
    ]
    assert notes[0] == first
    assert notes[1].author == receptionist


def test_history_is_shown_in_order(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    consultation_request_assign(consultation_request=request, to=receptionist, by=receptionist)
    consultation_request_transition(
        consultation_request=request,
        status=Status.CONTACTED,
        by=receptionist,
        note="Spoke to patient",
    )
    consultation_request_transition(
        consultation_request=request,
        status=Status.CLOSED,
        by=receptionist,
        outcome=Outcome.DECLINED,
    )

    page = reception_client.get(change_url(request)).content.decode()

    positions = [
        page.index(text)
        for text in ["Assigned to Amy Jones.", "New → Contacted", "Contacted → Closed"]
    ]
    assert positions == sorted(positions)
    assert "Spoke to patient" in page and "Outcome: Patient declined." in page


def test_duplicates_are_listed_with_links_within_the_users_clinics(
    reception_client, bristol, london
):
    request = make_request(clinic=bristol, email="sam@example.com", phone="+447700900001")
    same_email = make_request(clinic=None, email="SAM@example.com", phone="+447700900002")
    same_phone_london = make_request(clinic=london, phone="+447700900001")
    page = reception_client.get(change_url(request)).content.decode()
    assert f'<a href="{change_url(same_email)}">{same_email.reference}</a>' in page
    assert "same email" in page
    assert same_phone_london.reference not in page


def test_the_consent_receipt_shows_the_time_and_the_exact_texts_agreed_to(
    reception_client, bristol
):
    changed_at = timezone.make_aware(datetime(2026, 3, 4, 10, 30))
    request = make_request(
        clinic=bristol,
        consent_given_at=timezone.make_aware(datetime(2026, 5, 6, 9, 15)),
        consent_wording=make_consent_text(
            version="9f86d081884c", text="I agree that the clinic may use <my> answers."
        ),
        privacy_notice=make_consent_text(
            "privacy_notice",
            "3",
            title="Privacy notice",
            text="## Who we are\n\nThe clinic & its doctors.",
            text_changed_at=changed_at,
        ),
    )

    page = reception_client.get(change_url(request)).content.decode()

    receipt = page.split("Consent receipt")[1].split("</fieldset>")[0]
    assert "6 May 2026, 9:15 a.m." in receipt
    assert "I agree that the clinic may use &lt;my&gt; answers." in receipt
    assert "Version 9f86d081884c" in receipt
    assert "Version 3: “Privacy notice”, last updated Wed 4 Mar 2026, 10:30" in receipt
    assert "## Who we are<br><br>The clinic &amp; its doctors." in receipt


def test_a_receipt_from_before_texts_were_kept_says_so(reception_client, bristol):
    request = make_request(
        clinic=bristol,
        privacy_notice=make_consent_text(
            "privacy_notice", "2", text="Not kept. Only the notice's version number was recorded."
        ),
    )
    receipt = reception_client.get(change_url(request)).content.decode().split("Consent receipt")[1]
    assert "Not kept. Only the notice&#x27;s version number was recorded." in receipt
    assert "Version 2" in receipt
