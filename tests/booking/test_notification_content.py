"""What the booking emails say, and to whom: the clinic's staff inbox and the patient, with
no health details in either, and the privacy notice's own sentence on what emails contain."""

import re
from datetime import UTC, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from booking.emails import EMAIL_CONTENTS
from booking.models import ConsultationRequest
from booking.wording import staff_respond_by_text
from tests.booking.notification_helpers import (
    BEST_TIME,
    DATABASE_TASKS,
    EMAIL,
    MESSAGE,
    NAME,
    PHONE,
    all_text,
    by_recipient,
    run_db_worker,
    submit,
)
from tests.factories import booking_form_data, make_treatment

pytestmark = pytest.mark.django_db

State = ConsultationRequest.NotificationState

# What a patient tells us about their health, and the words that would give it away.
HEALTH_WORDS = (MESSAGE, "Mole removal", "mole", BEST_TIME, "changed, bled", "itchy")
PRIORITY_WORDS = ("priority", "clinical", "urgent")


def book_a_priority_request_through_the_form(client, clinic):
    mole = make_treatment("Mole removal", asks_about_changes=True)
    form = booking_form_data(
        full_name=NAME,
        email=EMAIL,
        phone="07911 123456",
        clinic=clinic.slug,
        treatment=mole.slug,
        best_time_to_call=BEST_TIME,
        recent_change="yes",
        message=MESSAGE,
    )
    response = client.post(reverse("booking:request_form"), form)
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.is_clinical_priority
    return stored


def assert_no_health_details(message):
    text = all_text(message)
    for secret in HEALTH_WORDS:
        assert secret not in text
    for word in PRIORITY_WORDS:
        assert word not in text.lower()


# --- No health details, and the notice's sentence ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_emails_contain_no_health_details(settings, client, mailoutbox, london):
    # The production path: the form, the task queue in the database, the worker, the digest.
    settings.TASKS = DATABASE_TASKS
    stored = book_a_priority_request_through_the_form(client, london)
    assert mailoutbox == []

    run_db_worker()
    ConsultationRequest.objects.filter(pk=stored.pk).update(
        respond_by=timezone.now() - timedelta(hours=1)
    )
    call_command("send_overdue_digest")

    emails = by_recipient(mailoutbox[:2])
    staff, patient = emails["london-bookings@clinic.example"], emails[EMAIL]
    digest = mailoutbox[2]
    assert digest.to == ["london-bookings@clinic.example"]
    for message in (staff, patient, digest):
        assert stored.reference in all_text(message)
        assert_no_health_details(message)
    # The staff emails do not identify the patient either.
    for message in (staff, digest):
        for personal in (NAME, "O&#x27;Connor", "O'Connor", EMAIL, "07911 123456", PHONE):
            assert personal not in all_text(message)
    stored.refresh_from_db()
    assert (stored.staff_notification, stored.patient_notification) == (State.SENT, State.SENT)


def test_every_email_says_what_emails_contain_in_the_privacy_notices_words(
    client, mailoutbox, django_capture_on_commit_callbacks, london
):
    call_command("seed_content", stdout=StringIO())
    privacy_page = client.get(reverse("pages:page_detail", kwargs={"slug": "privacy"}))
    assert EMAIL_CONTENTS in privacy_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        request = submit(clinic=london)
    ConsultationRequest.objects.filter(pk=request.pk).update(
        respond_by=timezone.now() - timedelta(hours=1)
    )
    call_command("send_overdue_digest")

    assert len(mailoutbox) == 3  # staff, patient, digest
    for message in mailoutbox:
        assert EMAIL_CONTENTS in message.body
        assert EMAIL_CONTENTS in message.alternatives[0].content
    # Staff read it as what the notice tells patients.
    staff = by_recipient(mailoutbox[:2])["london-bookings@clinic.example"]
    assert f"Our privacy notice tells patients: “{EMAIL_CONTENTS}”" in staff.body


@pytest.mark.django_db(transaction=True)
def test_a_clinical_priority_changes_only_the_respond_by_time_in_the_staff_email(
    settings, mailoutbox, london
):
    # Two requests alike but for the changed/bled/itchy answer, given the same times: their
    # staff emails are the same but for the reference and the admin link.
    settings.TASKS = DATABASE_TASKS
    priority = submit(clinic=london)
    other = submit(
        clinic=london, email="other@example.com", recent_change=ConsultationRequest.RecentChange.NO
    )
    assert priority.is_clinical_priority and not other.is_clinical_priority
    now = timezone.now()
    ConsultationRequest.objects.update(created_at=now, respond_by=now + timedelta(hours=4))

    run_db_worker()

    staff = [message for message in mailoutbox if message.to == ["london-bookings@clinic.example"]]
    assert len(staff) == 2

    def without_identity(message):
        text = all_text(message)
        for request in (priority, other):
            admin_path = reverse("admin:booking_consultationrequest_change", args=[request.pk])
            text = text.replace(request.reference, "REF").replace(admin_path, "URL")
        return text

    assert without_identity(staff[0]) == without_identity(staff[1])


# --- The staff email -------------------------------------------------------------------------


def test_staff_email_goes_to_the_clinic_inbox_with_respond_by_time_and_admin_link(
    settings, mailoutbox, django_capture_on_commit_callbacks, london
):
    settings.SITE_URL = "https://www.cosmedics.example"
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(clinic=london)

    staff = by_recipient(mailoutbox)["london-bookings@clinic.example"]
    admin_url = "https://www.cosmedics.example" + reverse(
        "admin:booking_consultationrequest_change", args=[request.pk]
    )
    respond_by = staff_respond_by_text(request.respond_by)
    assert staff.subject == (
        f"New consultation request {request.reference} (London Harley St): "
        f"please respond {respond_by}"
    )
    assert staff.from_email == settings.DEFAULT_FROM_EMAIL
    assert staff.reply_to == [settings.BOOKING_STAFF_INBOX]
    assert staff.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Clinic: London Harley St" in staff.body
    assert f"Please respond {respond_by}." in staff.body
    assert admin_url in staff.body
    html, mimetype = staff.alternatives[0]
    assert mimetype == "text/html"
    assert f"Please respond {respond_by}." in html
    assert f'href="{admin_url}"' in html
    assert "Cosmedics Skin Clinics" in html


@pytest.mark.django_db(transaction=True)
def test_staff_email_asks_for_a_reply_by_the_respond_by_time_in_clinic_time(
    settings, mailoutbox, london
):
    settings.TASKS = DATABASE_TASKS
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    later = today + timedelta(days=3)
    clinic_time = timezone.get_default_timezone()
    targets = {
        submit(clinic=london).reference: (
            datetime.combine(today, time(14), clinic_time),
            f"by 14:00 today ({date_format(today, 'l j F')})",
        ),
        submit(clinic=london, email="b@example.com").reference: (
            datetime.combine(tomorrow, time(10), clinic_time),
            f"by 10:00 tomorrow ({date_format(tomorrow, 'l j F')})",
        ),
        submit(clinic=london, email="c@example.com").reference: (
            datetime.combine(later, time(16, 30), clinic_time),
            f"by 16:30 on {date_format(later, 'l j F')}",
        ),
    }
    for reference, (respond_by, _) in targets.items():
        ConsultationRequest.objects.filter(reference=reference).update(respond_by=respond_by)

    run_db_worker()

    staff = [message for message in mailoutbox if message.to == ["london-bookings@clinic.example"]]
    assert len(staff) == 3
    for message in staff:
        reference = re.search(r"CSC-\w+", message.subject).group()
        wording = targets[reference][1]
        assert message.subject.endswith(f": please respond {wording}")
        assert f"Please respond {wording}." in message.body


@pytest.mark.parametrize(
    ("respond_by", "wording"),
    [
        # Tuesday 1 December 2026, 09:00 in London (UTC in winter).
        (datetime(2026, 12, 1, 14, tzinfo=UTC), "by 14:00 today (Tuesday 1 December)"),
        (datetime(2026, 12, 2, 10, tzinfo=UTC), "by 10:00 tomorrow (Wednesday 2 December)"),
        (datetime(2026, 12, 4, 16, tzinfo=UTC), "by 16:00 on Friday 4 December"),
        # Midnight is the end of the day before.
        (datetime(2026, 12, 2, 0, tzinfo=UTC), "by the end of today (Tuesday 1 December)"),
        (datetime(2026, 12, 3, 0, tzinfo=UTC), "by the end of tomorrow (Wednesday 2 December)"),
        (datetime(2026, 12, 8, 0, tzinfo=UTC), "by the end of Monday 7 December"),
        # British Summer Time: 13:00 UTC is 14:00 in London.
        (datetime(2026, 7, 1, 13, tzinfo=UTC), "by 14:00 on Wednesday 1 July"),
        (None, "within one working day"),
    ],
)
def test_staff_respond_by_wording(respond_by, wording):
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert staff_respond_by_text(respond_by, now=now) == wording


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
    assert {re.search(r"\((.*?)\)", subject).group(1) for subject in central} == {
        "No preference",
        "Bristol",
    }


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
    assert f"\n{EMAIL_CONTENTS}\n" in patient.body
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
