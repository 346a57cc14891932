"""
The booking rate limit: a client sending more than BOOKING_RATE_LIMIT requests in a window
gets a 429 with the phone number. Counted per client address (a forged X-Forwarded-For
changes nothing; IPv6 per /64) in the "ratelimit" cache, where page entries can't push the
counts out; a cache outage never costs a booking.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from booking import ratelimit
from booking.models import ConsultationRequest
from tests.factories import booking_form_data

pytestmark = pytest.mark.django_db


def test_the_rate_limit_answers_429_with_the_phone_number_and_stores_nothing(client, settings):
    settings.BOOKING_RATE_LIMIT = "2/10m"
    assert client.post("/book/", booking_form_data()).status_code == 302
    assert client.post("/book/", booking_form_data()).status_code == 302
    response = client.post("/book/", booking_form_data())
    html = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "Your request has not been sent" in html
    assert 'href="tel:+442073860464"' in html
    assert '<header class="site-header">' in html  # the branded page, not a bare error
    assert "no-store" in response["Cache-Control"]
    assert ConsultationRequest.objects.count() == 2


def test_forms_with_problems_do_not_use_up_the_limit(client, settings):
    # A patient struggling with a phone number must not be locked out by their own typos.
    settings.BOOKING_RATE_LIMIT = "1/10m"
    for _ in range(5):
        assert client.post("/book/", booking_form_data(phone="123")).status_code == 200
    assert client.post("/book/", booking_form_data()).status_code == 302


def test_the_rate_limit_is_per_client(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    assert client.post("/book/", booking_form_data(), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post("/book/", booking_form_data(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post("/book/", booking_form_data(), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    settings.TRUSTED_PROXY_COUNT = 0
    client.post("/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = client.post("/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert (
        client.post(
            "/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.1", **proxy
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="other, 198.51.100.1", **proxy
        ).status_code
        == 429
    )


def test_ipv6_clients_are_counted_per_64_block(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    client.post("/book/", booking_form_data(), REMOTE_ADDR="2001:db8:1:2::1")
    same_block = client.post("/book/", booking_form_data(), REMOTE_ADDR="2001:db8:1:2:ffff::9")
    other_block = client.post("/book/", booking_form_data(), REMOTE_ADDR="2001:db8:1:3::1")
    assert same_block.status_code == 429
    assert other_block.status_code == 302


def test_a_double_click_on_the_last_allowed_request_shows_its_confirmation_not_429(
    client, settings
):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    data = booking_form_data()
    first = client.post("/book/", data)
    second = client.post("/book/", data)
    assert second.status_code == 302
    assert second["Location"].split(":")[0] == first["Location"].split(":")[0]
    assert ConsultationRequest.objects.count() == 1


def test_the_limit_can_be_turned_off(client, settings):
    settings.BOOKING_RATE_LIMIT = "off"
    for _ in range(8):
        assert client.post("/book/", booking_form_data()).status_code == 302


def test_the_limit_window_resets_and_retry_after_counts_down(rf, settings):
    settings.BOOKING_RATE_LIMIT = "2/10m"
    request = rf.post("/book/")
    start = 6000.0 * 1000  # the start of a ten-minute window
    assert ratelimit.count_booking_attempt(request, now=start).allowed
    assert ratelimit.count_booking_attempt(request, now=start + 1).allowed
    verdict = ratelimit.count_booking_attempt(request, now=start + 100)
    assert not verdict.allowed
    assert verdict.retry_after == 500
    assert ratelimit.count_booking_attempt(request, now=start + 600).allowed


def test_the_count_is_kept_in_the_shared_cache_under_a_hashed_key(rf, settings):
    settings.BOOKING_RATE_LIMIT = "5/10m"
    request = rf.post("/book/", REMOTE_ADDR="192.0.2.77")
    ratelimit.count_booking_attempt(request, now=600.0)
    ratelimit.count_booking_attempt(request, now=601.0)
    key = f"booking:ratelimit:{ratelimit.client_key(request)}:600:1"
    assert caches["ratelimit"].get(key) == 2
    assert "192.0.2.77" not in key


def test_a_flood_of_cached_pages_cannot_push_out_the_rate_limit_counts(rf, settings):
    settings.BOOKING_RATE_LIMIT = "5/10m"
    request = rf.post("/book/", REMOTE_ADDR="192.0.2.78")
    ratelimit.count_booking_attempt(request, now=600.0)

    # More entries than the local-memory page cache holds (300): it evicts, counts stay.
    caches["default"].set_many({f"page-{number}": "x" for number in range(400)})

    key = f"booking:ratelimit:{ratelimit.client_key(request)}:600:1"
    assert caches["ratelimit"].get(key) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("environment", "counts_server"),
    [
        ({"REDIS_URL": "redis://pages:6379/0"}, "redis://pages:6379/0"),
        (
            {"REDIS_URL": "redis://pages:6379/0", "RATELIMIT_REDIS_URL": "redis://counts:6379/0"},
            "redis://counts:6379/0",
        ),
        ({"RATELIMIT_REDIS_URL": "redis://counts:6379/0"}, "redis://counts:6379/0"),
    ],
    ids=["shared", "own-server", "own-server-without-page-redis"],
)
def test_the_counts_can_have_a_redis_server_of_their_own(environment, counts_server):
    """There page entries can never evict them (docs/deployment.md)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name not in {"REDIS_URL", "RATELIMIT_REDIS_URL"}
    }
    env.update(DJANGO_ENV_FILE="", DJANGO_DEBUG="1", **environment)
    script = (
        "from clinic_site.settings import CACHES; "
        "print(CACHES['ratelimit']['LOCATION'], CACHES['ratelimit']['KEY_PREFIX'])"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == [counts_server, "clinic-ratelimit"]


def test_a_cache_outage_never_stops_a_booking(client, settings, monkeypatch):
    settings.BOOKING_RATE_LIMIT = "1/10m"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["ratelimit"], "add", broken)
    assert client.post("/book/", booking_form_data()).status_code == 302
    assert client.post("/book/", booking_form_data()).status_code == 302


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("5/10m", ratelimit.Rate(5, 600)),
        ("10/1h", ratelimit.Rate(10, 3600)),
        ("10/h", ratelimit.Rate(10, 3600)),
        ("100/d", ratelimit.Rate(100, 86400)),
        (" 3 / 30S ", ratelimit.Rate(3, 30)),
        ("off", None),
        ("OFF", None),
        ("0", None),
    ],
)
def test_rate_settings_are_read_as_count_per_period(value, rate):
    assert ratelimit.parse_rate(value) == rate


@pytest.mark.parametrize("value", ["five", "5", "5/", "5/10", "0/10m", "5/0m", "5/10y", "-1/1h"])
def test_a_mistyped_rate_setting_is_refused_clearly(value):
    with pytest.raises(ImproperlyConfigured, match="BOOKING_RATE_LIMIT"):
        ratelimit.parse_rate(value)
