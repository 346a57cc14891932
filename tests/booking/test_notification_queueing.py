"""When the booking emails are sent: after the request commits, by a task that holds only its
id, once, and never at the cost of the request itself."""

import pytest
from django.db import connection, transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from booking import notifications, tasks
from booking.models import ConsultationRequest
from booking.services import consultation_request_resend_failed_emails
from tests.booking.notification_helpers import DATABASE_TASKS, EMAIL, run_db_worker, submit
from tests.factories import make_request

pytestmark = pytest.mark.django_db

State = ConsultationRequest.NotificationState


def test_emails_wait_for_the_transaction_to_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit()
        assert mailoutbox == []

    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_request_sends_no_email(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        raise RuntimeError("something after the insert failed")

    assert ConsultationRequest.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_request_queues_tasks_holding_only_its_id(settings, mailoutbox):
    settings.TASKS = DATABASE_TASKS
    request = submit()

    queued = DBTaskResult.objects.order_by("task_path")
    assert [row.task_path for row in queued] == [
        "booking.tasks.send_patient_acknowledgement",
        "booking.tasks.send_staff_notification",
    ]
    for row in queued:
        assert row.args_kwargs == {"args": [request.pk], "kwargs": {}}
    assert mailoutbox == []  # the worker sends them, not the web request

    run_db_worker()

    assert len(mailoutbox) == 2
    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (State.SENT, State.SENT)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_emails_are_queued_with_the_request_or_not_at_all(
    settings,
):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        assert DBTaskResult.objects.count() == 2  # written in the request's transaction
        raise RuntimeError("something after the insert failed")

    assert ConsultationRequest.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


# --- A queue that fails ----------------------------------------------------------------------


def failing_statement(*args, **kwargs):
    # A real failed statement, which aborts a PostgreSQL transaction.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO no_such_task_table VALUES (1)")


def failing_code(*args, **kwargs):
    raise ValueError("the task could not be serialised")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broken_insert", [failing_statement, failing_code])
def test_a_task_that_cannot_be_queued_keeps_the_request_and_marks_both_emails_failed(
    settings, monkeypatch, caplog, broken_insert
):
    """Queueing fails inside the booking's transaction: the savepoint keeps the request."""
    settings.TASKS = DATABASE_TASKS

    monkeypatch.setattr(DatabaseBackend, "_task_to_db_task", broken_insert)
    request = submit()

    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.FAILED,
        State.FAILED,
    )
    assert DBTaskResult.objects.count() == 0
    assert "Could not queue staff email for request id=" in caplog.text
    assert EMAIL not in caplog.text


def test_a_queue_that_cannot_take_the_task_marks_the_email_failed_and_keeps_the_request(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    class BrokenQueue:
        def get_backend(self):
            return tasks.send_staff_notification.get_backend()

        def enqueue(self, *args, **kwargs):
            raise ConnectionError("task queue unavailable")

    monkeypatch.setitem(notifications.TASKS, "staff_notification", BrokenQueue())
    with django_capture_on_commit_callbacks(execute=True):
        request = submit()

    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.FAILED,
        State.SENT,
    )
    assert [message.to for message in mailoutbox] == [[EMAIL]]


# --- Once, and only for a request that still exists ------------------------------------------


def test_a_task_run_twice_sends_one_email(mailoutbox):
    request = make_request()
    tasks.send_patient_acknowledgement.enqueue(request.pk)
    tasks.send_patient_acknowledgement.enqueue(request.pk)

    assert len(mailoutbox) == 1


def test_a_request_deleted_before_the_worker_runs_is_skipped(mailoutbox):
    request = make_request()
    request_id = request.pk
    request.delete()

    result = tasks.send_staff_notification.enqueue(request_id)

    assert result.return_value == "missing"
    assert mailoutbox == []


def test_resending_after_a_failure_sends_again(mailoutbox, django_capture_on_commit_callbacks):
    request = make_request(patient_notification=State.FAILED, staff_notification=State.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        resent = consultation_request_resend_failed_emails(consultation_request=request)

    assert resent == ["patient_notification"]

    assert [message.to for message in mailoutbox] == [[request.email]]
    request.refresh_from_db()
    assert request.patient_notification == State.SENT
