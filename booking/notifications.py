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
from functools import partial

from django.db import transaction
from django_tasks_db.backend import DatabaseBackend

from booking import tasks
from booking.models import NOTIFICATION_FIELDS, ConsultationRequest

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
    in_transaction = [f for f in fields if isinstance(TASKS[f].get_backend(), DatabaseBackend)]
    if in_transaction:
        try:
            # A savepoint: a failed insert mustn't abort the transaction that stores the request.
            with transaction.atomic():
                for field in in_transaction:
                    TASKS[field].enqueue(consultation_request.pk)
        except Exception as error:  # noqa: BLE001 - never lose the request for its emails
            _queueing_failed(in_transaction, consultation_request.pk, error)
    for field in fields:
        if field not in in_transaction:
            transaction.on_commit(partial(_enqueue, field, consultation_request.pk))


def _enqueue(field: str, request_id: int) -> None:
    try:
        TASKS[field].enqueue(request_id)
    except Exception as error:  # noqa: BLE001 - the request is stored; show the email as failed
        _queueing_failed([field], request_id, error)


def _queueing_failed(fields, request_id: int, error: Exception) -> None:
    for field in fields:
        logger.error(
            "Could not queue %s email for request id=%s: %s",
            field.removesuffix("_notification"),
            request_id,
            type(error).__name__,
        )
    ConsultationRequest.objects.filter(pk=request_id).update(**dict.fromkeys(fields, State.FAILED))
