"""
The logs never hold the signed part of a confirmation link (whoever has the link sees the
page): not gunicorn's access log, not Django's request warnings. Run through the real
formatter and filter, and through a real gunicorn.
"""

import json
import logging
import runpy
import secrets
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings

from booking.models import ConsultationRequest
from booking.views import confirmation_url
from clinic_site.log_format import JSONLineFormatter
from clinic_site.logging_filters import RedactPersonalData, redact
from tests.clinic_site.gunicorn_server import fetch, gunicorn_without_database
from tests.factories import make_request

BASE_DIR = Path(__file__).resolve().parents[2]
REDACTED = "/book/thank-you/<redacted>/"


def signed_part(url):
    return url.removeprefix("/book/thank-you/").removesuffix("/")


def a_confirmation_url(reference="CSC-7K3M9Q"):
    return confirmation_url(ConsultationRequest(reference=reference))


def through_handler(record, *, config):
    """The line the configured stdout handler writes for `record`: its filters, then its
    formatter, as `config` (a logging dictConfig) sets them up."""
    handler = config["handlers"]["stdout"]
    for name in handler["filters"]:
        assert config["filters"][name]["()"] == "clinic_site.logging_filters.RedactPersonalData"
        RedactPersonalData().filter(record)
    assert config["formatters"][handler["formatter"]]["()"].endswith(".JSONLineFormatter")
    return JSONLineFormatter().format(record)


def test_redact_replaces_the_signed_part_of_a_confirmation_link():
    url = a_confirmation_url()
    assert redact(f"GET {url} 200 2345 12ms") == f"GET {REDACTED} 200 2345 12ms"
    assert redact(f"Not Found: {url}") == f"Not Found: {REDACTED}"
    # Without the trailing slash (before Django's redirect adds it) and as a full address.
    assert redact(f"GET {url[:-1]} 301") == "GET /book/thank-you/<redacted> 301"
    assert redact(f"https://clinic.example{url}") == f"https://clinic.example{REDACTED}"


def test_redact_leaves_other_paths_alone():
    for text in ("GET /book/ 200", "GET /book/thank-you/ 404", "GET /treatments/moles/ 200"):
        assert redact(text) == text


def test_the_gunicorn_access_line_for_a_confirmation_page_holds_no_signed_part():
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    url = a_confirmation_url()
    atoms = {"m": "GET", "U": url, "s": "200", "B": "5120", "M": "12"}
    # As gunicorn's Logger.access() logs it: the configured format, the atoms as arguments.
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, config["access_log_format"], (atoms,), None
    )

    line = through_handler(record, config=config["logconfig_dict"])

    assert json.loads(line)["message"] == f"GET {REDACTED} 200 5120 12ms"
    assert signed_part(url) not in line


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "warning"), [("expired", 410, "Gone"), ("unknown", 404, "Not Found")]
)
def test_djangos_warning_for_a_confirmation_link_holds_no_signed_part(
    client, caplog, kind, status, warning
):
    stored = make_request()
    if kind == "expired":
        two_days_ago = time.time() - 2 * 24 * 60 * 60
        with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
            url = confirmation_url(stored)
    else:
        url = confirmation_url(stored)
        stored.delete()
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    try:
        response = client.get(url)
    finally:
        django_logger.removeHandler(caplog.handler)

    (record,) = [record for record in caplog.records if record.name == "django.request"]
    line = through_handler(record, config=settings.LOGGING)

    assert response.status_code == status
    assert json.loads(line)["message"] == f"{warning}: {REDACTED}"
    assert signed_part(url) not in line


@pytest.mark.slow  # starts gunicorn
def test_gunicorns_access_log_holds_no_signed_part_of_a_confirmation_link(tmp_path):
    secret_key = secrets.token_urlsafe(50)
    with override_settings(SECRET_KEY=secret_key):
        url = a_confirmation_url()  # one the server takes as genuine

    # Without a database the page answers 503; the access line is written all the same.
    with gunicorn_without_database(tmp_path, secret_key=secret_key) as (base_url, log_path):
        status, _headers, _page = fetch(base_url + url)

    log_text = log_path.read_text()
    assert status == 503
    assert f"GET {REDACTED} 503" in log_text
    assert signed_part(url) not in log_text
