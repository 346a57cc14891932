import pytest

from tests.clinic_site import page_cache_urls


@pytest.fixture
def page_cache_on(settings):
    """The page cache on, as in production, with the test views' render count at zero."""
    settings.PAGE_CACHE_SECONDS = 600
    page_cache_urls.renders["count"] = 0
