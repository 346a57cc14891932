"""Staff login lockout (django-axes): N wrong passwords lock out that username from that address."""

import logging
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "pw-not-secret-123"


def attempt(client, password, *, username="reception", address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_wrong_passwords_up_to_the_limit_lock_the_account_out(client, settings):
    make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "wrong-password")
        assert response.status_code == 200  # the login form again, with its error

    response = attempt(client, "wrong-password")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in paused" in page
    assert "wait 30 minutes" in page
    assert "ask a manager" in page
    assert "Traceback" not in page
    assert "reception" not in page  # the username is not repeated back
    assert not re.search(r'>\s*nonce="', page), "a stray nonce attribute printed as text"

    # Even the right password is refused while locked out.
    assert attempt(client, PASSWORD).status_code == 429


def test_lockout_is_for_that_username_from_that_address_only(client, settings):
    make_staff()
    make_staff("manager")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong-password")

    assert attempt(client, PASSWORD, username="manager").status_code == 302
    client.logout()
    assert attempt(client, PASSWORD, address="198.51.100.20").status_code == 302


def test_a_manager_unlocks_a_locked_out_account_with_axes_reset_username(client, settings):
    make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 429

    call_command("axes_reset_username", "reception", verbosity=0)

    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_lockout_ends_after_the_cool_off(client, settings):
    make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )

    assert attempt(client, PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failure_count(client, settings):
    make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong-password").status_code == 200


def test_lockout_counts_the_client_behind_our_proxy_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "reception", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.2",  # the load balancer
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # A colleague behind the same load balancer is not locked out.
    response = client.post(
        reverse("admin:login"),
        {"username": "reception", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302


def test_lockout_logs_name_no_username_or_address(client, settings, caplog):
    make_staff()
    with caplog.at_level(logging.DEBUG):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "wrong-password")

    messages = [record.getMessage() for record in caplog.records]
    assert any("Locking out" in message for message in messages)
    assert not any("reception" in message for message in messages)
    assert not any("203.0.113.7" in message for message in messages)
