"""
When the emails about a consultation request are sent.

`booking.services` calls `schedule_new_request_notifications()` inside the transaction that
creates a request. Sending (in the task worker, see `booking.tasks`) never slows down or breaks
the patient's form submission, and a rolled-back request never sends an email:

- With the database task backend (production and `make run`), the two task rows are written
  in that same transaction: they commit with the request or not at all, so no crash between
  the two can lose an email, and a booking is one write to the database, not three.
- Any other backend (tasks run inline in development and tests) is given the tasks when the
  transaction commits.

If queueing fails, the request is kept all the same and the email shows as failed in the
admin, where staff can send it again.
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
    """Queue the staff and patient emails for when the current transaction commits."""
    if consultation_request.status == ConsultationRequest.Status.SPAM:
        # Suspected spam emails nobody: a bot's fake address must not get our mail, and staff
        # see flagged requests in the admin's spam filter instead.
        _record_states(consultation_request, dict.fromkeys(TASKS, State.NOT_SENT))
        return
    _queue(consultation_request, TASKS)


def resend_notifications(
    consultation_request: ConsultationRequest,
    *,
    fields=NOTIFICATION_FIELDS,
) -> None:
    """Send the given emails again, e.g. after a failed send (for an admin action)."""
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
