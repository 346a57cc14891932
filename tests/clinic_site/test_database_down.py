"""With the database (or Redis) unreachable the site answers 503 with the phone number."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from tests.clinic_site.gunicorn_server import fetch, gunicorn_without_database

pytestmark = pytest.mark.django_db
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


@pytest.mark.slow  # starts gunicorn
def test_gunicorn_with_postgresql_unreachable_answers_503_not_a_traceback(tmp_path):
    with gunicorn_without_database(tmp_path) as (base_url, log_path):
        health = fetch(f"{base_url}/healthz")
        assert health[0] == 503
        assert health[2] == "unavailable\n"

        status, headers, page = fetch(f"{base_url}/")
        assert status == 503, page
        assert headers["Retry-After"] == "120"
        assert "020 7386 0464" in page
        assert "Traceback" not in page
        assert "port 1" not in page

    log_text = log_path.read_text()
    assert "answered 503" in log_text
    # Every line gunicorn and Django wrote is one JSON object.
    for line in log_text.splitlines():
        assert line.startswith("{") and line.endswith("}"), line
