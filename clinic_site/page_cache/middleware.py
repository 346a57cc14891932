"""`PageCacheMiddleware`: serves stored public pages, and stores the ones views render."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from clinic_site.page_cache import expiry, keys, storage, visitor_values
from clinic_site.page_cache.decorators import STATUS_HEADER

logger = logging.getLogger(__name__)

_ALLOWED_VARY = {"cookie", "accept-encoding"}


class PageCacheMiddleware:
    """
    Serves stored public pages before the rest of the middleware stack runs, and stores the
    pages `cache_public_page` views render. Goes straight after WhiteNoiseMiddleware: the
    middleware above it (health check, security headers, HTTPS redirect) runs for a hit as
    for any response; the rest has already done its part in the stored headers, except what
    differs per visitor, which a hit makes itself (visitor_values.py; the CSRF cookie with
    CsrfViewMiddleware's own methods).

    Skipping the rest is safe because only a request that could never be anything but an
    anonymous visitor's reaches the cache: a GET or HEAD with no cookie but the CSRF cookie
    (no session: no staff, no messages, no two-factor step), for a URL that was rendered as a
    public page. The host is checked against ALLOWED_HOSTS as it would be (the key holds it).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not _may_use_cache(request):
            return self.get_response(request)

        key = keys.lookup_key(request)
        version, entry = storage.lookup(key) if key is not None else (None, None)
        if entry is not None:
            response = self.replay(request, entry)
            if response is not None:
                return response

        response = self.get_response(request)
        if not hasattr(response, "page_cache_refusal"):
            return response  # not a public page
        reason = response.page_cache_refusal or _request_refusal(request, response)
        if reason is None:
            reason = "no content version" if version is None else _store(request, response, version)
        if reason is None:
            response.headers[STATUS_HEADER] = "miss"
        else:
            logger.debug("Not caching %s: %s", request.path, reason)
        return response

    def replay(self, request, entry):
        """The stored page with this visitor's values, or None if the entry can't be used."""
        try:
            _version, headers, content, uses_csrf, paths, uses_nonce, _expires_at = entry
        except (TypeError, ValueError):  # an entry from an older release
            return None
        if uses_csrf or paths:
            # The visitor's CSRF secret, for their token and any value bound to it.
            self.csrf.process_request(request)
        filled = visitor_values.fill_placeholders(
            request, content, headers, uses_csrf=uses_csrf, paths=paths, uses_nonce=uses_nonce
        )
        if filled is None:
            return None
        content, headers = filled
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(content))
        response.headers[STATUS_HEADER] = "hit"
        # Sets the CSRF cookie if this visitor's secret was used (a no-op otherwise).
        self.csrf.process_response(request, response)
        return response


def _may_use_cache(request):
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    # With the CSRF secret in the session, every visitor would need a session: not cacheable.
    if settings.CSRF_USE_SESSIONS:
        return False
    # Any cookie but the CSRF cookie may change the page (a session: a logged-in member of
    # staff, a patient's confirmation; messages; anything added later): such requests skip it.
    return all(name == settings.CSRF_COOKIE_NAME for name in request.COOKIES)


def _request_refusal(request, response):
    """Why this rendering may not be stored for everyone, once the whole stack has run."""
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return "a cookie other than the CSRF cookie was set"
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - _ALLOWED_VARY:
        return "the response varies on " + ", ".join(sorted(vary - _ALLOWED_VARY))
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return "the view wrote to the session (a session cookie would be set)"
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "_queued_messages", None):
        return "the view queued a message"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "logged-in user"
    return None


def _store(request, response, version):
    """Store `response` with placeholders for its per-visitor values; why not, or None."""
    key = keys.storage_key(request, response.page_cache_query)
    if key is None:
        return "the page's host or query can't be keyed"
    expires_at = expiry.expires_at(request)
    if storage.is_past(expires_at):
        return "the page is already out of date"
    # A page that used the CSRF token made CsrfViewMiddleware set (or renew) the cookie.
    uses_csrf = settings.CSRF_COOKIE_NAME in response.cookies
    content, paths, nonce, reason = visitor_values.with_placeholders(
        request, response, uses_csrf=uses_csrf
    )
    if reason is not None:
        return reason
    # Every header as the stack left it (CSP, X-Frame-Options, Vary...), less the ones a hit
    # sets itself. Cookies aren't headers here: a hit sets the CSRF cookie itself.
    headers = [
        (name, value.replace(nonce, visitor_values.NONCE_PLACEHOLDER_TEXT) if nonce else value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", STATUS_HEADER.lower())
    ]
    entry = (version, headers, content, uses_csrf, paths, bool(nonce), expires_at)
    if not storage.store(key, entry, path=request.path):
        return "the cache is unavailable"
    return None
