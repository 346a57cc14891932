"""
Many patients at once: every valid request is stored exactly once, with its own reference.

These tests send real HTTP requests from many threads to pytest-django's live server. Each
simulated patient first loads /book/ (its own CSRF cookie, CSRF token and form token), then all
of them send their forms at the same moment. They run on whatever database DATABASE_URL names:
SQLite by default, PostgreSQL in CI.
"""

import http.client
import re
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from booking.models import ConsultationRequest
from tests.factories import booking_form_data

# Real HTTP requests to the live server (a thread of this process) from many threads.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PATIENTS = 50


@pytest.fixture
def open_doors(settings, live_server):
    """No time-trap and no rate limit: fifty requests from one address in a second is the point.

    Django's test server queues only 10 waiting connections (gunicorn queues 2048), so more
    simultaneous patients would be turned away by the operating system before Django saw
    them; listening again with a longer queue makes the test server behave like production.
    """
    settings.BOOKING_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = "off"
    live_server.thread.httpd.socket.listen(PATIENTS * 2)


class Patient:
    """One browser: its own connection and cookie, a form loaded, then sent."""

    def __init__(self, live_server):
        self.netloc = urllib.parse.urlsplit(live_server.url).netloc

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.netloc, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def load_form(self):
        status, headers, html = self.request("GET", "/book/")
        assert status == 200
        self.cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"])[1]
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        self.form_token = re.search(r'name="form_token" value="([^"]+)"', html)[1]

    def send(self, number):
        data = booking_form_data(
            full_name=f"Patient {number}",
            email=f"patient{number}@example.com",
            form_token=self.form_token,
            csrfmiddlewaretoken=self.csrf,
        )
        status, headers, _html = self.request(
            "POST",
            "/book/",
            body=urllib.parse.urlencode(data),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={self.cookie}",
            },
        )
        return status, headers.get("Location", "")


def send_all_at_once(patients):
    start = threading.Barrier(len(patients))

    def send(numbered):
        number, patient = numbered
        start.wait()
        return patient.send(number)

    with ThreadPoolExecutor(max_workers=len(patients)) as pool:
        return list(pool.map(send, enumerate(patients)))


def test_fifty_simultaneous_requests_are_each_stored_once_with_unique_references(
    live_server, open_doors
):
    patients = [Patient(live_server) for _ in range(PATIENTS)]
    for patient in patients:
        patient.load_form()

    results = send_all_at_once(patients)

    statuses = [status for status, _location in results]
    assert statuses == [302] * PATIENTS
    rows = ConsultationRequest.objects.all()
    assert rows.count() == PATIENTS
    assert len({row.reference for row in rows}) == PATIENTS
    assert {row.email for row in rows} == {f"patient{n}@example.com" for n in range(PATIENTS)}
    assert all(row.status == ConsultationRequest.Status.NEW for row in rows)
    # Each patient was sent to their own confirmation.
    assert len({location for _status, location in results}) == PATIENTS


def test_the_same_form_sent_many_times_at_once_is_stored_once(live_server, open_doors):
    # A frantic multi-click, or a flaky connection resending: one rendered form, many posts.
    first = Patient(live_server)
    first.load_form()
    clicks = [first] * 10

    results = send_all_at_once(clicks)

    assert [status for status, _location in results] == [302] * len(clicks)
    assert ConsultationRequest.objects.count() == 1
    reference = ConsultationRequest.objects.get().reference
    assert all(reference in location for _status, location in results)
