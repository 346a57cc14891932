"""The test client, clinics, staff and a failing mail server, shared by the booking tests."""

import smtplib

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend

from tests.factories import TEST_CSRF_SECRET, make_clinic, make_clinic_staff


@pytest.fixture
def client(client):
    """Django's test client with a CSRF cookie, as a browser that was shown a form has: the
    form tokens of booking_form_data() are bound to it."""
    client.cookies[settings.CSRF_COOKIE_NAME] = TEST_CSRF_SECRET
    return client


@pytest.fixture
def bristol():
    return make_clinic("Bristol")


@pytest.fixture
def london():
    # Not just "London": the admin names the time zone, Europe/London, on every page.
    # Its own inboxes: staff emails and the overdue digest go there, replies to the other.
    return make_clinic(
        "London Harley St",
        slug="london",
        city="London",
        notification_email="london-bookings@clinic.example",
        email="london@clinic.example",
    )


@pytest.fixture
def receptionist(bristol):
    return make_clinic_staff("amy", clinics=[bristol], first_name="Amy", last_name="Jones")


@pytest.fixture
def reception_client(client, receptionist):
    client.force_login(receptionist)
    return client


@pytest.fixture
def manager(bristol):
    return make_clinic_staff("max", group="Clinic manager", clinics=[bristol], first_name="Max")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def failing_smtp(monkeypatch):
    """The mail server is down: every send raises, and the attempts are counted."""
    attempts = []

    def send_messages(self, messages):
        attempts.append([message.to[0] for message in messages])
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return attempts
