import pytest

from tests.clinic_site import page_cache_urls


@pytest.fixture
def page_cache_on(settings):
    """The page cache on, as in production, with the test views' render count at zero."""
    settings.PAGE_CACHE_SECONDS = 600
    page_cache_urls.renders["count"] = 0


@pytest.fixture
def local_memory_cache(settings):
    """The default cache in local memory, even in a run with REDIS_URL, for tests that read
    what the page cache stored (tests that want Redis ask for it with their own fixture)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
