"""A mail server that is down or refuses an address: retried with growing delays, shown as
failed when it gives up, and logged by reference only."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking import tasks
from booking.models import ConsultationRequest
from tests.booking.notification_helpers import (
    DATABASE_TASKS,
    EMAIL,
    MESSAGE,
    NAME,
    run_db_worker,
    submit,
)
from tests.factories import make_request

pytestmark = pytest.mark.django_db

State = ConsultationRequest.NotificationState


def test_smtp_failure_is_retried_then_sent(monkeypatch, mailoutbox):
    original = EmailBackend.send_messages
    failures = iter([True, True])

    def flaky(self, messages):
        if next(failures, False):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    request = make_request()

    tasks.send_staff_notification.enqueue(request.pk)

    assert len(mailoutbox) == 1
    request.refresh_from_db()
    assert request.staff_notification == State.SENT


def test_smtp_down_keeps_the_request_and_shows_the_emails_as_failed(
    settings, failing_smtp, mailoutbox, django_capture_on_commit_callbacks, admin_client
):
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        request = submit()

    assert ConsultationRequest.objects.filter(pk=request.pk).exists()
    assert sorted(failing_smtp) == [["bookings@cosmedics.example"]] * 3 + [[EMAIL]] * 3
    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.FAILED,
        State.FAILED,
    )
    page = admin_client.get(
        reverse("admin:booking_consultationrequest_change", args=[request.pk])
    ).content.decode()
    assert "Failed" in page


def test_a_refused_address_fails_at_once_without_retrying(monkeypatch, mailoutbox):
    attempts = []

    def refuse(self, messages):
        attempts.append(1)
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    request = make_request()

    tasks.send_patient_acknowledgement.enqueue(request.pk)

    assert attempts == [1]
    request.refresh_from_db()
    assert request.patient_notification == State.FAILED


def test_a_broken_template_marks_the_email_failed_instead_of_leaving_it_pending(monkeypatch):
    def broken(consultation_request):
        raise ValueError("template bug")

    monkeypatch.setitem(tasks.EMAILS, "staff", ("staff_notification", broken))
    request = make_request()

    tasks.send_staff_notification.enqueue(request.pk)

    request.refresh_from_db()
    assert request.staff_notification == State.FAILED


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_failed_send_is_retried_later_by_the_worker(
    settings, monkeypatch, failing_smtp, mailoutbox
):
    settings.TASKS = DATABASE_TASKS
    settings.BOOKING_EMAIL_RETRY_BASE_SECONDS = 60
    request = make_request()
    before = timezone.now()

    tasks.send_staff_notification.call(request.pk)

    request.refresh_from_db()
    assert request.staff_notification == State.RETRYING
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": [request.pk], "kwargs": {"attempt": 2}}
    assert before + timedelta(seconds=59) < retry.run_after < timezone.now() + timedelta(seconds=61)

    # Not due yet: the worker leaves it alone.
    run_db_worker()
    assert len(failing_smtp) == 1

    # The server is back and the minute has passed.
    monkeypatch.undo()
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_db_worker()

    request.refresh_from_db()
    assert request.staff_notification == State.SENT
    assert len(mailoutbox) == 1


def test_retry_delays_grow_and_are_capped(settings):
    settings.BOOKING_EMAIL_RETRY_BASE_SECONDS = 60
    delays = [tasks.retry_delay(attempt).total_seconds() for attempt in range(1, 6)]
    assert delays == [60, 240, 960, 3600, 3600]


def test_failure_logs_name_the_reference_only(settings, failing_smtp, caplog):
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 2
    request = make_request(full_name=NAME, email=EMAIL, message=MESSAGE)

    with caplog.at_level("INFO"):
        tasks.send_patient_acknowledgement.enqueue(request.pk)

    messages = [record.getMessage() for record in caplog.records if record.name == "booking.tasks"]
    assert any(request.reference in message and "retrying" in message for message in messages)
    assert any("Gave up" in message for message in messages)
    for message in messages:
        assert EMAIL not in message
        assert NAME not in message
