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
`cache_public_page` wraps a view. For a GET or HEAD from a visitor who carries no cookie except
`csrftoken` (so no session: staff, and anyone with per-visitor state, always get a freshly
rendered page that is never stored):

1. It looks up the page by its absolute URL, together with the content version (below), in the
   default cache: at most one round trip to Redis (`get_many`), usually none.
2. On a miss it runs the view as usual; the visitor gets that response. Before storing a copy,
   it swaps the per-visitor values in the HTML for placeholders:
   - every 64-character string that unmasks to this request's CSRF secret (so it finds each
     `{% csrf_token %}`, however many forms the page has, and nothing else);
   - `request.booking_form_token`, which the booking view leaves on the request when it renders
     a form (a page whose token can't be found is not stored);
   - the CSP nonce, if the page used one.
3. On a hit it builds the response from the stored bytes and fills the placeholders with this
   visitor's values: a CSRF token exactly as `get_token(request)` gives one (see
   `visitor_csrf_token`; it also makes `CsrfViewMiddleware` send the `csrftoken` cookie to a
   first-time visitor, as a normal render would), `new_form_token()`, and this request's CSP
   nonce; then sets Content-Length. The whole middleware stack still runs, so security
   headers, CSP and cookies are as on an uncached page. A hit makes no database query.

A response is stored only if it is a complete 200 that sets no cookie of its own, queues no
message, doesn't touch the session, isn't for a logged-in user, and hasn't opted out with its
own Cache-Control (`never_cache`) or a Vary header other than Cookie.

HTTP caching stays honest: every page this decorator serves says `Cache-Control: private,
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

# The token format's constants and unmasking helper are not public API, but they are the only
# way to recognise a rendered token without re-implementing the format (unchanged since
# Django 4.1; tests/pages/test_page_cache.py fails loudly if it changes).
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.utils.cache import patch_cache_control
from django.utils.html import escape

logger = logging.getLogger(__name__)

# Placeholders in stored HTML. NUL never occurs in a rendered template, so they can't clash
# with content, and a placeholder that somehow escaped substitution would be obvious.
CSRF_PLACEHOLDER = b"\x00page-cache:csrf-token\x00"
FORM_TOKEN_PLACEHOLDER = b"\x00page-cache:form-token\x00"
NONCE_PLACEHOLDER = b"\x00page-cache:csp-nonce\x00"

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
    """Serve a public page from the page cache, with fresh per-visitor tokens (see above)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_use_cache(request):
            response = view(request, *args, **kwargs)
            _make_private(response)
            response.headers[STATUS_HEADER] = "bypass"
            return response

        key = _page_key(request)
        version, entry = _lookup(key)
        if entry is not None:
            response = _replay(request, entry)  # its stored Cache-Control is already private
            if response is not None:
                response.headers[STATUS_HEADER] = "hit"
                return response

        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            # A TemplateResponse renders after the view returns; render it now so the tokens
            # it carries exist and can be found.
            response = response.render()
        reason = _not_cacheable_reason(request, response)  # before our own Cache-Control
        _make_private(response)
        stored = reason is None and version is not None and _store(request, response, key, version)
        if reason is not None:
            logger.debug("Not caching %s: %s", request.path, reason)
        response.headers[STATUS_HEADER] = "miss" if stored else "bypass"
        return response

    return wrapper


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


def _replay(request, entry):
    try:
        _version, headers, content, uses_csrf, uses_form_token, uses_nonce = entry
    except (TypeError, ValueError):  # an entry from an older release
        return None
    if uses_csrf:
        content = content.replace(CSRF_PLACEHOLDER, visitor_csrf_token(request).encode())
    if uses_form_token:
        from booking.tokens import new_form_token

        form_token = new_form_token()
        request.booking_form_token = form_token
        content = content.replace(FORM_TOKEN_PLACEHOLDER, escape(form_token).encode())
    if uses_nonce:
        nonce = getattr(request, "_csp_nonce", None)
        if nonce is None:  # CSP middleware removed since the page was stored
            return None
        content = content.replace(NONCE_PLACEHOLDER, str(nonce).encode())
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    response.headers["Content-Length"] = str(len(content))
    return response


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
    content, uses_csrf, uses_form_token, uses_nonce, reason = _with_placeholders(
        request, response.content
    )
    if reason is not None:
        logger.debug("Not caching %s: %s", request.path, reason)
        return False
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", STATUS_HEADER.lower())
    ]
    entry = (version, headers, content, uses_csrf, uses_form_token, uses_nonce)
    try:
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    except _CACHE_DOWN as error:
        logger.warning("Page cache unavailable (%s); %s not stored", error, request.path)
        return False
    if not _version_in_file():
        _worker.remember(key, entry)
    return True


def _not_cacheable_reason(request, response):
    if response.status_code != 200 or response.streaming:
        return f"status {response.status_code}" if response.status_code != 200 else "streaming"
    if response.cookies:
        return "the view set a cookie"
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in _OPT_OUT_DIRECTIVES):
        return "the view opted out with Cache-Control"
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - _ALLOWED_VARY:
        return "the view varies on " + ", ".join(sorted(vary - _ALLOWED_VARY))
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


def _with_placeholders(request, content):
    """(content, uses_csrf, uses_form_token, uses_nonce, reason not to store or None)."""
    uses_csrf = "CSRF_COOKIE" in request.META and request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    if uses_csrf:
        secret = request.META["CSRF_COOKIE"]
        content = _CANDIDATE_TOKEN.sub(
            lambda m: CSRF_PLACEHOLDER if _unmask_cipher_token(m[0].decode()) == secret else m[0],
            content,
        )

    form_token = getattr(request, "booking_form_token", None)
    if form_token:
        if escape(form_token) != form_token:
            return content, False, False, False, "form token needs escaping"
        token = form_token.encode()
        if token not in content:
            return content, False, False, False, "form token not found in the page"
        content = content.replace(token, FORM_TOKEN_PLACEHOLDER)

    nonce = getattr(request, "_csp_nonce", None)
    uses_nonce = bool(nonce)  # a LazyNonce is true once something has used it
    if uses_nonce:
        content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)

    return content, bool(uses_csrf), bool(form_token), uses_nonce, None


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
