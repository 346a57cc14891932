"""
The values in a page that belong to one visitor: swapped for placeholders when a page is
stored, and made afresh for each visitor on a hit.

The cache itself handles Django's own: the CSRF token of every `{% csrf_token %}` (with the
cookie, as CsrfViewMiddleware sets it) and the CSP nonce (in the page and in its
Content-Security-Policy header). Anything else a view puts in the page for one visitor, it
registers with `register_visitor_value`; a page holding a registered value the cache can't
find is not stored.
"""

import re
import secrets
from functools import cache as memoize

# The token format's constants and unmasking helper are not public API, but they are the only
# way to recognise a rendered token without re-implementing the format (unchanged since
# Django 4.1; tests/clinic_site/test_page_cache.py fails loudly if it changes).
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.utils.csp import LazyNonce
from django.utils.html import escape
from django.utils.module_loading import import_string

# Placeholders in stored HTML. NUL never occurs in a rendered template, so they can't clash
# with content, and a placeholder that somehow escaped substitution would be obvious.
CSRF_PLACEHOLDER = b"\x00page-cache:csrf-token\x00"
NONCE_PLACEHOLDER = b"\x00page-cache:csp-nonce\x00"
NONCE_PLACEHOLDER_TEXT = NONCE_PLACEHOLDER.decode()  # in the stored CSP header
_VALUE_PLACEHOLDER = b"\x00page-cache:visitor-value:%d\x00"
_REGISTERED = "_page_cache_visitor_values"

_CANDIDATE_TOKEN = re.compile(
    rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH
)


def register_visitor_value(request, value, *, fresh):
    """
    Say that `value`, in the page being rendered for `request`, belongs to this visitor.

    If the page is stored, `value` is swapped for a placeholder; each visitor who gets it
    from the cache gets `fresh(request)` there instead, HTML-escaped. `value` must appear in
    the page exactly as given (so: nothing HTML escaping changes). `fresh` is stored with the
    page by its dotted path, so it must be a module-level function taking the request.

    So a value may be bound to the visitor, their CSRF cookie has been read when `fresh`
    runs: on a page using the CSRF token (any page with a form) their secret is already in
    ``request.META["CSRF_COOKIE"]``, new if they had none; otherwise `get_token(request)`
    makes one. Either way the hit sets the cookie. A hit makes no database query, so `fresh`
    must make none either.
    """
    if not value:
        raise ValueError("A visitor value can't be empty.")
    name = getattr(fresh, "__name__", "<none>")
    if getattr(fresh, "__qualname__", None) != name or "<" in name:
        raise TypeError(f"{fresh!r} is not a module-level function.")
    path = f"{fresh.__module__}.{fresh.__qualname__}"
    request.__dict__.setdefault(_REGISTERED, []).append((value, path))


def with_placeholders(request, response, *, uses_csrf):
    """(content, registered paths, the CSP nonce used or "", reason not to store or None)."""
    content = response.content
    if uses_csrf:
        secret = request.META["CSRF_COOKIE"]
        content = _CANDIDATE_TOKEN.sub(
            lambda m: CSRF_PLACEHOLDER if _unmask_cipher_token(m[0].decode()) == secret else m[0],
            content,
        )

    paths = []
    for index, (value, path) in enumerate(request.__dict__.get(_REGISTERED, ())):
        if escape(value) != value:
            return content, (), "", "a visitor value needs escaping"
        if value.encode() not in content:
            return content, (), "", "a visitor value was not found in the page"
        content = content.replace(value.encode(), _VALUE_PLACEHOLDER % index)
        paths.append(path)

    nonce = getattr(request, "_csp_nonce", None)
    # A LazyNonce is true once something has used it.
    nonce = str(nonce) if nonce else ""
    if nonce:
        content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)

    return content, tuple(paths), nonce, None


def fill_placeholders(request, content, headers, *, uses_csrf, paths, uses_nonce):
    """The stored content and headers with this visitor's values; None if one can't be made.

    With `uses_csrf` or `paths`, CsrfViewMiddleware's process_request must have read the
    visitor's cookie first. The CSRF secret is established before any registered value is
    made (a value may be bound to it): the token made here, or `fresh` itself through
    get_token(), marks the cookie to be set.
    """
    functions = [_fresh_function(path) for path in paths]
    if None in functions:
        return None
    if uses_csrf:
        content = content.replace(CSRF_PLACEHOLDER, visitor_csrf_token(request).encode())
    for index, fresh in enumerate(functions):
        content = content.replace(_VALUE_PLACEHOLDER % index, escape(fresh(request)).encode())
    if uses_nonce:
        nonce = str(LazyNonce())  # as the CSP middleware makes one
        content = content.replace(NONCE_PLACEHOLDER, nonce.encode())
        headers = [(name, value.replace(NONCE_PLACEHOLDER_TEXT, nonce)) for name, value in headers]
    return content, headers


@memoize
def _fresh_function(path):
    # None for a function that no longer exists (a page stored by older code): re-render.
    try:
        return import_string(path)
    except ImportError:
        return None


def visitor_csrf_token(request):
    """
    What `django.middleware.csrf.get_token(request)` returns, with the same side effects,
    made with one read of the operating system's random source instead of one per character:
    kept because get_token() alone would cost a large share of a whole cache hit
    (docs/performance.md).

    As `get_token` does: the visitor's secret (from the cookie, or a new one) goes in
    `request.META["CSRF_COOKIE"]` with `CSRF_COOKIE_NEEDS_UPDATE`, so CsrfViewMiddleware
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
