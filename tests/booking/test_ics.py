"""The calendar file attached to the appointment emails, read back with icalendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from booking.ics import appointment_calendar, new_appointment_uid
from booking.models import AppointmentEmail
from pages.models import Clinic

LONDON = ZoneInfo("Europe/London")
Kind = AppointmentEmail.Kind


def bristol():
    return Clinic(title="Bristol", address="2 Example Road\nClifton", postcode="BS8 1AA")


def parse(kind=Kind.CONFIRMATION, *, at, sequence=0, uid="abc123@clinic.example"):
    data = appointment_calendar(
        uid=uid,
        sequence=sequence,
        kind=kind,
        appointment_at=at,
        clinic=bristol(),
        organizer_email="bristol@clinic.example",
        stamp=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    calendar = Calendar.from_ical(data)
    (event,) = calendar.events
    return calendar, event


def test_a_confirmation_is_a_request_with_every_property_a_calendar_needs(settings):
    settings.BOOKING_APPOINTMENT_MINUTES = 45
    at = datetime(2026, 3, 30, 9, tzinfo=UTC)  # 10:00 in London (summer time)

    calendar, event = parse(at=at, sequence=2)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"] == "-//Cosmedics Skin Clinics//Consultation booking//EN"
    assert calendar["VERSION"] == "2.0"
    assert str(event["UID"]) == "abc123@clinic.example"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event.start == at
    assert event.start.tzinfo.key == "Europe/London"
    assert event.start.astimezone(LONDON).hour == 10
    assert event.end - event.start == timedelta(minutes=45)
    assert event["DTSTAMP"].dt == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert event["SUMMARY"] == "Consultation at Cosmedics Skin Clinics, Bristol"
    assert event["LOCATION"] == "Bristol, 2 Example Road, Clifton, BS8 1AA"
    assert str(event["ORGANIZER"]) == "mailto:bristol@clinic.example"
    assert event["ORGANIZER"].params["CN"] == "Cosmedics Skin Clinics"


def test_the_start_names_london_and_the_file_carries_londons_clock_changes():
    _calendar, event = parse(at=datetime(2026, 10, 26, 10, tzinfo=UTC))
    raw = event.to_ical().decode()

    assert "DTSTART;TZID=Europe/London:20261026T100000" in raw  # winter: London is UTC
    calendar_text = parse(at=datetime(2026, 10, 26, 10, tzinfo=UTC))[0].to_ical().decode()
    (timezone_component,) = Calendar.from_ical(calendar_text).timezones
    assert timezone_component["TZID"] == "Europe/London"
    assert "TZNAME:BST" in calendar_text and "TZNAME:GMT" in calendar_text


def test_a_cancellation_cancels_the_same_event():
    calendar, event = parse(Kind.CANCELLATION, at=datetime(2026, 5, 1, 9, tzinfo=UTC), sequence=3)

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == "abc123@clinic.example"
    assert event["SEQUENCE"] == 3


def test_the_file_names_no_treatment_or_health_detail():
    calendar, _event = parse(at=datetime(2026, 5, 1, 9, tzinfo=UTC))
    text = calendar.to_ical().decode()
    assert "DESCRIPTION" not in text
    assert "ATTENDEE" not in text


@pytest.mark.parametrize("site_url", ["https://www.cosmedics.example", "http://127.0.0.1:8000"])
def test_each_new_booking_gets_a_uid_of_its_own_on_the_sites_host(settings, site_url):
    settings.SITE_URL = site_url
    first, second = new_appointment_uid(), new_appointment_uid()

    assert first != second
    host = site_url.split("//")[1].split(":")[0]
    assert first.endswith(f"@{host}")
    assert len(first.split("@")[0]) == 32
