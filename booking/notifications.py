"""
When the emails about a consultation request are queued, and when they are held back.

Suspected spam emails nobody: its emails are recorded as "not sent" (held back) instead of
queued. A request rescued from spam gets its held-back emails once; one already sent is never
sent again. `ConsultationRequest.may_be_emailed` decides, here and in the task that sends.

Emails are queued inside the caller's transaction, so a rolled-back request sends nothing and
sending never slows down or breaks the patient's form: with the database task backend the task
rows commit with the request; other backends get the tasks when the transaction commits. See
docs/architecture.md.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from booking import tasks
from booking.ics import new_appointment_uid
from booking.models import NOTIFICATION_FIELDS, AppointmentEmail, ConsultationRequest

logger = logging.getLogger(__name__)

State = ConsultationRequest.NotificationState

TASKS = {
    "staff_notification": tasks.send_staff_notification,
    "patient_notification": tasks.send_patient_acknowledgement,
}


def schedule_new_request_notifications(consultation_request: ConsultationRequest) -> None:
    """Queue the staff and patient emails about a new request, or hold them back."""
    _schedule(consultation_request, NOTIFICATION_FIELDS)


def schedule_rescued_request_notifications(consultation_request: ConsultationRequest) -> None:
    """Queue the emails held back while the request was suspected spam."""
    _schedule(consultation_request, consultation_request.notifications_in(State.NOT_SENT))


def schedule_failed_notifications_again(consultation_request: ConsultationRequest) -> list[str]:
    """Queue the request's failed emails again; returns their fields (none for spam)."""
    if not consultation_request.may_be_emailed:
        return []
    failed = consultation_request.notifications_in(State.FAILED)
    _schedule(consultation_request, failed)
    return failed


def _schedule(consultation_request, fields) -> None:
    if not fields:
        return
    if not consultation_request.may_be_emailed:
        _record_states(consultation_request, dict.fromkeys(fields, State.NOT_SENT))
        return
    if any(getattr(consultation_request, field) != State.PENDING for field in fields):
        _record_states(consultation_request, dict.fromkeys(fields, State.PENDING))
    _queue(consultation_request, fields)


def _record_states(consultation_request, states) -> None:
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(**states)
    for field, state in states.items():
        setattr(consultation_request, field, state)


def _queue(consultation_request, fields) -> None:
    _enqueue_with_transaction(
        [
            (TASKS[field], consultation_request.pk, partial(_queueing_failed, [field]))
            for field in fields
        ]
    )


def _queueing_failed(fields, request_id: int, error: Exception) -> None:
    for field in fields:
        logger.error(
            "Could not queue %s email for request id=%s: %s",
            field.removesuffix("_notification"),
            request_id,
            type(error).__name__,
        )
    ConsultationRequest.objects.filter(pk=request_id).update(**dict.fromkeys(fields, State.FAILED))


def _enqueue_with_transaction(jobs) -> None:
    """
    Enqueue each (task, id, failed) so it lives or dies with the caller's transaction:
    with the database backend the task row is written in it (under a savepoint: a failed
    insert mustn't abort the transaction that stores the request), with other backends the
    task is enqueued when it commits. `failed(id, error)` records an email that couldn't be
    queued.
    """
    in_transaction = [job for job in jobs if isinstance(job[0].get_backend(), DatabaseBackend)]
    if in_transaction:
        try:
            with transaction.atomic():
                for queued_task, object_id, _failed in in_transaction:
                    queued_task.enqueue(object_id)
        except Exception as error:  # noqa: BLE001 - never lose the request for its emails
            for _task, object_id, failed in in_transaction:
                failed(object_id, error)
    for job in jobs:
        if job not in in_transaction:
            transaction.on_commit(partial(_enqueue, *job))


def _enqueue(queued_task, object_id: int, failed) -> None:
    try:
        queued_task.enqueue(object_id)
    except Exception as error:  # noqa: BLE001 - the request is stored; show the email as failed
        failed(object_id, error)


# --- Appointment emails ----------------------------------------------------------------------

Kind = AppointmentEmail.Kind
# The reason shown on the emails staff untick "Email the patient about this change" for.
STAFF_CHOSE_NOT_TO_EMAIL = "staff chose not to email"


def appointment_email_kind(current, status, *, outcome="", appointment=(None, None, None)):
    """
    The email a move of `current` to `status` owes the patient, or None. `appointment` is
    the (time, clinic, team member) being booked. Booking sends a confirmation; changing a
    booked time, clinic or team member an update; leaving "booked" a cancellation, unless
    the request closes with what happened at the appointment (attended, did not attend).
    """
    Status = ConsultationRequest.Status
    was_booked = current.status == Status.BOOKED
    if status == Status.BOOKED and not was_booked:
        return Kind.CONFIRMATION
    if status == Status.BOOKED:
        at, clinic, team_member = appointment
        booked = (
            current.appointment_at,
            current.appointment_clinic_id,
            current.appointment_with_id,
        )
        changed = (at, clinic.pk, team_member.pk if team_member else None) != booked
        return Kind.UPDATE if changed else None
    if was_booked and (
        status == Status.CONTACTED
        or (status == Status.CLOSED and outcome not in ConsultationRequest.APPOINTMENT_OUTCOMES)
    ):
        return Kind.CANCELLATION
    return None


def next_appointment_version(current, kind) -> dict:
    """
    The calendar identity the appointment takes with an email of `kind`: a new UID for a
    booking made from scratch, else the same UID (one is made for a booking from before
    UIDs existed) with the SEQUENCE one higher.
    """
    if kind == Kind.CONFIRMATION:
        return {"appointment_uid": new_appointment_uid(), "appointment_sequence": 0}
    return {
        "appointment_uid": current.appointment_uid or new_appointment_uid(),
        "appointment_sequence": current.appointment_sequence + 1,
    }


def reminder_due_at(appointment_at: datetime) -> datetime | None:
    """
    When the reminder goes: BOOKING_REMINDER_HOURS before the appointment on London's
    clocks (24: the same time the day before, whether or not the clocks change between);
    None when reminders are off.
    """
    hours = settings.BOOKING_REMINDER_HOURS
    if hours <= 0:
        return None
    # Arithmetic on an aware time in one zone is wall-clock arithmetic in Python.
    return timezone.localtime(appointment_at) - timedelta(hours=hours)


def schedule_appointment_emails(
    consultation_request: ConsultationRequest, kind: str, *, email_patient: bool = True
) -> list[AppointmentEmail]:
    """
    The emails a booking, rebooking or cancellation writes: the one of `kind`, and for a
    booked time a reminder, unless it would be due already. Without `email_patient` they
    are written as "not sent", so staff see what the patient wasn't told.
    """
    not_sent_because = "" if email_patient else STAFF_CHOSE_NOT_TO_EMAIL
    written = [
        schedule_appointment_email(consultation_request, kind, not_sent_because=not_sent_because)
    ]
    if kind in (Kind.CONFIRMATION, Kind.UPDATE):
        due_at = reminder_due_at(consultation_request.appointment_at)
        if due_at is not None and due_at > timezone.now():
            written.append(
                schedule_appointment_email(
                    consultation_request,
                    Kind.REMINDER,
                    due_at=due_at,
                    not_sent_because=not_sent_because,
                )
            )
    return written


def supersede_appointment_emails(consultation_request: ConsultationRequest) -> None:
    """
    After a change to a booked request, mark its waiting emails about the appointment as
    it was (an earlier version's reminder, say) "not sent", with the reason, so staff see
    they won't go. The task that sends checks the same rule again at send time.
    """
    waiting = consultation_request.appointment_emails.unsent().filter(
        kind__in=AppointmentEmail.BOOKED_KINDS
    )
    for appointment_email in waiting:
        appointment_email.request = consultation_request
        reason = appointment_email.reason_not_to_send()
        if reason:
            AppointmentEmail.objects.filter(
                pk=appointment_email.pk, state__in=AppointmentEmail.UNSENT_STATES
            ).update(state=AppointmentEmail.State.NOT_SENT, state_reason=reason)


def schedule_appointment_email(
    consultation_request: ConsultationRequest,
    kind: str,
    *,
    due_at: datetime | None = None,
    not_sent_because: str = "",
) -> AppointmentEmail:
    """
    Record an email about the request's appointment as it is now (its UID and SEQUENCE) and
    queue it to go at `due_at` (now by default), in the caller's transaction.

    With `not_sent_because`, or for a request that emails nobody, the row is written as
    "not sent" with the reason and nothing is queued, so staff see why. A backend
    that cannot wait (the immediate one in development and tests) is not given an email
    due later: it would send it at once. That email stays "pending"; reminders need the
    database task backend (docs/configuration.md).
    """
    now = timezone.now()
    appointment_email = AppointmentEmail(
        request=consultation_request,
        kind=kind,
        appointment_uid=consultation_request.appointment_uid,
        sequence=consultation_request.appointment_sequence,
        appointment_at=consultation_request.appointment_at,
        created_at=now,
        due_at=due_at or now,
    )
    reason = not_sent_because
    if not consultation_request.may_be_emailed:
        reason = "the request emails nobody (spam or anonymised)"
    if reason:
        appointment_email.state = AppointmentEmail.State.NOT_SENT
        appointment_email.state_reason = reason
    appointment_email.save(force_insert=True)
    if not reason:
        queue_appointment_email(appointment_email)
    return appointment_email


def schedule_failed_appointment_emails_again(consultation_request: ConsultationRequest) -> list:
    """
    Queue again the request's appointment emails that failed and are still wanted; those no
    longer wanted (superseded, cancelled, too late) become "not sent" with the reason.
    Returns the emails queued again.
    """
    queued = []
    for appointment_email in consultation_request.appointment_emails.filter(
        state=AppointmentEmail.State.FAILED
    ):
        appointment_email.request = consultation_request
        reason = appointment_email.reason_not_to_send()
        appointment_email.state = (
            AppointmentEmail.State.NOT_SENT if reason else AppointmentEmail.State.PENDING
        )
        appointment_email.state_reason = reason
        appointment_email.save(update_fields=["state", "state_reason"])
        if not reason:
            queue_appointment_email(appointment_email)
            queued.append(appointment_email)
    return queued


def queue_appointment_email(appointment_email: AppointmentEmail) -> None:
    """Queue the task that sends `appointment_email` when it is due (see above)."""
    send = tasks.send_appointment_email
    if appointment_email.due_at > timezone.now():
        if not send.get_backend().supports_defer:
            logger.info(
                "%s email id=%s waits: the task backend cannot defer",
                appointment_email.kind,
                appointment_email.pk,
            )
            return
        send = send.using(run_after=appointment_email.due_at)
    _enqueue_with_transaction([(send, appointment_email.pk, _appointment_queueing_failed)])


def _appointment_queueing_failed(email_id: int, error: Exception) -> None:
    logger.error("Could not queue appointment email id=%s: %s", email_id, type(error).__name__)
    AppointmentEmail.objects.filter(pk=email_id).update(
        state=AppointmentEmail.State.FAILED, state_reason="could not be queued"
    )
