"""What the booking emails say, and to whom: the clinic's staff inbox and the patient, with
no health details in either."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from booking.models import ConsultationRequest
from tests.booking.notification_helpers import (
    BEST_TIME,
    EMAIL,
    MESSAGE,
    NAME,
    PHONE,
    all_text,
    by_recipient,
    submit,
)
from tests.factories import booking_form_data, make_treatment

pytestmark = pytest.mark.django_db

State = ConsultationRequest.NotificationState


def test_booking_through_the_form_emails_staff_and_patient_without_health_details(
    client, mailoutbox, django_capture_on_commit_callbacks, london
):
    mole = make_treatment("Mole removal", asks_about_changes=True)
    form = booking_form_data(
        full_name=NAME,
        email=EMAIL,
        phone="07911 123456",
        clinic=london.slug,
        treatment=mole.slug,
        best_time_to_call=BEST_TIME,
        recent_change="yes",
        message=MESSAGE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("booking:request_form"), form)

    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert len(mailoutbox) == 2
    emails = by_recipient(mailoutbox)
    staff, patient = emails["london-bookings@clinic.example"], emails[EMAIL]
    assert stored.reference in staff.subject
    assert stored.reference in patient.subject
    for message in (staff, patient):
        text = all_text(message)
        for secret in (MESSAGE, "Mole removal", "mole", BEST_TIME, "changed, bled", "itchy"):
            assert secret not in text
    # The staff email does not identify the patient either.
    for personal in (NAME, "O&#x27;Connor", EMAIL, "07911 123456", PHONE):
        assert personal not in all_text(staff)
    stored.refresh_from_db()
    assert (stored.staff_notification, stored.patient_notification) == (State.SENT, State.SENT)


# --- The staff email -------------------------------------------------------------------------


def test_staff_email_goes_to_the_clinic_inbox_with_priority_and_admin_link(
    settings, mailoutbox, django_capture_on_commit_callbacks, london
):
    settings.SITE_URL = "https://www.cosmedics.example"
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(clinic=london)

    staff = by_recipient(mailoutbox)["london-bookings@clinic.example"]
    admin_url = "https://www.cosmedics.example" + reverse(
        "admin:booking_consultationrequest_change", args=[request.pk]
    )
    assert (
        staff.subject
        == f"Clinical priority: New consultation request {request.reference} (London Harley St)"
    )
    assert staff.from_email == settings.DEFAULT_FROM_EMAIL
    assert staff.reply_to == [settings.BOOKING_STAFF_INBOX]
    assert staff.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Clinic: London Harley St" in staff.body
    assert "Clinical priority: Yes" in staff.body
    assert admin_url in staff.body
    html, mimetype = staff.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{admin_url}"' in html
    assert "Cosmedics Skin Clinics" in html


def test_staff_email_without_priority_says_no(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(recent_change=ConsultationRequest.RecentChange.NO)

    staff = by_recipient(mailoutbox)["bookings@cosmedics.example"]
    assert staff.subject == f"New consultation request {request.reference} (No preference)"
    assert "Clinical priority: No" in staff.body


def test_no_preference_and_clinics_without_an_inbox_use_the_site_wide_inbox(
    settings, mailoutbox, django_capture_on_commit_callbacks, bristol
):
    settings.BOOKING_STAFF_INBOX = "central@clinic.example"
    assert not bristol.notification_email
    with django_capture_on_commit_callbacks(execute=True):
        submit(clinic=None)
        submit(clinic=bristol, email="other@example.com")

    central = [
        message.subject for message in mailoutbox if message.to == ["central@clinic.example"]
    ]
    assert len(central) == 2
    assert {subject.split(" (")[-1] for subject in central} == {"No preference)", "Bristol)"}


# --- The patient's acknowledgement -----------------------------------------------------------


def test_patient_acknowledgement_gives_reference_deadline_phone_and_clinic_reply_to(
    settings, mailoutbox, django_capture_on_commit_callbacks, london
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(clinic=london)

    patient = by_recipient(mailoutbox)[EMAIL]
    local = timezone.localtime(request.respond_by)
    assert patient.subject == f"We have your consultation request ({request.reference})"
    assert patient.reply_to == ["london@clinic.example"]
    assert f"Your reference is {request.reference}" in patient.body
    assert "We aim to call you" in patient.body
    assert "arrange a consultation at our London clinic." in patient.body
    assert "by the end of " + date_format(local.date(), "l j F") in patient.body
    assert "020 7386 0464" in patient.body
    assert "/privacy/" in patient.body
    assert "Please do not reply with medical details" in patient.body
    html = patient.alternatives[0].content
    assert 'href="tel:+442073860464"' in html
    assert request.reference in html


def test_patient_who_chose_email_is_told_we_will_email_and_replies_reach_the_central_inbox(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(contact_method=ConsultationRequest.ContactMethod.EMAIL)

    patient = by_recipient(mailoutbox)[EMAIL]
    assert "We aim to email you" in patient.body
    assert patient.reply_to == ["bookings@cosmedics.example"]
