"""With the database (or Redis) unreachable the site answers 503 with the phone number."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PHONE_LINK = '<a href="tel:+442073860464">020 7386 0464</a>'


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails the way an unreachable PostgreSQL server fails."""

    def refuse(self):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def assert_outage_page(response):
    assert response.status_code == 503
    page = response.content.decode()
    assert PHONE_LINK in page
    assert "Sorry, our website is having a problem" in page
    assert "Traceback" not in page
    assert "5432" not in page
    assert response["Retry-After"] == "120"
    return page


@pytest.mark.parametrize("path", ["/", "/book/", "/treatments/", "/admin/login/"])
def test_pages_answer_503_with_the_phone_number_when_the_database_is_down(
    visitor, database_down, path
):
    assert_outage_page(visitor.get(path))


def test_unknown_address_answers_503_too_when_the_database_is_down(visitor, database_down):
    # The 404 page's footer and the redirects fallback both query the database; that
    # failure happens outside the view, and handler500 turns it into the 503 page.
    assert_outage_page(visitor.get("/no-such-page/"))


def test_booking_post_answers_503_when_the_database_is_down(visitor, database_down):
    assert_outage_page(visitor.post("/book/", {"full_name": "Zoë"}))


def test_outage_is_logged_as_one_line_without_personal_data(visitor, database_down, caplog):
    visitor.get("/book/?email=patient@example.com")
    outage_lines = [r.getMessage() for r in caplog.records if "answered 503" in r.getMessage()]
    assert len(outage_lines) == 1
    assert "OperationalError" in outage_lines[0]
    assert "patient@example.com" not in caplog.text


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - local URL
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.slow  # starts gunicorn
def test_gunicorn_with_postgresql_unreachable_answers_503_not_a_traceback(tmp_path):
    port = free_port()
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # Nothing listens on port 1: every connection is refused at once.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/clinic",
        "WEB_CONCURRENCY": "1",
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "clinic_site.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    health = fetch(f"http://127.0.0.1:{port}/healthz")
                    break
                except (ConnectionError, urllib.error.URLError):
                    assert server.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)

            assert health[0] == 503
            assert health[2] == "unavailable\n"

            status, headers, page = fetch(f"http://127.0.0.1:{port}/")
            assert status == 503, page
            assert headers["Retry-After"] == "120"
            assert "020 7386 0464" in page
            assert "Traceback" not in page
            assert "port 1" not in page
        finally:
            server.terminate()
            server.wait(timeout=30)

    log_text = log_path.read_text()
    assert "answered 503" in log_text
    # Every line gunicorn and Django wrote is one JSON object.
    for line in log_text.splitlines():
        assert line.startswith("{") and line.endswith("}"), line
