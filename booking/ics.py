"""
The calendar file (iCalendar, RFC 5545) attached to the appointment emails, so the patient's
calendar shows the appointment and follows it when it moves or is cancelled.

Each booking made from scratch has its own UID; every change or cancellation sends the same
UID with a higher SEQUENCE, which calendars read as "this replaces what you had". The start
is local London time with its VTIMEZONE, so the entry stays right across the clock changes.
Like the emails, the file names no treatment and no health detail: only the clinic.
"""

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from booking.models import AppointmentEmail
from pages.models import Clinic

PRODUCT_ID = "-//Cosmedics Skin Clinics//Consultation booking//EN"
# The calendar's CANCEL method and its event status; REQUEST for everything else.
CANCELLING_KINDS = (AppointmentEmail.Kind.CANCELLATION,)


def new_appointment_uid() -> str:
    """A UID for a new booking: random, then the site's host name, as RFC 5545 suggests."""
    return f"{uuid.uuid4().hex}@{urlsplit(settings.SITE_URL).hostname}"


def event_summary(clinic) -> str:
    return f"Consultation at {settings.CLINIC_NAME}, {clinic.title}"


def event_location(clinic) -> str:
    return ", ".join(
        part for part in (clinic.title, *clinic.address_lines, clinic.postcode) if part
    )


def appointment_calendar(
    *,
    uid: str,
    sequence: int,
    kind: str,
    appointment_at: datetime,
    clinic: Clinic,
    organizer_email: str,
    stamp: datetime | None = None,
) -> bytes:
    """The .ics file for one version (`uid`, `sequence`) of an appointment, as bytes."""
    start = timezone.localtime(appointment_at)
    cancelling = kind in CANCELLING_KINDS
    event = Event.new(
        uid=uid,
        sequence=sequence,
        start=start,
        end=start + timedelta(minutes=settings.BOOKING_APPOINTMENT_MINUTES),
        stamp=stamp or timezone.now(),
        summary=event_summary(clinic),
        location=event_location(clinic),
        organizer=vCalAddress(f"mailto:{organizer_email}"),
        status="CANCELLED" if cancelling else "CONFIRMED",
    )
    event.organizer.params["CN"] = settings.CLINIC_NAME
    calendar = Calendar.new(
        prodid=PRODUCT_ID, method="CANCEL" if cancelling else "REQUEST", subcomponents=[event]
    )
    # The London zone's rules for the year around the appointment, not every year since 1970.
    calendar.add_missing_timezones(
        first_date=start.date() - timedelta(days=366), last_date=start.date() + timedelta(days=366)
    )
    return calendar.to_ical()
