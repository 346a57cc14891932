"""
Background tasks (Django's `django.tasks`) that send the emails about a consultation request.

Each task takes the request's id, reads the row afresh and records the outcome on it
(`staff_notification` / `patient_notification`), so staff can see in the admin a patient who
never heard back. A send that fails for a network or SMTP reason is retried with back-off
(django.tasks has no retries of its own): the task marks the request "retrying" and enqueues
itself again to run later, up to BOOKING_EMAIL_MAX_ATTEMPTS attempts, then marks it "failed".
Nothing here ever raises: a failed email must never lose or roll back the request.
"""

import logging
import smtplib
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from booking import emails
from booking.models import ConsultationRequest

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


EMAILS = {
    "staff": ("staff_notification", emails.staff_new_request_email),
    "patient": ("patient_notification", emails.patient_acknowledgement_email),
}


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
    reference = consultation_request.reference
    state = getattr(consultation_request, field)
    if state in (State.SENT, State.NOT_SENT):
        # A duplicate run (a worker restarted mid-task) never emails twice.
        return state
    if not consultation_request.may_be_emailed and _hold_back(request_id, field):
        return State.NOT_SENT

    try:
        build(consultation_request).send()
    except smtplib.SMTPRecipientsRefused:
        # The address itself was refused: trying again would not help.
        return _give_up(request_id, field, kind, reference, attempt, "address refused")
    except OSError as error:  # smtplib.SMTPException, refused connections, timeouts
        return _retry_or_give_up(this_task, request_id, field, kind, reference, attempt, error)
    except Exception as error:  # noqa: BLE001 - a bug must show as "failed", not "pending"
        # Log where it broke but not the exception's message, which may quote personal data.
        logger.error(
            "Could not build or send %s email for %s: %s\n%s",
            kind,
            reference,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        _set_state(request_id, field, State.FAILED)
        return State.FAILED

    _set_state(request_id, field, State.SENT)
    logger.info("Sent %s email for %s (attempt %d)", kind, reference, attempt)
    return State.SENT


def _describe(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _give_up(request_id, field, kind, reference, attempt, why) -> str:
    _set_state(request_id, field, State.FAILED)
    logger.error("Gave up on %s email for %s after attempt %d: %s", kind, reference, attempt, why)
    return State.FAILED


def _retry_or_give_up(this_task, request_id, field, kind, reference, attempt, error) -> str:
    max_attempts = settings.BOOKING_EMAIL_MAX_ATTEMPTS
    if attempt >= max_attempts:
        return _give_up(request_id, field, kind, reference, attempt, _describe(error))

    delay = retry_delay(attempt)
    logger.warning(
        "Could not send %s email for %s (attempt %d of %d: %s); retrying in %ds",
        kind,
        reference,
        attempt,
        max_attempts,
        _describe(error),
        delay.total_seconds(),
    )
    # Marked before the retry is queued: with the immediate backend the retry runs inside
    # enqueue() and records its own outcome, which must not be overwritten afterwards.
    _set_state(request_id, field, State.RETRYING)
    retry = this_task
    if this_task.get_backend().supports_defer:
        retry = this_task.using(run_after=timezone.now() + delay)
    # A backend that cannot defer (the immediate one in development and tests) retries at
    # once: no sleeping in a web request, and the attempt limit still bounds it.
    try:
        retry.enqueue(request_id, attempt=attempt + 1)
    except Exception as enqueue_error:  # noqa: BLE001 - the queue itself is down
        return _give_up(
            request_id,
            field,
            kind,
            reference,
            attempt,
            f"retry not queued ({_describe(enqueue_error)})",
        )
    return State.RETRYING
