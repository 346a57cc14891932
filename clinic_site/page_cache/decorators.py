"""`cache_public_page`: the mark that lets the page cache store a view's pages."""

from functools import wraps

from django.utils.cache import patch_cache_control

from clinic_site.page_cache.keys import QUERY_ATTRIBUTE

# Response header saying how a page was served: hit, miss (rendered and stored), or bypass.
STATUS_HEADER = "X-Page-Cache"
_OPT_OUT_DIRECTIVES = ("private", "no-cache", "no-store")


def cache_public_page(view=None, *, query=None):
    """
    Let `PageCacheMiddleware` store this view's pages and serve them to later visitors:
    `@cache_public_page`, or `@cache_public_page(query={"page": list_page_number})` for a
    page that depends on query parameters (clinic_site/page_cache/keys.py).

    The view's own verdict is taken here, before the Cache-Control it set is made private:
    a view that opted out (`never_cache`) or answered anything but a complete 200 is never
    stored. The rest (cookies set, Vary, the session, messages, the user) is checked by the
    middleware once the whole stack has run.
    """
    declared = dict(query or {})

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.page_cache_refusal = _view_refusal(response)
            response.page_cache_query = declared
            _make_private(response)
            # The middleware says "miss" instead if it stores the page.
            response.headers[STATUS_HEADER] = "bypass"
            return response

        setattr(wrapper, QUERY_ATTRIBUTE, declared)
        return wrapper

    return decorate if view is None else decorate(view)


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


def _make_private(response):
    # The HTML carries one visitor's tokens: browsers may keep it but must revalidate, shared
    # caches must not store it ("public" goes). Anything stricter a view said (never_cache's
    # no-store, max-age=0) stays.
    patch_cache_control(response, private=True, no_cache=True)
