"""Branded error pages that never show a traceback, a setting or SQL."""

import pytest
from django.db import connection
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.clinic_site.error_urls")]

LEAKS = (
    "Traceback",
    "secret-internal-reason",
    "SELECT",
    "internal_table",
    "10.1.2.3",
    "SECRET_KEY",
    "DEBUG",
    "settings",
    "Exception Value",
    "django.",
)


def assert_branded_and_silent(response, status):
    assert response.status_code == status
    page = response.content.decode()
    assert "Cosmedics" in page
    assert "020 7386 0464" in page
    assert 'href="tel:+442073860464"' in page
    for leak in LEAKS:
        assert leak not in page, f"{leak!r} shown on the {status} page"
    return page


@pytest.fixture
def quiet_client():
    """A client that gets the error page a visitor gets, instead of the exception."""
    return Client(raise_request_exception=False)


def test_unknown_address_gets_the_branded_404(client):
    page = assert_branded_and_silent(client.get("/no-such-page/"), 404)
    assert "can’t find that page" in page


def test_permission_denied_gets_the_branded_403(client):
    page = assert_branded_and_silent(client.get("/test-errors/forbidden/"), 403)
    assert "you can’t see this page" in page


def test_form_sent_without_a_valid_token_gets_the_branded_csrf_page():
    patient = Client(enforce_csrf_checks=True)
    response = patient.post("/book/", {"full_name": "Zoë"})
    page = assert_branded_and_silent(response, 403)
    assert "your form was not sent" in page
    assert "Nothing has been sent" in page
    assert "CSRF" not in page


def test_bad_host_header_gets_the_branded_400(quiet_client):
    response = quiet_client.get("/", HTTP_HOST="attacker.example")
    assert_branded_and_silent(response, 400)


def test_server_error_gets_the_static_500_without_debug_information(quiet_client):
    page = assert_branded_and_silent(quiet_client.get("/test-errors/broken/"), 500)
    assert "Sorry, something went wrong" in page


def test_500_page_renders_without_the_database(quiet_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = quiet_client.get("/test-errors/broken/")
    assert response.status_code == 500


def test_database_outage_in_a_view_gets_the_branded_503(quiet_client):
    response = quiet_client.get("/test-errors/database-gone/")
    page = assert_branded_and_silent(response, 503)
    assert "having a problem" in page
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]


def test_redis_outage_in_a_view_gets_the_branded_503(quiet_client):
    response = quiet_client.get("/test-errors/cache-gone/")
    assert_branded_and_silent(response, 503)
    assert "6379" not in response.content.decode()


def test_503_page_renders_without_the_database(quiet_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = quiet_client.get("/test-errors/database-gone/")
    assert response.status_code == 503


def test_error_pages_keep_the_security_headers(quiet_client):
    for path in ("/no-such-page/", "/test-errors/broken/", "/test-errors/database-gone/"):
        response = quiet_client.get(path)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]


def test_debug_is_off(settings):
    # pytest-django runs with DEBUG off, as production does; the pages above are what
    # visitors see only because of that.
    assert settings.DEBUG is False
    assert connection.settings_dict  # the test database is in use
