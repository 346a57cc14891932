"""
Background tasks (Django's `django.tasks`) that send the emails about a consultation request
and about its appointment.

Each task takes an id, reads its rows afresh and records the outcome: a request email on the
request (`staff_notification` / `patient_notification`), an appointment email on its
AppointmentEmail row, so staff can see in the admin a patient who never heard back. A send
that fails for a network or SMTP reason is retried with back-off (django.tasks has no retries
of its own): the task marks the email "retrying" and enqueues itself again to run later, up
to BOOKING_EMAIL_MAX_ATTEMPTS attempts, then marks it "failed". Both kinds share that
machinery (`_send`). Nothing here ever raises: a failed email must never lose or roll back
the request.
"""

import logging
import smtplib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone

from booking import emails
from booking.models import AppointmentEmail, ConsultationRequest

logger = logging.getLogger(__name__)

State = ConsultationRequest.NotificationState

# The longest wait between two attempts, however many there are.
MAX_RETRY_DELAY = timedelta(hours=1)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...): 1, 4, 16 min..."""
    seconds = settings.BOOKING_EMAIL_RETRY_BASE_SECONDS * 4 ** (attempt - 1)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


@task
def send_staff_notification(request_id: int, attempt: int = 1) -> str:
    """Tell the clinic's inbox about a new request (reference and admin link only)."""
    return _deliver(send_staff_notification, "staff", request_id, attempt)


@task
def send_patient_acknowledgement(request_id: int, attempt: int = 1) -> str:
    """Tell the patient we have their request, their reference and what happens next."""
    return _deliver(send_patient_acknowledgement, "patient", request_id, attempt)


@task
def send_appointment_email(email_id: int, attempt: int = 1) -> str:
    """Send one AppointmentEmail (confirmation, update, cancellation, reminder...) once."""
    return _deliver_appointment_email(email_id, attempt)


EMAILS = {
    "staff": ("staff_notification", emails.staff_new_request_email),
    "patient": ("patient_notification", emails.patient_acknowledgement_email),
}

# Each kind of appointment email and the function that builds it from its AppointmentEmail.
APPOINTMENT_EMAIL_BUILDERS = {
    AppointmentEmail.Kind.CONFIRMATION: emails.appointment_email,
    AppointmentEmail.Kind.UPDATE: emails.appointment_email,
    AppointmentEmail.Kind.CANCELLATION: emails.appointment_email,
    AppointmentEmail.Kind.REMINDER: emails.appointment_email,
    AppointmentEmail.Kind.CHANGE_REQUEST: emails.appointment_change_request_email,
}


# --- One attempt at one email, whichever kind --------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """
    One attempt at sending one email: what to call it in logs (by reference only), how to
    record its state, and the task and id that try again.
    """

    task: Task
    task_arg: int
    kind: str
    reference: str
    number: int
    record: Callable[..., None]  # record(state, reason="")


def _send(attempt: Attempt, build: Callable) -> str:
    try:
        build().send()
    except smtplib.SMTPRecipientsRefused:
        # The address itself was refused: trying again would not help.
        return _give_up(attempt, "address refused")
    except OSError as error:  # smtplib.SMTPException, refused connections, timeouts
        return _retry_or_give_up(attempt, error)
    except Exception as error:  # noqa: BLE001 - a bug must show as "failed", not "pending"
        # Log where it broke but not the exception's message, which may quote personal data.
        logger.error(
            "Could not build or send %s email for %s: %s\n%s",
            attempt.kind,
            attempt.reference,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        attempt.record(State.FAILED, "could not be built")
        return State.FAILED

    attempt.record(State.SENT)
    logger.info(
        "Sent %s email for %s (attempt %d)", attempt.kind, attempt.reference, attempt.number
    )
    return State.SENT


def _describe(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _give_up(attempt: Attempt, why: str) -> str:
    attempt.record(State.FAILED, why)
    logger.error(
        "Gave up on %s email for %s after attempt %d: %s",
        attempt.kind,
        attempt.reference,
        attempt.number,
        why,
    )
    return State.FAILED


def _retry_or_give_up(attempt: Attempt, error: Exception) -> str:
    max_attempts = settings.BOOKING_EMAIL_MAX_ATTEMPTS
    if attempt.number >= max_attempts:
        return _give_up(attempt, _describe(error))

    delay = retry_delay(attempt.number)
    logger.warning(
        "Could not send %s email for %s (attempt %d of %d: %s); retrying in %ds",
        attempt.kind,
        attempt.reference,
        attempt.number,
        max_attempts,
        _describe(error),
        delay.total_seconds(),
    )
    # Marked before the retry is queued: with the immediate backend the retry runs inside
    # enqueue() and records its own outcome, which must not be overwritten afterwards.
    attempt.record(State.RETRYING, _describe(error))
    retry = attempt.task
    if attempt.task.get_backend().supports_defer:
        retry = attempt.task.using(run_after=timezone.now() + delay)
    # A backend that cannot defer (the immediate one in development and tests) retries at
    # once: no sleeping in a web request, and the attempt limit still bounds it.
    try:
        retry.enqueue(attempt.task_arg, attempt=attempt.number + 1)
    except Exception as enqueue_error:  # noqa: BLE001 - the queue itself is down
        return _give_up(attempt, f"retry not queued ({_describe(enqueue_error)})")
    return State.RETRYING


# --- The emails about a new request ------------------------------------------------------------


def _set_state(request_id: int, field: str, state: str) -> None:
    # An UPDATE of one column: never overwrites what staff changed meanwhile.
    ConsultationRequest.objects.filter(pk=request_id).update(**{field: state})


def _hold_back(request_id: int, field: str) -> bool:
    """
    Record the email as held back ("not sent") unless the request was rescued meanwhile.
    Checked under the row lock the rescue takes too, so either the rescue sees "not sent" and
    queues the email again, or this sees the rescued request and sends it.
    """
    with transaction.atomic():
        current = ConsultationRequest.objects.select_for_update().filter(pk=request_id).first()
        if current is not None and current.may_be_emailed:
            return False
        _set_state(request_id, field, State.NOT_SENT)
        return True


def _deliver(this_task, kind: str, request_id: int, attempt: int) -> str:
    field, build = EMAILS[kind]
    consultation_request = (
        ConsultationRequest.objects.select_related("clinic").filter(pk=request_id).first()
    )
    if consultation_request is None:
        # Deleted (purged spam, say) before the worker got to it: nothing to send.
        logger.info("No %s email: request id=%s no longer exists", kind, request_id)
        return "missing"
    state = getattr(consultation_request, field)
    if state in (State.SENT, State.NOT_SENT):
        # A duplicate run (a worker restarted mid-task) never emails twice.
        return state
    if not consultation_request.may_be_emailed and _hold_back(request_id, field):
        return State.NOT_SENT

    def record(state, reason=""):
        _set_state(request_id, field, state)

    return _send(
        Attempt(this_task, request_id, kind, consultation_request.reference, attempt, record),
        lambda: build(consultation_request),
    )


# --- The emails about an appointment -----------------------------------------------------------


def _claim(email_id: int) -> AppointmentEmail | None:
    """
    Take the email for this run, or None if it isn't this run's to send: already sent,
    being sent by another worker, given up, not due yet, or no longer wanted.

    One conditional UPDATE (waiting or retrying → sending) claims it, so of two workers, or
    two copies of the task, exactly one sends. The request is locked first (the order
    booking.services takes too), and whether the email is still wanted is decided under
    that lock: a change that commits first is seen here, and one that comes after finds the
    email "sending" and leaves it be.
    """
    with transaction.atomic():
        request_id = (
            AppointmentEmail.objects.filter(pk=email_id)
            .values_list("request_id", flat=True)
            .first()
        )
        if request_id is None:
            return None
        consultation_request = (
            ConsultationRequest.objects.select_for_update(of=("self",))
            .select_related("appointment_clinic", "appointment_with")
            .filter(pk=request_id)
            .first()
        )
        claimed = AppointmentEmail.objects.filter(
            pk=email_id,
            state__in=AppointmentEmail.UNSENT_STATES,
            due_at__lte=timezone.now(),
        ).update(state=AppointmentEmail.State.SENDING)
        if not claimed or consultation_request is None:
            return None
        appointment_email = AppointmentEmail.objects.get(pk=email_id)
        appointment_email.request = consultation_request
        reason = appointment_email.reason_not_to_send()
        if reason:
            _record_appointment_email(email_id, AppointmentEmail.State.NOT_SENT, reason)
            logger.info(
                "Did not send %s email for %s: %s",
                appointment_email.kind,
                consultation_request.reference,
                reason,
            )
            return None
    return appointment_email


def _record_appointment_email(email_id: int, state: str, reason: str = "") -> None:
    sent_at = timezone.now() if state == AppointmentEmail.State.SENT else None
    AppointmentEmail.objects.filter(pk=email_id).update(
        state=state, state_reason=reason, sent_at=sent_at
    )


def _deliver_appointment_email(email_id: int, attempt: int) -> str:
    appointment_email = _claim(email_id)
    if appointment_email is None:
        return "not claimed"
    build = APPOINTMENT_EMAIL_BUILDERS[appointment_email.kind]
    return _send(
        Attempt(
            send_appointment_email,
            email_id,
            appointment_email.kind,
            appointment_email.request.reference,
            attempt,
            lambda state, reason="": _record_appointment_email(email_id, state, reason),
        ),
        lambda: build(appointment_email),
    )
