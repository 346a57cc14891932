"""Logs as one JSON line per event, gunicorn's settings, the Procfile, the client address rule."""

import json
import logging
import runpy
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands
from django.test import RequestFactory

from clinic_site.client_ip import client_ip
from clinic_site.log_format import JSONLineFormatter

BASE_DIR = Path(__file__).resolve().parents[2]


def record(message, *args, exc_info=None, **extra):
    log_record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, message, args, exc_info
    )
    log_record.__dict__.update(extra)
    return log_record


def test_a_log_record_is_one_json_line():
    line = JSONLineFormatter().format(record("Not Found: %s", "/nope/", status_code=404))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Not Found: /nope/"
    assert entry["status"] == 404
    assert entry["time"].endswith("+00:00")


def test_a_traceback_stays_on_the_line_of_its_error():
    try:
        raise ValueError("boom")
    except ValueError:
        line = JSONLineFormatter().format(record("Internal Server Error", exc_info=sys.exc_info()))
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_only_the_known_fields_are_written():
    # django.request attaches the request (with the patient's POST data) to its records.
    request = RequestFactory().post("/book/", {"email": "zoe@example.com"})
    line = JSONLineFormatter().format(record("Bad Request", request=request, status_code=400))
    assert set(json.loads(line)) == {"time", "level", "logger", "message", "status"}
    assert "zoe@example.com" not in line


def test_django_logs_go_to_stdout_through_the_json_formatter_and_the_redaction_filter():
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    formatter = settings.LOGGING["formatters"][handler["formatter"]]
    assert formatter["()"] == "clinic_site.log_format.JSONLineFormatter"
    assert "redact_personal_data" in handler["filters"]


@pytest.fixture
def gunicorn_config(monkeypatch):
    def load(**environment):
        for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))

    return load


def test_gunicorn_takes_workers_threads_and_timeout_from_the_environment(gunicorn_config):
    defaults = gunicorn_config()
    assert (defaults["workers"], defaults["threads"], defaults["timeout"]) == (2, 1, 30)

    config = gunicorn_config(WEB_CONCURRENCY="5", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="60")
    assert (config["workers"], config["threads"], config["timeout"]) == (5, 4, 60)
    assert config["graceful_timeout"] == 20


def test_gunicorn_access_log_goes_to_stdout_without_query_strings_or_addresses(gunicorn_config):
    config = gunicorn_config()
    assert config["accesslog"] == "-"
    log_format = config["access_log_format"]
    # %(U)s is the path alone; %(q)s, %(r)s and %(f)s carry query strings, %(h)s the address.
    assert "%(U)s" in log_format
    for atom in ("%(q)s", "%(r)s", "%(f)s", "%(h)s", "%(a)s", "%({"):
        assert atom not in log_format
    handler = config["logconfig_dict"]["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert config["control_socket_disable"] is True


def test_procfile_runs_the_web_server_the_task_worker_and_migrations_on_release():
    lines = dict(
        line.split(": ", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines() if line
    )
    assert lines["web"] == (
        "gunicorn clinic_site.wsgi --config gunicorn.conf.py --bind 0.0.0.0:$PORT"
    )
    assert lines["worker"] == "python manage.py db_worker"
    assert lines["release"] == (
        "python manage.py migrate --noinput && python manage.py createcachetable"
    )
    assert "db_worker" in get_commands()


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        (0, "203.0.113.7", "", "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy: header ignored
        (1, "10.0.0.2", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.2", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # forged left part ignored
        (2, "10.0.0.3", "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "10.0.0.3", "203.0.113.7", "10.0.0.3"),  # fewer hops than proxies: the peer
    ],
)
def test_client_address_is_read_behind_the_trusted_number_of_proxies(
    settings, proxies, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected
