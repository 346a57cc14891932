"""
Per-client limits on consultation requests and on visits to appointment links, counted in
the configured cache.

BOOKING_RATE_LIMIT (and BOOKING_CHANGE_LINK_RATE_LIMIT, in the same syntax) reads
"<count>/<period>": "5/10m" is five requests per client per ten minutes; the period's unit is
s, m, h or d ("10/1h", "100/d"); "off" (or "0") turns it off.

Counts live in the "ratelimit" cache (settings.CACHES), so one limit holds across every
gunicorn worker and server: Redis (RATELIMIT_REDIS_URL, else REDIS_URL under a prefix of its
own), else a database table. docs/deployment.md says how to keep page entries from evicting
them.

The window is fixed (it starts at a multiple of the period), which is simple and cheap; a
client can at most send twice the count across a window boundary.

The client is the site-wide `clinic_site.client_ip.client_ip()`: REMOTE_ADDR, or behind
DJANGO_TRUSTED_PROXY_COUNT reverse proxies the address that many entries from the right of
X-Forwarded-For (the part our own proxies wrote), never the client-written left. IPv6
clients are counted per /64, the block one household or phone is usually given. Addresses
are kept in the cache only as keyed hashes.
"""

import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

from clinic_site.client_ip import client_ip

logger = logging.getLogger(__name__)

_RATE = re.compile(r"\s*(?P<count>\d+)\s*/\s*(?P<number>\d*)\s*(?P<unit>[smhd])\s*", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_OFF = {"off", "0"}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the client may try again, when not allowed


@lru_cache(maxsize=16)
def parse_rate(value: str, setting: str = "BOOKING_RATE_LIMIT") -> Rate | None:
    """Rate(count, seconds) for "5/10m"; None when the limit is off."""
    if value.strip().lower() in _OFF:
        return None
    match = _RATE.fullmatch(value)
    number = int(match["number"] or 1) if match else 0
    if match is None or int(match["count"]) < 1 or number < 1:
        raise ImproperlyConfigured(
            f"{setting}={value!r} is not a rate. Use a count and a period, like "
            '"5/10m" (five per ten minutes), "10/1h" or "100/d", or "off".'
        )
    return Rate(count=int(match["count"]), seconds=number * _UNIT_SECONDS[match["unit"].lower()])


def client_key(request) -> str:
    """A stable, non-reversible key for the client: IPv4 address, or IPv6 /64."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ipaddress.ip_network(f"{ip}/64", strict=False)
    # Keyed with SECRET_KEY: a plain hash of an IPv4 address is reversible by brute force.
    key = salted_hmac("booking.ratelimit", str(ip or address), algorithm="sha256")
    return key.hexdigest()[:24]


def count_booking_attempt(request, *, now: float | None = None) -> Verdict:
    """Count one booking attempt by this client and say whether it is within the limit."""
    return _count(request, "BOOKING_RATE_LIMIT", scope="booking", now=now)


def count_change_link_visit(request, *, now: float | None = None) -> Verdict:
    """Count one visit to (or answer from) an appointment link, genuine or not."""
    return _count(request, "BOOKING_CHANGE_LINK_RATE_LIMIT", scope="appointment-link", now=now)


def _count(request, setting: str, *, scope: str, now: float | None) -> Verdict:
    rate = parse_rate(getattr(settings, setting), setting)
    if rate is None:
        return Verdict(allowed=True)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"{scope}:ratelimit:{client_key(request)}:{rate.seconds}:{window}"
    try:
        count = _increment(key, timeout=rate.seconds + 1)
    except Exception:
        # A cache outage must not cost a patient their booking or their change: let it through.
        logger.exception("Rate limit %s unavailable: the cache did not answer", setting)
        return Verdict(allowed=True)
    if count <= rate.count:
        return Verdict(allowed=True)
    retry_after = max(1, math.ceil((window + 1) * rate.seconds - now))
    return Verdict(allowed=False, retry_after=retry_after)


def _increment(key: str, *, timeout: int) -> int:
    # add() only succeeds for the first attempt in a window; incr() is atomic in Redis and
    # in the database cache (one transaction), so concurrent workers never lose a count.
    counts = caches["ratelimit"]
    if counts.add(key, 1, timeout=timeout):
        return 1
    try:
        return counts.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this is the first attempt of a new window.
        counts.add(key, 1, timeout=timeout)
        return 1
