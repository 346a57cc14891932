"""
The link in every appointment email to the page where the patient asks to cancel or change.

Whoever holds the link can use it, without logging in, so it is signed (with a salt of its
own) and says only which request and which appointment it was made for: the request's id and
its appointment's calendar UID. The UID is new for each booking made from scratch, so a link
from a booking that was cancelled (and perhaps booked again later) no longer works, while a
rebooked appointment (same UID, higher SEQUENCE) shows its current time. The link works until
the appointment's time; docs/security.md says what it reveals.
"""

from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from booking.models import ConsultationRequest

_SALT = "booking.appointment_change"


class LinkState(Enum):
    CURRENT = "current"  # the appointment is booked and still to come
    PASSED = "passed"  # the appointment's time has come
    GONE = "gone"  # cancelled, booked afresh, closed, spam, anonymised or deleted


@dataclass(frozen=True)
class AppointmentLink:
    state: LinkState
    # Only for a current appointment: nothing is shown about any other.
    consultation_request: ConsultationRequest | None = None


def appointment_change_token(consultation_request: ConsultationRequest) -> str:
    """The signed part of the link: the request's id and its appointment's UID."""
    if not consultation_request.appointment_uid:
        raise ValueError(f"Request {consultation_request.pk} has no appointment to link to")
    return signing.dumps(
        [consultation_request.pk, consultation_request.appointment_uid], salt=_SALT
    )


def appointment_change_url(consultation_request: ConsultationRequest) -> str:
    token = appointment_change_token(consultation_request)
    return settings.SITE_URL + reverse("booking:appointment_change", args=[token])


def appointment_for_token(token: str, *, now=None) -> AppointmentLink | None:
    """
    What the link with `token` leads to; None for a token this site never made (tampered,
    truncated, made up), which should look like any other missing page.
    """
    try:
        request_id, uid = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    consultation_request = (
        ConsultationRequest.objects.select_related("appointment_clinic")
        .prefetch_related("appointment_clinic__opening_hours")
        .filter(pk=request_id)
        .first()
    )
    if (
        consultation_request is None
        or consultation_request.status != ConsultationRequest.Status.BOOKED
        or consultation_request.anonymised_at is not None
        or not uid
        or consultation_request.appointment_uid != uid
        or consultation_request.appointment_at is None
    ):
        return AppointmentLink(LinkState.GONE)
    if consultation_request.appointment_at <= (now or timezone.now()):
        return AppointmentLink(LinkState.PASSED)
    return AppointmentLink(LinkState.CURRENT, consultation_request)
