"""Suspected spam emails nobody; a request staff rescue from spam gets its emails exactly once."""

import importlib
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from booking.models import ConsultationRequest, RequestEvent
from tests.factories import booking_form_data, make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
State = ConsultationRequest.NotificationState
PATIENT = "zoe@example.com"
QUEUE = reverse("admin:booking_consultationrequest_changelist")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.BOOKING_RATE_LIMIT = "off"


def form_token(client):
    """The form token of a booking form shown on /book/ just now."""
    html = client.get(reverse("booking:request_form")).content.decode()
    return re.search(r'<input type="hidden" name="form_token" value="([^"]*)"', html)[1]


def submit_honeypot_filled(client, settings):
    settings.BOOKING_MIN_SECONDS = 0
    data = booking_form_data(form_token=form_token(client), website="https://pills.example")
    response = client.post(reverse("booking:request_form"), data)
    assert response.status_code == 302
    return ConsultationRequest.objects.get()


def submit_too_fast(client, settings):
    settings.BOOKING_MIN_SECONDS = 3
    data = booking_form_data(form_token=form_token(client))
    response = client.post(reverse("booking:request_form"), data)
    assert response.status_code == 302
    return ConsultationRequest.objects.get()


def staff_action(admin_client, action, consultation_request):
    """An action from the admin's queue; spam is listed under the spam filter."""
    query = "?status=spam" if action == "mark_not_spam" else ""
    response = admin_client.post(
        QUEUE + query, {"action": action, "_selected_action": [consultation_request.pk]}
    )
    assert response.status_code == 302


def recipients(outbox):
    return sorted(message.to[0] for message in outbox)


@pytest.mark.parametrize(
    ("flagged_by", "reason"),
    [
        (submit_honeypot_filled, "honeypot field filled in"),
        (submit_too_fast, "sent "),
    ],
)
def test_a_flagged_request_emails_nobody_until_staff_rescue_it_then_both_emails_go_once(
    client,
    admin_client,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
    flagged_by,
    reason,
):
    with django_capture_on_commit_callbacks(execute=True):
        flagged = flagged_by(client, settings)

    assert flagged.status == Status.SPAM
    assert flagged.spam_reason.startswith(reason)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_action(admin_client, "mark_not_spam", flagged)

    flagged.refresh_from_db()
    assert flagged.status == Status.NEW
    assert recipients(mailoutbox) == sorted([settings.BOOKING_STAFF_INBOX, PATIENT])
    assert (flagged.staff_notification, flagged.patient_notification) == (State.SENT, State.SENT)


def test_rescued_flagged_again_and_rescued_again_sends_each_email_once_in_all(
    client, admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flagged = submit_honeypot_filled(client, settings)
        staff_action(admin_client, "mark_not_spam", flagged)
        staff_action(admin_client, "mark_spam", flagged)
        staff_action(admin_client, "mark_not_spam", flagged)

    flagged.refresh_from_db()
    assert flagged.status == Status.NEW
    assert recipients(mailoutbox) == sorted([settings.BOOKING_STAFF_INBOX, PATIENT])


def test_a_real_request_marked_spam_and_back_is_not_emailed_again(
    client, admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.BOOKING_MIN_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("booking:request_form"), booking_form_data())
        stored = ConsultationRequest.objects.get()
        staff_action(admin_client, "mark_spam", stored)
        staff_action(admin_client, "mark_not_spam", stored)

    assert recipients(mailoutbox) == sorted([settings.BOOKING_STAFF_INBOX, PATIENT])


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_sends_a_rescued_request_its_emails_once(
    client, admin_client, settings, mailoutbox
):
    settings.TASKS = DATABASE_TASKS
    flagged = submit_honeypot_filled(client, settings)
    run_worker()
    assert mailoutbox == []

    staff_action(admin_client, "mark_not_spam", flagged)
    assert mailoutbox == []  # the worker sends them, not the admin's request
    run_worker()
    run_worker()

    flagged.refresh_from_db()
    assert recipients(mailoutbox) == sorted([settings.BOOKING_STAFF_INBOX, PATIENT])
    assert (flagged.staff_notification, flagged.patient_notification) == (State.SENT, State.SENT)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_request_marked_spam_before_the_worker_runs_waits_for_rescue(
    client, admin_client, settings, mailoutbox
):
    settings.TASKS = DATABASE_TASKS
    settings.BOOKING_MIN_SECONDS = 0
    client.post(reverse("booking:request_form"), booking_form_data())
    stored = ConsultationRequest.objects.get()
    staff_action(admin_client, "mark_spam", stored)
    run_worker()
    assert mailoutbox == []

    staff_action(admin_client, "mark_not_spam", stored)
    run_worker()

    assert recipients(mailoutbox) == sorted([settings.BOOKING_STAFF_INBOX, PATIENT])


def test_requests_flagged_before_emails_were_held_back_are_emailed_once_rescued(
    admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    flagged = make_request(status=Status.SPAM, spam_reason="honeypot field filled in")
    marked = make_request(status=Status.SPAM, spam_reason="Marked as spam by staff")
    RequestEvent.objects.create(
        request=marked, action=RequestEvent.Action.STATUS, from_status="new", to_status="spam"
    )
    migration = importlib.import_module("booking.migrations.0003_hold_back_spam_emails")
    state = MigrationExecutor(connection).loader.project_state(
        ("booking", "0003_hold_back_spam_emails")
    )

    migration.hold_back_flagged_spam_emails(state.apps, None)

    marked.refresh_from_db()
    assert (marked.staff_notification, marked.patient_notification) == (
        State.PENDING,
        State.PENDING,
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_action(admin_client, "mark_not_spam", flagged)
    assert recipients(mailoutbox) == sorted([settings.BOOKING_STAFF_INBOX, flagged.email])


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
