"""
The one-time token carried by every rendered booking form.

A token is a random nonce plus the time the form was rendered, signed with the secret key:

    <nonce>.<render time, ms, base 16>:<signature>

- The time-trap reads the render time: a form sent back sooner than BOOKING_MIN_SECONDS is
  flagged as likely spam.
- The double-submit guard uses the nonce: it is stored as ConsultationRequest.submission_token,
  which is unique, so the same rendered form sent twice (double click, back and resubmit)
  creates one request.

For the page cache: the token appears in the HTML only as the value of the form's hidden
`form_token` input and uses only the characters ``A-Z a-z 0-9 - _ . :`` (nothing HTML
escaping changes), so `booking.views.booking_form()` registers it as a per-visitor value and
each visitor served the page from the cache gets ``new_form_token()`` in its place.
"""

import re
import secrets
import time
from dataclasses import dataclass

from django.core import signing

_SALT = "booking.form-token"
_PAYLOAD = re.compile(r"(?P<nonce>[A-Za-z0-9_-]{16,64})\.(?P<ms>[0-9a-f]{1,16})")
# Longest token we ever issue, with room to spare; the form field's max_length.
MAX_LENGTH = 200


@dataclass(frozen=True)
class FormToken:
    nonce: str
    issued_at: float  # seconds since the epoch

    def age(self, now: float | None = None) -> float:
        """Seconds since the form was rendered (never negative, whatever the clocks say)."""
        return max(0.0, (time.time() if now is None else now) - self.issued_at)


def new_form_token(*, issued_at: float | None = None) -> str:
    """A fresh signed token for one rendered form. `issued_at` is for tests of the time-trap."""
    issued = time.time() if issued_at is None else issued_at
    payload = f"{secrets.token_urlsafe(16)}.{int(issued * 1000):x}"
    return signing.Signer(salt=_SALT).sign(payload)


def read_form_token(value: str) -> FormToken | None:
    """The token's nonce and render time, or None if it is missing, malformed or forged."""
    if not value or len(value) > MAX_LENGTH:
        return None
    try:
        payload = signing.Signer(salt=_SALT).unsign(value)
    except signing.BadSignature:
        return None
    match = _PAYLOAD.fullmatch(payload)
    if match is None:
        return None
    return FormToken(nonce=match["nonce"], issued_at=int(match["ms"], 16) / 1000)
