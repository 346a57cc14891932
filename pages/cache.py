"""
Whole-page cache for public content pages that carry the booking form.

Why not Django's `cache_page`
-----------------------------
Every article, treatment and clinic page carries the booking form, and the form carries values
that belong to one visitor:

- the CSRF token from `{% csrf_token %}`: a freshly masked copy of the secret in the visitor's
  `csrftoken` cookie (`django.middleware.csrf.get_token`);
- the booking form's one-time token (`booking.tokens.new_form_token()`): a random nonce (the
  double-submit guard) and the time the form was shown (the time-trap);
- the CSP nonce, if a template ever uses one.

Cached whole, a page would hand the first visitor's values to everyone: a new visitor has no
cookie matching the cached CSRF token, so submitting the form answers 403, and every visitor
would share one form token (one request stored for all of them, every later one a "duplicate").
`cache_page` avoids that by not storing a response that sets a cookie for a cookie-less request
and by keying on `Vary: Cookie`, which in practice means first-time visitors, the ones a fast
page is for, never get a cached page.

How this cache works
--------------------
Views mark their pages as public with `cache_public_page`; `PageCacheMiddleware`, straight after
WhiteNoise in MIDDLEWARE, stores and serves them. For a GET or HEAD from a visitor who carries
no cookie except `csrftoken` (so no session: staff, and anyone with per-visitor state, always
get a freshly rendered page that is never stored):

1. It looks up the page by its absolute URL, together with the content version (below), in the
   default cache: at most one round trip to Redis (`get_many`), usually none.
2. On a miss the rest of the stack and the view run as usual; the visitor gets that response.
   Before storing a copy (with every header the stack gave it), it swaps the per-visitor
   values in the HTML for placeholders:
   - every 64-character string that unmasks to this request's CSRF secret (so it finds each
     `{% csrf_token %}`, however many forms the page has, and nothing else);
   - `request.booking_form_token`, which the booking view leaves on the request when it renders
     a form (a page whose token can't be found is not stored);
   - the CSP nonce, if the page used one (in the HTML and in the Content-Security-Policy).
3. On a hit it answers at once, without the rest of the middleware stack, the URL resolver or
   the view: the stored bytes and headers, with this visitor's values in the placeholders: a
   CSRF token exactly as `get_token(request)` gives one (see `visitor_csrf_token`), with the
   cookie set by CsrfViewMiddleware's own methods as a render would; `new_form_token()`; a new
   CSP nonce; then Content-Length. The middleware above it (security headers, the HTTPS
   redirect) runs as for any response. A hit makes no database query. Skipping the rest of
   the stack halved a hit's cost (`make bench`: cached pages with the form went from 50-57% to
   79-97% of a static file on the same machine), and is safe for exactly these requests:
   without a session there is no user, message or two-factor state for the rest of the stack
   to act on, and the host is still checked against ALLOWED_HOSTS (it is part of the key).

A response is stored only if it is a complete 200 that sets no cookie of its own, queues no
message, doesn't touch the session, isn't for a logged-in user, and hasn't opted out with its
own Cache-Control (`never_cache`) or a Vary header other than Cookie.

HTTP caching stays honest: every page `cache_public_page` marks says `Cache-Control: private,
no-cache` (a view's `public` is dropped; anything stricter is kept; Django adds `Vary: Cookie`
when the CSRF token is used), because the HTML holds
one visitor's tokens: a shared proxy or CDN must never store it, and a browser must ask again
rather than reuse a page whose one-time form token is spent.

Content version
---------------
Entries are never deleted one by one. Each entry records the content version it was rendered
at; `invalidate_public_pages()` changes the version, so every stored page is stale at once.
`pages.signals` calls it when any content model (or a redirect) is saved or deleted, when
many-to-many links change, and after `migrate` (every deploy); `ContentQuerySet` calls it
after bulk updates, which send no signal. So staff edits appear on the site at once.

Where the version lives depends on the cache:

- a shared cache (Redis): a key in that cache, read in the same round trip as the page.
  Each worker also keeps the version and the pages it served (`_WorkerCopy`) and re-reads
  the version at most once a second, so most hits make no trip to Redis at all; an edit
  shows at once through the worker that saved it, and within a second everywhere else;
- local memory (the default without REDIS_URL): each gunicorn worker has its own cache, so a
  version kept there would only change in the worker that handled the staff edit. The version
  is then the modification time of a small stamp file in the temporary directory, which every
  worker on the machine sees (one `stat()` per request). Several servers need REDIS_URL.

If Redis is unreachable, pages are rendered as if the cache were off (a warning is logged),
and an edit that can't bump the version is still saved: stored pages then expire within
PAGE_CACHE_SECONDS.

Settings: PAGE_CACHE_SECONDS (how long a page is kept; 0 turns the cache off).
"""

import hashlib
import logging
import os
import re
import secrets
import tempfile
import time
from functools import cache as memoize
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import models, transaction
from django.dispatch import receiver
from django.http import HttpResponse

# The token format's constants and unmasking helper (not CsrfViewMiddleware) are not public API,
# but they are the only way to recognise a rendered token without re-implementing the format
# (unchanged since Django 4.1; tests/pages/test_page_cache.py fails loudly if it changes).
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
)
from django.utils.cache import patch_cache_control
from django.utils.csp import LazyNonce
from django.utils.html import escape

logger = logging.getLogger(__name__)

# Placeholders in stored HTML. NUL never occurs in a rendered template, so they can't clash
# with content, and a placeholder that somehow escaped substitution would be obvious.
CSRF_PLACEHOLDER = b"\x00page-cache:csrf-token\x00"
FORM_TOKEN_PLACEHOLDER = b"\x00page-cache:form-token\x00"
NONCE_PLACEHOLDER = b"\x00page-cache:csp-nonce\x00"
NONCE_PLACEHOLDER_TEXT = NONCE_PLACEHOLDER.decode()  # in the stored CSP header

VERSION_KEY = "page-cache:version"
KEY_PREFIX = "page-cache:page:"
# Response header saying how a page was served: hit, miss (rendered and stored), or bypass.
STATUS_HEADER = "X-Page-Cache"

_CANDIDATE_TOKEN = re.compile(
    rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH
)
# A cache that is down costs speed, never a page: patients get it rendered (see _lookup).
# Any Redis error (down, timed out, out of memory under `noeviction`) means "uncached".
_CACHE_DOWN = (redis.exceptions.RedisError,)
# The only query parameters a cached page depends on: preselection on /book/ and list pages.
# Others (utm_source, gclid, junk) don't change the page, so they don't make a new entry:
# a flood of made-up query strings can't fill the cache or evict other entries.
KEY_QUERY_PARAMETERS = ("treatment", "clinic", "page")
_ALLOWED_VARY = {"cookie", "accept-encoding"}
_OPT_OUT_DIRECTIVES = ("private", "no-cache", "no-store")


def cache_public_page(view):
    """
    Let `PageCacheMiddleware` store this view's pages and serve them to later visitors.

    The view's own verdict is taken here, before the Cache-Control it set is made private:
    a view that opted out (`never_cache`) or answered anything but a complete 200 is never
    stored. The rest (cookies set, Vary, the session, messages, the user) is checked by the
    middleware once the whole stack has run.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.page_cache_refusal = _view_refusal(response)
        _make_private(response)
        # The middleware says "miss" instead if it stores the page.
        response.headers[STATUS_HEADER] = "bypass"
        return response

    return wrapper


class PageCacheMiddleware:
    """
    Serves stored public pages before the rest of the middleware stack runs, and stores the
    pages `cache_public_page` views render. Goes straight after WhiteNoiseMiddleware: the
    middleware above it (health check, security headers, HTTPS redirect) runs for a hit as
    for any response; the rest has already done its part in the stored headers, except for
    what differs per visitor, which a hit does itself:

    - the CSRF token and cookie, with Django's own CsrfViewMiddleware methods (its
      `process_request` reads and checks the visitor's cookie; its `process_response` sets
      or renews it), so a hit gives the cookie a render would;
    - the booking form's token and the CSP nonce (in the page and in the stored
      Content-Security-Policy header).

    Skipping the rest is safe because only a request that could never be anything but an
    anonymous visitor's reaches the cache: a GET or HEAD with no cookie but `csrftoken` (no
    session: no staff, no messages, no two-factor step), for a URL that was rendered as a
    public page. The host is checked against ALLOWED_HOSTS as it would be (the key holds it).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not _may_use_cache(request):
            return self.get_response(request)

        key = _page_key(request)
        version, entry = _lookup(key)
        if entry is not None:
            response = self.replay(request, entry)
            if response is not None:
                return response

        response = self.get_response(request)
        if not hasattr(response, "page_cache_refusal"):
            return response  # not a public page
        reason = response.page_cache_refusal or _request_refusal(request, response)
        if reason is not None:
            logger.debug("Not caching %s: %s", request.path, reason)
        elif version is not None and _store(request, response, key, version):
            response.headers[STATUS_HEADER] = "miss"
        return response

    def replay(self, request, entry):
        """The stored page with this visitor's tokens, or None if the entry can't be used."""
        try:
            _version, headers, content, uses_csrf, uses_form_token, uses_nonce = entry
        except (TypeError, ValueError):  # an entry from an older release
            return None
        if uses_csrf:
            self.csrf.process_request(request)
            content = content.replace(CSRF_PLACEHOLDER, visitor_csrf_token(request).encode())
        if uses_form_token:
            from booking.tokens import new_form_token

            form_token = new_form_token()
            request.booking_form_token = form_token
            content = content.replace(FORM_TOKEN_PLACEHOLDER, escape(form_token).encode())
        if uses_nonce:
            nonce = str(LazyNonce())  # as CSP middleware makes one
            content = content.replace(NONCE_PLACEHOLDER, nonce.encode())
            headers = [
                (name, value.replace(NONCE_PLACEHOLDER_TEXT, nonce)) for name, value in headers
            ]
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(content))
        response.headers[STATUS_HEADER] = "hit"
        if uses_csrf:
            self.csrf.process_response(request, response)
        return response


def invalidate_public_pages():
    """Make every cached page stale, now and again when the current transaction commits.

    Now, so the change shows at once to code running in this transaction; on commit, because
    another worker may have re-rendered and stored a page from the old, not yet committed
    data in between.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


class ContentQuerySet(models.QuerySet):
    """
    The QuerySet of every content model. Its bulk writes send no signals, so they tell the
    page cache themselves: an admin action that publishes many articles with one UPDATE
    shows on the site at once, like an edit saved one by one.
    """

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        invalidate_public_pages()
        return rows

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        invalidate_public_pages()
        return created

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        invalidate_public_pages()
        return rows


# --- Lookup and replay ----------------------------------------------------------------------


def _may_use_cache(request):
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    # With the CSRF secret in the session, every visitor would need a session: not cacheable.
    if settings.CSRF_USE_SESSIONS:
        return False
    # Any cookie but csrftoken may change the page (a session: a logged-in member of staff, a
    # patient's confirmation; messages; anything added later), so such requests skip the cache.
    return all(name == settings.CSRF_COOKIE_NAME for name in request.COOKIES)


def _page_key(request):
    # Scheme, host, path and the query parameters the page depends on.
    query = urlencode(
        [(name, request.GET[name]) for name in KEY_QUERY_PARAMETERS if name in request.GET]
    )
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}".encode()
    return KEY_PREFIX + hashlib.blake2b(url, digest_size=16).hexdigest()


def _lookup(key):
    """The current content version and the entry for `key` if it is current.

    (None, None) when the cache is unreachable: the page is rendered and not stored.
    """
    try:
        return _lookup_or_raise(key)
    except _CACHE_DOWN as error:
        logger.warning("Page cache unavailable (%s); serving %s uncached", error, key)
        return None, None


def _lookup_or_raise(key):
    if _version_in_file():
        version = _file_version()
        entry = cache.get(key)
    elif _worker.version_is_fresh():
        # Redis, version read less than a second ago: this worker's copy, else one trip.
        version = _worker.version
        entry = _worker.pages.get(key)
        if entry is None or entry[0] != version:
            entry = cache.get(key)
    else:
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = _init_cache_version()
        _worker.set_version(version)
        entry = found.get(key)
    if version is None or (entry is not None and entry[0] != version):
        entry = None
    if entry is not None and not _version_in_file():
        _worker.remember(key, entry)
    return version, entry


def visitor_csrf_token(request):
    """
    What `django.middleware.csrf.get_token(request)` returns, with the same side effects,
    made with one read of the operating system's random source instead of one per character.

    Django draws each character of the secret (for a first-time visitor) and of the mask (for
    every response) with `secrets.choice`: 64 reads of the OS's random source, about 90 µs, a
    third of a whole cache hit. This draws the same characters from the same source in one
    read. Then, as `get_token` does: the visitor's secret (from the cookie, or a new one) goes
    in `request.META["CSRF_COOKIE"]` with `CSRF_COOKIE_NEEDS_UPDATE`, so `CsrfViewMiddleware`
    sets or renews the cookie, and the token is a fresh random mask followed by the secret
    enciphered with it (BREACH protection: no two responses carry the same token).
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_csrf_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_csrf_chars(CSRF_SECRET_LENGTH)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CSRF_CHAR_INDEX[s] + _CSRF_CHAR_INDEX[m]) % len(CSRF_ALLOWED_CHARS)]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


_CSRF_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


# A byte is used only if below the largest multiple of 62 that fits in a byte (248): then each
# of the 62 characters is exactly equally likely, as with secrets.choice.
_UNBIASED_BYTE_LIMIT = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _random_csrf_chars(count):
    chars = []
    while len(chars) < count:
        chars += [
            CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]
            for byte in secrets.token_bytes(count + 8)
            if byte < _UNBIASED_BYTE_LIMIT
        ]
    return "".join(chars[:count])


# --- Storing ---------------------------------------------------------------------------------


def _store(request, response, key, version):
    """Store `response` with placeholders for its per-visitor values; True if it was stored."""
    content, uses_csrf, uses_form_token, nonce, reason = _with_placeholders(request, response)
    if reason is not None:
        logger.debug("Not caching %s: %s", request.path, reason)
        return False
    # Every header as the stack left it (CSP, X-Frame-Options, Vary...), less the ones a hit
    # sets itself. Cookies aren't headers here: a hit sets the CSRF cookie itself.
    headers = [
        (name, value.replace(nonce, NONCE_PLACEHOLDER_TEXT) if nonce else value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", STATUS_HEADER.lower())
    ]
    entry = (version, headers, content, uses_csrf, uses_form_token, bool(nonce))
    try:
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    except _CACHE_DOWN as error:
        logger.warning("Page cache unavailable (%s); %s not stored", error, request.path)
        return False
    if not _version_in_file():
        _worker.remember(key, entry)
    return True


def _view_refusal(response):
    """Why the view's answer may not be stored (None if it may), from the view alone."""
    if response.status_code != 200:
        return f"status {response.status_code}"
    if response.streaming:
        return "streaming"
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in _OPT_OUT_DIRECTIVES):
        return "the view opted out with Cache-Control"
    return None


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


def _with_placeholders(request, response):
    """(content, uses_csrf, uses_form_token, the CSP nonce used or "", reason not to store)."""
    content = response.content
    # A page that used the CSRF token made CsrfViewMiddleware set (or renew) the cookie.
    uses_csrf = settings.CSRF_COOKIE_NAME in response.cookies
    if uses_csrf:
        secret = request.META["CSRF_COOKIE"]
        content = _CANDIDATE_TOKEN.sub(
            lambda m: CSRF_PLACEHOLDER if _unmask_cipher_token(m[0].decode()) == secret else m[0],
            content,
        )

    form_token = getattr(request, "booking_form_token", None)
    if form_token:
        if escape(form_token) != form_token:
            return content, False, False, "", "form token needs escaping"
        token = form_token.encode()
        if token not in content:
            return content, False, False, "", "form token not found in the page"
        content = content.replace(token, FORM_TOKEN_PLACEHOLDER)

    nonce = getattr(request, "_csp_nonce", None)
    # A LazyNonce is true once something has used it.
    nonce = str(nonce) if nonce else ""
    if nonce:
        content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)

    return content, uses_csrf, bool(form_token), nonce, None


def _make_private(response):
    # The HTML carries one visitor's tokens: browsers may keep it but must revalidate, shared
    # caches must not store it ("public" goes). Anything stricter a view said (never_cache's
    # no-store, max-age=0) stays.
    patch_cache_control(response, private=True, no_cache=True)


# --- Content version -----------------------------------------------------------------------


def _version_in_file():
    # `cache` is a proxy; the backend itself says whether the cache is this process's own.
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)


def _new_version():
    return secrets.token_hex(8)


def _init_cache_version():
    cache.add(VERSION_KEY, _new_version(), timeout=None)
    return cache.get(VERSION_KEY)


def _bump_version():
    if not _version_in_file():
        version = _new_version()
        _worker.set_version(version)
        try:
            cache.set(VERSION_KEY, version, timeout=None)
        except _CACHE_DOWN:
            # The edit is saved; only the cache couldn't be told. Stored pages expire
            # within PAGE_CACHE_SECONDS (and a restarted Redis usually starts empty).
            logger.exception("Page cache not invalidated: pages may be stale for a while")
        return
    path = _stamp_path()
    try:
        path.touch()
        # Set the time explicitly: the clock the kernel stamps files with can be coarser than
        # two edits in a row.
        now = max(time.time_ns(), path.stat().st_mtime_ns + 1)
        os.utime(path, ns=(now, now))
    except OSError:
        logger.exception("Could not update the page cache stamp file %s", path)


class _WorkerCopy:
    """
    With Redis, this worker's copy of the content version and of the pages it has served at
    that version. A cache hit then needs no trip to Redis (a round trip costs about as much as
    the rest of a hit together). The version is read again from Redis at most every
    VERSION_RECHECK_SECONDS, so an edit saved through another worker or server shows here
    within that time; through this worker, at once. (Staff, being logged in, always get
    freshly rendered pages.)
    """

    MAX_PAGES = 500  # about 10 MB at most; forgotten all at once when full

    def __init__(self):
        self.forget()

    def forget(self):
        self.version = None
        self.read_at = float("-inf")
        self.pages = {}

    def version_is_fresh(self):
        return (
            self.version is not None and time.monotonic() - self.read_at < VERSION_RECHECK_SECONDS
        )

    def set_version(self, version):
        if version != self.version:
            self.pages = {}
        self.version = version
        self.read_at = time.monotonic()

    def remember(self, key, entry):
        if entry[0] != self.version:
            return
        if len(self.pages) >= self.MAX_PAGES:
            self.pages = {}
        self.pages[key] = entry


VERSION_RECHECK_SECONDS = 1.0
_worker = _WorkerCopy()


def forget_worker_copies():
    """Drop this worker's copies (tests do, with the cache, between tests)."""
    _worker.forget()


@receiver(setting_changed)
def _cache_settings_changed(*, setting, **kwargs):
    if setting in ("CACHES", "PAGE_CACHE_SECONDS"):
        _worker.forget()


def _file_version():
    """The stamp file's modification time, or None (cache unusable) if it can't be read."""
    path = _stamp_path()
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        _bump_version()
    try:
        return path.stat().st_mtime_ns
    except OSError:
        logger.exception("Page cache off: cannot read its stamp file %s", path)
        return None


def _stamp_path():
    return _stamp_path_for(str(settings.BASE_DIR))


@memoize
def _stamp_path_for(base_dir):
    # One stamp per checkout, shared by everything run from it (`make run`, the bench, test
    # runs): a bump from one of them costs the others a re-render, never a stale page.
    digest = hashlib.blake2b(base_dir.encode(), digest_size=8).hexdigest()
    return Path(tempfile.gettempdir()) / f"clinic-page-cache-{digest}.stamp"
