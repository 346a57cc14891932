"""The production environment from docs/deployment.md passes Django's deployment checks, and
the project's own (clinic_site/checks.py) catch development values left in it."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks

from clinic_site.checks import TAG, is_placeholder_domain

BASE_DIR = Path(__file__).resolve().parents[2]


def production_environment(**overrides):
    """The environment docs/deployment.md documents, with a fresh secret."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        # Read no .env file: a server has only its real environment.
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "www.cosmedics.co.uk",
        "DJANGO_HTTPS": "1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_ADMIN_PATH": "staff-7f3a/",
        "DATABASE_URL": "postgres://clinic:not-a-secret@127.0.0.1:5432/clinic",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://apikey:not-a-secret@smtp.example.com:587",
        "SITE_URL": "https://www.cosmedics.co.uk",
        "DEFAULT_FROM_EMAIL": "Cosmedics Skin Clinics <no-reply@cosmedics.co.uk>",
        "BOOKING_STAFF_INBOX": "bookings@cosmedics.co.uk",
    }
    environment.update(overrides)
    return {name: value for name, value in environment.items() if value is not None}


def manage(*arguments, environment):
    return subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_deploy(**overrides):
    """`manage.py check --deploy --fail-level WARNING` with the production environment."""
    return manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment=production_environment(**overrides),
    )


@pytest.mark.slow  # manage.py in a subprocess
def test_check_deploy_passes_with_the_production_environment():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow  # manage.py in a subprocess
def test_check_deploy_fails_without_https():
    # The same check, proving it can fail: without DJANGO_HTTPS=1 there is no HSTS,
    # no HTTPS redirect and no Secure cookies.
    result = check_deploy(DJANGO_HTTPS=None)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


@pytest.mark.slow  # manage.py in a subprocess
def test_check_deploy_fails_with_the_development_site_url_and_addresses():
    # What a server gets if SITE_URL, DEFAULT_FROM_EMAIL and BOOKING_STAFF_INBOX are forgotten.
    result = check_deploy(SITE_URL=None, DEFAULT_FROM_EMAIL=None, BOOKING_STAFF_INBOX=None)
    assert result.returncode != 0
    assert "(clinic_site.W001) SITE_URL is 'http://127.0.0.1:8000'" in result.stderr
    assert "(clinic_site.W002) SITE_URL is 'http://127.0.0.1:8000'" in result.stderr
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL", "BOOKING_STAFF_INBOX"):
        assert f"(clinic_site.W003) {name} is " in result.stderr


def project_deploy_warnings():
    """The ids and messages of clinic_site's checks, run as `check --deploy --tag clinic_site`
    runs them."""
    messages = run_checks(tags=[TAG], include_deployment_checks=True)
    return [(message.id, message.msg) for message in messages]


@pytest.mark.parametrize(
    ("site_url", "ids"),
    [
        ("https://www.cosmedics.co.uk", []),
        ("http://www.cosmedics.co.uk", ["clinic_site.W002"]),
        ("https://localhost:8443", ["clinic_site.W001"]),
        ("https://www.cosmedics.example", ["clinic_site.W001"]),
        ("http://127.0.0.1:8000", ["clinic_site.W001", "clinic_site.W002"]),
    ],
)
def test_deploy_check_warns_about_a_local_or_plain_http_site_url(settings, site_url, ids):
    settings.SITE_URL = site_url
    settings.DEFAULT_FROM_EMAIL = settings.SERVER_EMAIL = "no-reply@cosmedics.co.uk"
    settings.BOOKING_STAFF_INBOX = "bookings@cosmedics.co.uk"

    assert [id_ for id_, _ in project_deploy_warnings()] == ids


def test_deploy_check_names_each_email_setting_on_a_placeholder_domain(settings):
    settings.SITE_URL = "https://www.cosmedics.co.uk"
    settings.DEFAULT_FROM_EMAIL = "Cosmedics Skin Clinics <no-reply@cosmedics.co.uk>"
    settings.SERVER_EMAIL = "errors@mail.invalid"
    settings.BOOKING_STAFF_INBOX = "bookings@example.com"

    assert project_deploy_warnings() == [
        (
            "clinic_site.W003",
            "SERVER_EMAIL is 'errors@mail.invalid', on a placeholder domain: mail from or to "
            "it is never delivered.",
        ),
        (
            "clinic_site.W003",
            "BOOKING_STAFF_INBOX is 'bookings@example.com', on a placeholder domain: mail from "
            "or to it is never delivered.",
        ),
    ]


@pytest.mark.parametrize(
    ("domain", "placeholder"),
    [
        ("cosmedics.example", True),
        ("clinic.test", True),
        ("mail.invalid", True),
        ("localhost", True),
        ("EXAMPLE.COM", True),
        ("mail.example.org", True),
        ("example.net.", True),
        ("cosmedics.co.uk", False),
        ("myexample.com", False),
        ("example.co.uk", False),
    ],
)
def test_placeholder_domains_are_the_reserved_ones(domain, placeholder):
    assert is_placeholder_domain(domain) is placeholder


def test_no_system_check_is_silenced():
    assert settings.SILENCED_SYSTEM_CHECKS == []


def production_settings(**overrides):
    script = (
        "import json; from django.conf import settings as s; from django.urls import reverse; "
        "print(json.dumps({"
        "'DEBUG': s.DEBUG, 'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, "
        "'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS, "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'SECURE_HSTS_PRELOAD': s.SECURE_HSTS_PRELOAD, "
        "'SECURE_PROXY_SSL_HEADER': s.SECURE_PROXY_SSL_HEADER, "
        "'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, "
        "'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, "
        "'SESSION_COOKIE_NAME': s.SESSION_COOKIE_NAME, 'CSRF_COOKIE_NAME': s.CSRF_COOKIE_NAME, "
        "'SESSION_COOKIE_HTTPONLY': s.SESSION_COOKIE_HTTPONLY, "
        "'SESSION_COOKIE_SAMESITE': s.SESSION_COOKIE_SAMESITE, "
        "'SESSION_EXPIRE_AT_BROWSER_CLOSE': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "'SESSION_ENGINE': s.SESSION_ENGINE, 'CACHE': s.CACHES['default']['BACKEND'], "
        "'REQUIRE_2FA': s.REQUIRE_2FA, 'TRUSTED_PROXY_COUNT': s.TRUSTED_PROXY_COUNT, "
        "'upgrade': s.SECURE_CSP['upgrade-insecure-requests'], "
        "'two_factor_url': reverse('two_factor:verify'), 'admin_url': reverse('admin:index'), "
        "}))"
    )
    result = manage(
        "shell", "--no-imports", "-c", script, environment=production_environment(**overrides)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow  # manage.py in a subprocess
def test_production_settings_are_the_secure_ones():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert values["upgrade"] is True
    assert values["TRUSTED_PROXY_COUNT"] == 1


@pytest.mark.slow  # manage.py in a subprocess
def test_two_factor_is_on_unless_turned_off_and_follows_the_admin_path():
    values = production_settings()
    assert values["REQUIRE_2FA"] is True
    assert values["admin_url"] == "/staff-7f3a/"
    assert values["two_factor_url"] == "/staff-7f3a/two-factor/"

    assert production_settings(DJANGO_REQUIRE_2FA="0")["REQUIRE_2FA"] is False


@pytest.mark.slow  # manage.py in a subprocess
def test_proxy_header_is_only_trusted_when_asked_for():
    values = production_settings(DJANGO_SECURE_PROXY_SSL_HEADER=None)
    assert values["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.parametrize("name", ["Makefile", "scripts/serve"])
def test_make_run_turns_two_factor_off_for_the_local_demo(name):
    assert "DJANGO_REQUIRE_2FA" in (BASE_DIR / name).read_text()
