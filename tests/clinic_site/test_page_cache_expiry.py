"""
A page whose view says when it goes out of date (`expire_at`: an "open now" line, say) is
kept no later than that, by the shared cache and by each worker's own copy.
"""

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from clinic_site.page_cache import expiry, storage
from tests.clinic_site import page_cache_urls
from tests.clinic_site.page_cache_helpers import renders, stored_pages, visitor
from tests.clinic_site.test_page_cache_version import redis_cache  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.clinic_site.page_cache_urls"),
    pytest.mark.usefixtures("local_memory_cache", "page_cache_on"),
]


@pytest.fixture
def expires_in():
    """Set when the test page goes out of date, from now."""

    def set_expiry(delta):
        page_cache_urls.expiry["at"] = datetime.now(UTC) + delta

    yield set_expiry
    page_cache_urls.expiry["at"] = None


@pytest.fixture
def later(monkeypatch):
    """Move the page cache's clock on (the cache backend's own clock stays as it is)."""

    def move_on(delta):
        shifted = SimpleNamespace(
            time=lambda: time.time() + delta.total_seconds(),
            time_ns=time.time_ns,
            monotonic=time.monotonic,
        )
        monkeypatch.setattr(storage, "time", shifted)

    return move_on


def test_page_is_served_from_the_cache_until_the_time_its_view_gave(expires_in, later):
    expires_in(timedelta(hours=1))
    first, second = visitor().get("/expiring/"), visitor().get("/expiring/")
    later(timedelta(hours=1, seconds=1))
    expires_in(timedelta(hours=2))  # what the view says next time
    after = visitor().get("/expiring/")

    assert [first["X-Page-Cache"], second["X-Page-Cache"]] == ["miss", "hit"]
    assert after["X-Page-Cache"] == "miss"
    assert renders() == 2


def test_page_out_of_date_already_is_not_stored(expires_in):
    expires_in(timedelta(seconds=-1))
    responses = [visitor().get("/expiring/") for _ in range(2)]

    assert [r["X-Page-Cache"] for r in responses] == ["bypass", "bypass"]
    assert renders() == 2
    assert stored_pages() == set()


def test_the_cache_keeps_the_page_no_longer_than_its_time(expires_in):
    expires_in(timedelta(seconds=30))
    visitor().get("/expiring/")

    (key,) = stored_pages()
    kept_for = caches["default"]._expire_info[key] - time.time()
    assert 0 < kept_for <= 31


def test_with_redis_a_workers_own_copy_goes_out_of_date_too(redis_cache, expires_in, later):  # noqa: F811
    expires_in(timedelta(minutes=5))
    visitor().get("/expiring/")
    hit = visitor().get("/expiring/")  # from this worker's copy
    later(timedelta(minutes=5, seconds=1))
    expires_in(timedelta(minutes=10))  # what the view says next time
    after = visitor().get("/expiring/")

    assert hit["X-Page-Cache"] == "hit"
    assert after["X-Page-Cache"] == "miss"


def test_the_earliest_time_a_view_gives_counts():
    request = RequestFactory().get("/")
    soon = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)

    assert expiry.expires_at(request) is None
    expiry.expire_at(request, soon + timedelta(hours=1))
    expiry.expire_at(request, soon)
    expiry.expire_at(request, soon + timedelta(hours=2))
    assert expiry.expires_at(request) == soon.timestamp()


def test_pages_that_give_no_time_are_kept_as_before():
    visitor().get("/page/")

    (key,) = stored_pages()
    kept_for = caches["default"]._expire_info[key] - time.time()
    assert 590 < kept_for <= 600
