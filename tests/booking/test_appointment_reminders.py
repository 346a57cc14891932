"""The reminder before an appointment: at the right time on London's clocks, exactly once with
the database task backend (restarted or duplicated workers), and never for an appointment
that changed, was cancelled, or whose request was closed, anonymised or erased."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking import tasks
from booking.models import AppointmentEmail, ConsultationRequest
from booking.notifications import reminder_due_at
from booking.services import consultation_request_transition
from tests.booking.appointment_helpers import book, days_ahead, full_clinic, health_request, staff
from tests.booking.notification_helpers import DATABASE_TASKS, run_db_worker

Kind = AppointmentEmail.Kind
State = AppointmentEmail.State
Status = ConsultationRequest.Status
LONDON = ZoneInfo("Europe/London")


def london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("appointment", "reminder_utc"),
    [
        # The clocks go forward on Sunday 29 March 2026: still 10:00 the day before.
        (london(2026, 3, 30, 10), datetime(2026, 3, 29, 9, tzinfo=UTC)),
        # They go back on Sunday 25 October 2026.
        (london(2026, 10, 26, 10), datetime(2026, 10, 25, 10, tzinfo=UTC)),
        # On the day of a change: the same clock time the day before, 23 or 25 hours earlier.
        (london(2026, 3, 29, 10), datetime(2026, 3, 28, 10, tzinfo=UTC)),
        (london(2026, 10, 25, 10), datetime(2026, 10, 24, 9, tzinfo=UTC)),
    ],
)
def test_the_reminder_goes_at_the_same_clock_time_the_day_before(appointment, reminder_utc):
    due = reminder_due_at(appointment)
    assert due == reminder_utc
    assert timezone.localtime(due).hour == 10


def test_reminders_can_be_turned_off(settings):
    settings.BOOKING_REMINDER_HOURS = 0
    assert reminder_due_at(london(2026, 3, 30, 10)) is None


@pytest.fixture
def booking(db):
    clinic = full_clinic()
    return clinic, health_request(clinic), staff()


def reminder_of(request):
    return AppointmentEmail.objects.get(request=request, kind=Kind.REMINDER)


def test_no_reminder_for_a_booking_made_inside_the_reminder_window(booking):
    clinic, request, by = booking
    book(request, by=by, at=timezone.now() + timedelta(hours=5), clinic=clinic)

    assert not AppointmentEmail.objects.filter(kind=Kind.REMINDER).exists()


def test_no_reminder_when_they_are_turned_off(booking, settings):
    settings.BOOKING_REMINDER_HOURS = 0
    clinic, request, by = booking
    book(request, by=by, at=days_ahead(5), clinic=clinic)

    assert not AppointmentEmail.objects.filter(kind=Kind.REMINDER).exists()


def test_the_immediate_backend_never_sends_a_reminder_early(booking, mailoutbox):
    clinic, request, by = booking
    book(request, by=by, at=days_ahead(5), clinic=clinic)

    tasks.send_appointment_email.enqueue(reminder_of(request).pk)  # as a stray task would

    assert [m.subject for m in mailoutbox if m.subject.startswith("Reminder")] == []
    assert reminder_of(request).state == State.PENDING


# --- With the database task backend, as in production ----------------------------------------


def make_due(request):
    """Move the clock on: the reminder and its task are due now."""
    past = timezone.now() - timedelta(seconds=1)
    AppointmentEmail.objects.filter(request=request, kind=Kind.REMINDER).update(due_at=past)
    DBTaskResult.objects.update(run_after=past)


def reminders_in(outbox):
    return [message for message in outbox if message.subject.startswith("Reminder")]


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.mark.django_db(transaction=True)
def test_the_reminder_waits_in_the_queue_until_it_is_due_then_goes_once(database_tasks, mailoutbox):
    clinic = full_clinic()
    request, by = health_request(clinic), staff()
    at = days_ahead(5, 9, 30)
    book(request, by=by, at=at, clinic=clinic)
    reminder = reminder_of(request)
    task_row = DBTaskResult.objects.get(args_kwargs__args=[reminder.pk])
    assert task_row.run_after == reminder.due_at == at - timedelta(hours=24)

    run_db_worker()  # sends the confirmation; the reminder isn't due
    assert len(mailoutbox) == 1
    assert reminders_in(mailoutbox) == []

    make_due(request)
    run_db_worker()
    run_db_worker()

    (sent,) = reminders_in(mailoutbox)
    assert sent.subject.startswith("Reminder: your consultation on ")
    assert "This is a reminder of your appointment." in sent.body
    reminder.refresh_from_db()
    assert reminder.state == State.SENT


@pytest.mark.django_db(transaction=True)
def test_a_duplicated_task_and_a_restarted_worker_send_the_reminder_once(
    database_tasks, mailoutbox
):
    clinic = full_clinic()
    request, by = health_request(clinic), staff()
    book(request, by=by, at=days_ahead(5), clinic=clinic)
    reminder = reminder_of(request)
    # The same email queued twice (two copies of the task, for two workers to find).
    tasks.send_appointment_email.enqueue(reminder.pk)
    make_due(request)

    run_db_worker()
    # A worker that stopped before recording its task as done leaves the task to run again.
    DBTaskResult.objects.update(status="READY", run_after=timezone.now() - timedelta(seconds=1))
    run_db_worker()

    assert len(reminders_in(mailoutbox)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_reminder_a_worker_was_killed_while_sending_is_not_sent_again(database_tasks, mailoutbox):
    clinic = full_clinic()
    request, by = health_request(clinic), staff()
    book(request, by=by, at=days_ahead(5), clinic=clinic)
    make_due(request)
    # Claimed, then the worker died before it could record what happened.
    AppointmentEmail.objects.filter(kind=Kind.REMINDER).update(state=State.SENDING)
    DBTaskResult.objects.update(status="READY")

    run_db_worker()

    assert reminders_in(mailoutbox) == []
    assert reminder_of(request).state == State.SENDING  # staff see it, as docs explain


def rebook(request, by, clinic):
    book(request, by=by, at=days_ahead(6), clinic=clinic)


def cancel(request, by, clinic):
    consultation_request_transition(consultation_request=request, status=Status.CONTACTED, by=by)


def close(request, by, clinic):
    consultation_request_transition(
        consultation_request=request,
        status=Status.CLOSED,
        by=by,
        outcome=ConsultationRequest.Outcome.ATTENDED,
    )


def anonymise(request, by, clinic):
    ConsultationRequest.objects.filter(pk=request.pk).update(
        anonymised_at=timezone.now(), email="", full_name=""
    )


def erase(request, by, clinic):
    request.delete()


def tamper_with_status(request, by, clinic):
    # Changed behind the service's back (no superseding): the send-time check still holds.
    ConsultationRequest.objects.filter(pk=request.pk).update(status=Status.CONTACTED)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (rebook, "superseded by a later change"),
        (cancel, "the appointment was cancelled or the request closed"),
        (close, "the appointment was cancelled or the request closed"),
        (anonymise, "the request emails nobody (spam or anonymised)"),
        (erase, None),
        (tamper_with_status, "the appointment was cancelled or the request closed"),
    ],
)
def test_no_reminder_for_an_appointment_changed_cancelled_closed_or_erased_meanwhile(
    database_tasks, mailoutbox, change, reason
):
    clinic = full_clinic()
    request, by = health_request(clinic), staff()
    book(request, by=by, at=days_ahead(5), clinic=clinic)
    first_reminder = reminder_of(request).pk

    change(request, by, clinic)
    AppointmentEmail.objects.filter(pk=first_reminder).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_db_worker()

    assert reminders_in(mailoutbox) == []
    row = AppointmentEmail.objects.filter(pk=first_reminder).first()
    if reason is None:
        assert row is None
    else:
        assert (row.state, row.state_reason) == (State.NOT_SENT, reason)
