"""
The key a page is stored under: scheme, host in lower case, path, and only the query
parameters its view declared with `cache_public_page(query={name: key function})`.

A key function gets the parameter's value and returns what to key on, None if the page is as
without it, or raises ValueError if the page can't be keyed (rendered each time, never
stored). A hit runs it, so it is cheap and queries nothing: a slug is keyed as it came, and a
view that then finds no content for it calls `mark_query_unused`, so the page is stored under
the key without it. A made-up value therefore costs a render, never a new entry.
"""

import hashlib
from urllib.parse import urlencode

from django.http.request import split_domain_port
from django.urls import Resolver404, resolve

KEY_PREFIX = "page-cache:page:"
# The attribute `cache_public_page` gives a view: {parameter name: key function}.
QUERY_ATTRIBUTE = "page_cache_query"
_UNUSED_ATTRIBUTE = "_page_cache_unused_query"


def mark_query_unused(request, name):
    """Say this page was rendered as if the query parameter `name` weren't there."""
    request.__dict__.setdefault(_UNUSED_ATTRIBUTE, set()).add(name)


def list_page_number(value):
    """Key function for a ListView's `?page=`, read as Django reads it (1 is the plain page)."""
    if value == "last":
        return value
    number = int(value or 1)  # anything else is Django's 404: rendered, never stored
    return None if number == 1 else str(number)


def lookup_key(request):
    """The key to look this request up under, or None if it can't be served from the cache.

    With a query string, the URL is resolved to find the parameters its view declared.
    """
    if not request.META.get("QUERY_STRING"):
        return _page_key(request, {})
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    query = getattr(view, QUERY_ATTRIBUTE, None)
    if query is None:
        return None  # not a public page: never stored
    try:
        return _page_key(request, query)
    except ValueError:
        return None


def storage_key(request, query):
    """The key for the page the view rendered, or None if it can't be keyed or stored."""
    if not _host_as_keyed(request):
        return None
    unused = request.__dict__.get(_UNUSED_ATTRIBUTE, ())
    try:
        return _page_key(request, {n: f for n, f in query.items() if n not in unused})
    except ValueError:
        return None


def _page_key(request, query):
    # get_host() refuses a host not in ALLOWED_HOSTS (400), as the rest of the stack would.
    domain, port = split_domain_port(request.get_host())
    values = []
    for name in sorted(query):
        value = request.GET.get(name)
        if value is not None:
            value = query[name](value)
        if value is not None:
            values.append((name, value))
    host = f"{domain}:{port}" if port else domain
    url = f"{request.scheme}://{host}{request.path}?{urlencode(values)}".encode()
    return KEY_PREFIX + hashlib.blake2b(url, digest_size=16).hexdigest()


def _host_as_keyed(request):
    # The page holds the host as the visitor wrote it (canonical links), so only a page for
    # the host as the key writes it is stored; other spellings are served that page. A port
    # other than the server's own would make a new entry (and address) for every port.
    host = request.get_host()
    domain, port = split_domain_port(host)
    return host == (f"{domain}:{port}" if port else domain) and port in ("", request.get_port())
