"""Security headers on a content page, the form page and an admin page; cookie flags under HTTPS."""

import pytest
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PAGES = {
    "content page": "/",
    "form page": "/book/",
    "admin page": "/admin/login/",
}


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_every_page_sends_a_strict_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200

    policy = csp_directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["script-src"].startswith("'self'")
    assert policy["style-src"].startswith("'self'")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_every_page_sends_the_other_security_headers(client, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_public_pages_carry_no_nonce_so_a_cached_copy_stays_valid(client):
    # The page cache replays a stored page: a nonce in it would not match the next header.
    for path in ("/", "/book/"):
        response = client.get(path)
        assert "nonce-" not in response["Content-Security-Policy"]
        assert "nonce=" not in response.content.decode()


def test_admin_pages_are_kept_out_of_search_engines(client):
    response = client.get(reverse("admin:login"))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Robots-Tag" not in client.get("/")


def test_no_hsts_or_https_redirect_without_https(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


@pytest.fixture
def https_settings(settings):
    """What settings.py sets when DJANGO_HTTPS=1 (test_deploy.py checks that it does)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def test_under_https_plain_http_is_redirected_and_hsts_is_preload_ready(client, https_settings):
    response = client.get("/book/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/book/"

    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_under_https_cookies_are_secure_host_only_and_the_session_httponly(client, https_settings):
    make_staff()
    secure = {"HTTP_X_FORWARDED_PROTO": "https"}
    form = client.get(reverse("admin:login"), **secure)
    csrf_cookie = form.cookies["__Host-csrftoken"]
    assert csrf_cookie["secure"]
    assert csrf_cookie["samesite"] == "Lax"
    assert csrf_cookie["path"] == "/"
    assert not csrf_cookie["domain"]

    response = client.post(
        reverse("admin:login"),
        {
            "username": "reception",
            "password": "pw-not-secret-123",
            "csrfmiddlewaretoken": csrf_cookie.value,
        },
        HTTP_REFERER="https://testserver/admin/login/",
        **secure,
    )
    assert response.status_code == 302
    session_cookie = response.cookies["__Host-sessionid"]
    assert session_cookie["secure"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    assert session_cookie["path"] == "/"
    assert not session_cookie["domain"]
    # Signed out when the browser closes: no Expires or Max-Age.
    assert not session_cookie["expires"]
    assert not session_cookie["max-age"]


def test_staff_sessions_end_after_the_configured_hours_on_the_server(client, settings):
    make_staff()
    client.post(
        reverse("admin:login"),
        {"username": "reception", "password": "pw-not-secret-123"},
    )
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert client.session.get_expire_at_browser_close()
