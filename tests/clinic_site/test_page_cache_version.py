"""
Content changes show at once: saving, deleting or relinking content (or a redirect, or the
site's domain) changes the content version, so no stored page is served again; where the
version lives with local memory (a stamp file) and with Redis (and this worker's copy); and
pages still render, and edits still save, when Redis is down.
"""

import os
import socket
import time

import pytest
import redis
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.cache import cache

from clinic_site.page_cache import keys, storage
from pages.models import Article, Clinic, Treatment
from tests.clinic_site.page_cache_helpers import renders, visitor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.clinic_site.page_cache_urls"),
    pytest.mark.usefixtures("page_cache_on"),
]


def test_saving_content_makes_the_next_visitor_see_it():
    clinic = Clinic.objects.create(title="London", slug="london", city="London")
    visitor().get("/page/")

    clinic.title = "London Chelsea"
    clinic.save()
    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "miss"
    assert "London Chelsea;" in response.content.decode()


def test_deleting_content_makes_the_next_visitor_see_it():
    Clinic.objects.create(title="Bristol", slug="bristol", city="Bristol")
    visitor().get("/page/")

    Clinic.objects.get(slug="bristol").delete()
    response = visitor().get("/page/")

    assert "Bristol;" not in response.content.decode()


@pytest.mark.parametrize("change", ["add", "remove", "clear"])
def test_many_to_many_changes_invalidate(change):
    milia = Treatment.objects.create(title="Milia", slug="milia", kind="condition")
    laser = Treatment.objects.create(title="Laser", slug="laser", kind="procedure")
    article = Article.objects.create(title="Milia", slug="milia-article")
    if change != "add":
        article.related_treatments.add(milia)
        milia.procedures.add(laser)
    visitor().get("/page/")

    if change == "add":
        article.related_treatments.add(milia)
    elif change == "remove":
        milia.procedures.remove(laser)
    else:
        article.related_treatments.clear()

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("model", ["redirect", "site"])
def test_redirects_and_the_site_domain_invalidate(model):
    visitor().get("/page/")

    if model == "redirect":
        Redirect.objects.create(site_id=1, old_path="/old/", new_path="/page/")
    else:
        site = Site.objects.get_current()
        site.domain = "www.example.com"
        site.save()

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


def test_content_version_is_bumped_again_after_commit(django_capture_on_commit_callbacks):
    """A worker may re-store old data between the save and the commit: bump on commit too."""
    with django_capture_on_commit_callbacks() as callbacks:
        Clinic.objects.create(title="London", slug="london", city="London")
    visitor().get("/page/")  # stored "during" the transaction

    for callback in callbacks:
        callback()

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


def test_local_memory_cache_keeps_the_version_where_every_worker_sees_it(settings):
    """With a per-process cache, another gunicorn worker's edit arrives via the stamp file."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert storage._version_in_file()
    visitor().get("/page/")
    stamp = storage.stamp_path()

    # What another worker's invalidate_public_pages() does: only the file changes.
    later = stamp.stat().st_mtime_ns + 1_000
    os.utime(stamp, ns=(later, later))

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


@pytest.fixture
def redis_cache(settings):
    """The default cache on the local Redis, under a key prefix of this test's own."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"page-cache-test-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    yield
    # Only this test's keys: clear() would empty the whole Redis database.
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_shared_cache_keeps_the_version_in_the_cache(redis_cache):
    assert not storage._version_in_file()
    visitor().get("/page/")
    hit = visitor().get("/page/")
    Clinic.objects.create(title="Bristol", slug="bristol", city="Bristol")
    after_edit = visitor().get("/page/")

    assert hit["X-Page-Cache"] == "hit"
    assert after_edit["X-Page-Cache"] == "miss"
    assert "Bristol;" in after_edit.content.decode()


def test_with_redis_a_worker_serves_hits_from_its_own_copy(redis_cache, monkeypatch):
    # Within one recheck interval, however slow the machine running the test.
    monkeypatch.setattr(storage, "VERSION_RECHECK_SECONDS", 60)
    visitor().get("/page/")
    # Gone from Redis (evicted, say): this worker still has the page at the current version.
    cache.delete(keys.lookup_key(visitor().get("/page/").wsgi_request))

    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "hit"
    assert renders() == 1


def test_with_redis_another_workers_edit_shows_within_the_recheck_interval(
    redis_cache, monkeypatch
):
    # Long enough that a slow, busy machine still asks "at once" inside the interval.
    monkeypatch.setattr(storage, "VERSION_RECHECK_SECONDS", 1.0)
    visitor().get("/page/")

    # What another worker's invalidate_public_pages() does: only Redis changes.
    cache.set(storage.VERSION_KEY, "another-workers-version", timeout=None)
    at_once = visitor().get("/page/")
    time.sleep(1.05)
    later = visitor().get("/page/")

    assert at_once["X-Page-Cache"] == "hit"
    assert later["X-Page-Cache"] == "miss"


def test_pages_still_render_and_edits_still_save_when_redis_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.PAGE_CACHE_SECONDS = 600

    first = visitor().get("/page/")
    Clinic.objects.create(title="London", slug="london", city="London")
    second = visitor().get("/page/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second["X-Page-Cache"] == "bypass"
    assert "London;" in second.content.decode()
