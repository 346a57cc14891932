"""
The one-time token carried by every rendered booking form.

A token is a random nonce, the time the form was shown and a short keyed hash of the
visitor's CSRF secret, signed with the secret key:

    <nonce>.<shown at, ms, base 16>.<visitor>:<signature>

- Bound to the visitor: it is read back only from the browser it was shown to (the one
  holding that CSRF secret). A token from someone else's form reads as no token at all,
  like a forged one.
- Valid for BOOKING_FORM_TOKEN_MAX_AGE seconds; `FormToken.is_expired()` says when it is
  older. What the booking view does with each case: docs/security.md ("Form token").
- The time-trap reads the time shown: a form sent back sooner than BOOKING_MIN_SECONDS is
  flagged as likely spam.
- The double-submit guard uses the nonce: it is stored as ConsultationRequest.submission_token,
  which is unique, so the same rendered form sent twice (double click, back and resubmit)
  creates one request.

For the page cache: the token appears in the HTML only as the value of the form's hidden
`form_token` input and uses only the characters ``A-Z a-z 0-9 - _ . :`` (nothing HTML
escaping changes), so `booking.views.booking_form()` registers it as a per-visitor value and
each visitor served the page from the cache gets ``form_token_for(request)`` in its place,
bound to their own CSRF secret.
"""

import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.middleware.csrf import get_token
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "booking.form-token"
_VISITOR_SALT = "booking.form-token.visitor"
# The visitor part: 16 hex digits of a keyed hash (64 bits, unguessable without the key).
_PAYLOAD = re.compile(
    r"(?P<nonce>[A-Za-z0-9_-]{16,64})\.(?P<ms>[0-9a-f]{1,16})\.(?P<visitor>[0-9a-f]{16})"
)
# Longest token we ever issue, with room to spare; the form field's max_length.
MAX_LENGTH = 200


@dataclass(frozen=True)
class FormToken:
    nonce: str
    issued_at: float  # seconds since the epoch

    def age(self, now: float | None = None) -> float:
        """Seconds since the form was shown (never negative, whatever the clocks say)."""
        return max(0.0, (time.time() if now is None else now) - self.issued_at)

    def is_expired(self, now: float | None = None) -> bool:
        """True once the form was shown more than BOOKING_FORM_TOKEN_MAX_AGE seconds ago."""
        return self.age(now) > settings.BOOKING_FORM_TOKEN_MAX_AGE


def new_form_token(*, csrf_secret: str, issued_at: float | None = None) -> str:
    """
    A fresh signed token for one form shown to the visitor with this CSRF secret.
    `issued_at` is for tests of the time-trap and of expiry.
    """
    if not csrf_secret:
        raise ValueError("A form token is bound to a CSRF secret; there is none.")
    issued = time.time() if issued_at is None else issued_at
    payload = f"{secrets.token_urlsafe(16)}.{int(issued * 1000):x}.{_visitor(csrf_secret)}"
    return signing.Signer(salt=_SALT).sign(payload)


def form_token_for(request) -> str:
    """
    A fresh token for a form shown in the response to `request`: the booking view's, and
    the page cache's `fresh` function for it. The visitor's CSRF secret is established
    first, as `{% csrf_token %}` does, so the response sets the cookie it is bound to.
    """
    return new_form_token(csrf_secret=csrf_secret_for(request))


def csrf_secret_for(request) -> str:
    """The visitor's CSRF secret (from their cookie, or a new one the response will set)."""
    if "CSRF_COOKIE" not in request.META:
        get_token(request)
    return request.META["CSRF_COOKIE"]


def read_form_token(value: str, *, csrf_secret: str | None) -> FormToken | None:
    """
    The token's nonce and time shown, or None if it is missing, malformed or forged, or was
    issued to a visitor other than the one with `csrf_secret` (the request's
    ``request.META.get("CSRF_COOKIE")``, which CsrfViewMiddleware sets for every POST).
    """
    if not value or len(value) > MAX_LENGTH or not csrf_secret:
        return None
    try:
        payload = signing.Signer(salt=_SALT).unsign(value)
    except signing.BadSignature:
        return None
    match = _PAYLOAD.fullmatch(payload)
    if match is None or not constant_time_compare(match["visitor"], _visitor(csrf_secret)):
        return None
    return FormToken(nonce=match["nonce"], issued_at=int(match["ms"], 16) / 1000)


def _visitor(csrf_secret: str) -> str:
    # Keyed: the page shows it, and a plain hash would be a stand-in for the secret itself.
    digest = salted_hmac(_VISITOR_SALT, csrf_secret, algorithm="sha256").hexdigest()
    return digest[:16]
