"""
`expire_at`: a view's word that the page it is rendering goes out of date at a given time
(it says "open now", say), so the page cache keeps it no later than that.
"""

from datetime import datetime

_EXPIRES_AT = "_page_cache_expires_at"


def expire_at(request, when: datetime) -> None:
    """Keep the page being rendered for `request` no later than `when` (an aware datetime).

    Called more than once, the earliest time counts. A page whose time has already come is
    not stored at all.
    """
    moment = when.timestamp()  # an instant: no wall-clock comparison across a clock change
    current = request.__dict__.get(_EXPIRES_AT)
    if current is None or moment < current:
        request.__dict__[_EXPIRES_AT] = moment


def expires_at(request) -> float | None:
    """The Unix time the page being rendered goes out of date, or None if it doesn't."""
    return request.__dict__.get(_EXPIRES_AT)
