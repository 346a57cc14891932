import os
import shutil
import tempfile

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from clinic_site.page_cache.storage import forget_worker_copies, stamp_path


def pytest_configure(config):
    # Test-only speed-ups; the settings module itself stays the production one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Plain storage: tests render templates without needing `collectstatic` first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Uploaded images go to a folder of the run's own, never the checkout's media/.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="clinic-site-test-media-")
    # On SQLite the test database is a file, as in production (WAL, IMMEDIATE transactions,
    # busy timeout), not Django's default in-memory database: the live server would share
    # one in-memory connection between its threads, so simultaneous requests trip over each
    # other (tests/booking/test_concurrency.py). One file per test run, so runs never meet.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = os.path.join(
            tempfile.gettempdir(), f"clinic-site-test-{os.getpid()}.sqlite3"
        )

    # Rate-limit counts: without Redis, production keeps them in a database cache table, which
    # flushing between transactional tests doesn't empty; a local-memory cache the fixture
    # below clears keeps each test's count its own. (With REDIS_URL they stay in Redis.)
    if settings.CACHES["ratelimit"]["BACKEND"].endswith("DatabaseCache"):
        settings.CACHES = {
            **settings.CACHES,
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "test-ratelimit",
            },
        }


def pytest_unconfigure(config):
    media_root = str(settings.MEDIA_ROOT)
    if os.path.basename(media_root).startswith("clinic-site-test-media-"):
        shutil.rmtree(media_root, ignore_errors=True)
    # Django removes the test database file but not SQLite's -wal and -shm files beside it,
    # nor the file itself when a live server thread still held it open.
    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    if name.startswith(tempfile.gettempdir()):
        for path in (name, f"{name}-wal", f"{name}-shm"):
            if os.path.exists(path):
                os.remove(path)


@pytest.fixture(scope="session", autouse=True)
def _remove_page_cache_stamp(django_db_setup):
    # Each run's test database has its own content-version stamp file (without Redis).
    yield
    stamp_path().unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _isolated_cache():
    # The page cache's per-worker copies too (clinic_site/page_cache): with Redis they would
    # otherwise outlive the cache they copy.
    cache.clear()
    caches["ratelimit"].clear()
    forget_worker_copies()
    yield
    cache.clear()
    caches["ratelimit"].clear()
    forget_worker_copies()


@pytest.fixture
def local_memory_cache(settings):
    """The default cache in local memory, even in a run with REDIS_URL, for tests that read
    what the page cache stored (tests that want Redis ask for it with their own fixture)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests-local-memory",
        },
    }
    cache.clear()
    forget_worker_copies()
    yield
    cache.clear()
    forget_worker_copies()
