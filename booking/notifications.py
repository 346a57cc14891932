"""
When the emails about a consultation request are sent.

`booking.services` calls `schedule_new_request_notifications()` inside the transaction that
creates a request. The staff and patient emails are queued only once that transaction commits,
so a rolled-back request never sends an email, and sending (in the task worker, see
`booking.tasks`) never slows down or breaks the patient's form submission.
"""

import logging
from functools import partial

from django.db import transaction

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
    for field in TASKS:
        transaction.on_commit(partial(_enqueue, field, consultation_request.pk))


def resend_notifications(
    consultation_request: ConsultationRequest,
    *,
    fields=NOTIFICATION_FIELDS,
) -> None:
    """Send the given emails again, e.g. after a failed send (for an admin action)."""
    _record_states(consultation_request, dict.fromkeys(fields, State.PENDING))
    for field in fields:
        transaction.on_commit(partial(_enqueue, field, consultation_request.pk))


def _record_states(consultation_request, states) -> None:
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(**states)
    for field, state in states.items():
        setattr(consultation_request, field, state)


def _enqueue(field: str, request_id: int) -> None:
    try:
        TASKS[field].enqueue(request_id)
    except Exception as error:  # noqa: BLE001 - the request is stored; show the email as failed
        logger.error(
            "Could not queue %s email for request id=%s: %s",
            field.removesuffix("_notification"),
            request_id,
            type(error).__name__,
        )
        ConsultationRequest.objects.filter(pk=request_id).update(**{field: State.FAILED})
