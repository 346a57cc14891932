"""The booking app's models; each lives in the module named for what it holds."""

from booking.models.appointments import AppointmentEmail
from booking.models.consent_texts import ConsentText
from booking.models.history import RequestEvent, RequestNote
from booking.models.requests import (
    DUPLICATE_WINDOW,
    NOTIFICATION_FIELDS,
    ConsultationRequest,
    ConsultationRequestQuerySet,
)
from booking.models.retention import RetentionRecord
from booking.models.staff import StaffProfile, staff_name

__all__ = [
    "AppointmentEmail",
    "DUPLICATE_WINDOW",
    "NOTIFICATION_FIELDS",
    "ConsentText",
    "ConsultationRequest",
    "ConsultationRequestQuerySet",
    "RequestEvent",
    "RequestNote",
    "RetentionRecord",
    "StaffProfile",
    "staff_name",
]
