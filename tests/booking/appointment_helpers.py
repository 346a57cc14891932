"""A request full of health details at a clinic whose content is all filled in, and ways to
book it, for the appointment email tests (test_appointment_emails.py, _reminders.py)."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from icalendar import Calendar

from booking.models import ConsultationRequest
from booking.services import consultation_request_transition
from tests.factories import (
    fill_in_clinic,
    make_clinic,
    make_fees_and_terms,
    make_request,
    make_staff,
    make_team_member,
    make_treatment,
)

MESSAGE = "The mole on my left shoulder has grown and bled since the summer"
NOTE_ABOUT_TIMES = "Only after my chemotherapy on Tuesdays"
TREATMENT = "Suspicious mole check"
# What the patient told us about their health: none of it may reach an email.
HEALTH_DETAILS = [MESSAGE, NOTE_ABOUT_TIMES, TREATMENT, "bled", "priority", "Priority"]

FEE_INCLUDES = "A 30-minute consultation with a doctor, with a written treatment plan."
TERMS = "Please give us 48 hours' notice if you need to cancel."
WHAT_TO_BRING = "A list of the medicines you take."


def full_clinic():
    return fill_in_clinic(make_clinic("Bristol"))


def fees():
    return make_fees_and_terms(
        consultation_fee=Decimal("150"),
        consultation_fee_includes=FEE_INCLUDES,
        cancellation_terms=TERMS,
        what_to_bring=WHAT_TO_BRING,
    )


def health_request(clinic, **fields):
    """A request that says all it can about the patient's health."""
    values = {
        "clinic": clinic,
        "treatment": make_treatment(TREATMENT, slug="mole-check"),
        "message": MESSAGE,
        "best_time_to_call": NOTE_ABOUT_TIMES,
        "recent_change": ConsultationRequest.RecentChange.YES,
        "is_clinical_priority": True,
        "status": ConsultationRequest.Status.CONTACTED,
        "email": "zoe@example.com",
    }
    values.update(fields)
    return make_request(**values)


def staff():
    return make_staff("booker", superuser=True)


def days_ahead(days, hour=10, minute=0):
    """A time on London's clocks `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def book(consultation_request, *, by, at, clinic, **options):
    return consultation_request_transition(
        consultation_request=consultation_request,
        status=ConsultationRequest.Status.BOOKED,
        by=by,
        appointment_at=at,
        appointment_clinic=clinic,
        **options,
    )


def calendar_of(message):
    """The attached .ics, parsed, and its content type."""
    (attachment,) = message.attachments
    content = attachment.content
    if isinstance(content, str):
        content = content.encode()
    return Calendar.from_ical(content), attachment.mimetype


def team_member(clinic):
    return make_team_member("Dr Ada Lovelace", role="Consultant dermatologist", clinics=[clinic])
