"""What the page cache's tests share: a first-time visitor, the tokens in a page, the store."""

import re

from django.core.cache import caches
from django.test import Client

from clinic_site.page_cache.keys import KEY_PREFIX
from tests.clinic_site import page_cache_urls

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
FORM_TOKEN_INPUT = re.compile(r'name="form_token" value="([^"]*)"')


def visitor():
    """A first-time visitor: no cookies, and CSRF checked as a browser's request would be."""
    return Client(enforce_csrf_checks=True)


def tokens(response):
    """([CSRF tokens], [booking form tokens]) in the page, in order."""
    html = response.content.decode()
    return CSRF_INPUT.findall(html), FORM_TOKEN_INPUT.findall(html)


def renders():
    """How often the test views (page_cache_urls) have rendered since the fixture reset it."""
    return page_cache_urls.renders["count"]


def stored_pages():
    """The keys of the pages in the cache: the test settings' local-memory cache."""
    return {key for key in caches["default"]._cache if KEY_PREFIX in key}
