"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

The browser tests run against pytest-django's `live_server` (a real HTTP server in a
thread of this process) with the seed content loaded. They are skipped, with the reason
in pytest's summary, when Chromium is missing on a developer's machine, and fail instead
when the environment variable CI is set: in CI a missing browser is a broken setup.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connections

from tests.browser.helpers import skip_or_fail

# Debian's Chromium; CHROMIUM_PATH points elsewhere (another distribution, a Mac).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
# Headless and offline: no sandbox (CI runs as root), no GPU, and none of Chromium's own
# background traffic (updates, sync, QUIC probing) on a machine that has no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
BROWSER_TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test in this folder starts Chromium: mark it `slow`, before `-m` deselects.

    This hook sees the whole session's items, so it marks only those under tests/browser/.
    """
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="package")
def playwright():
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in this thread for as long as it is
    # started. Django sees the running loop and refuses ORM calls from this thread
    # (SynchronousOnlyOperation), although they are ordinary blocking calls made between
    # browser steps: test data, the database flush after each test, assertions about
    # stored requests. Allow them only while Playwright runs. The fixture is package
    # scoped so the loop (and this allowance) ends with the last browser test instead of
    # leaking into the rest of the suite.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # The running loop also makes Django keep this thread's database connections in a
    # separate, per-context store, so ORM calls would open a second connection, outside
    # what the test database setup prepared on the first (its serialized data, its
    # transaction state). Put the thread's own connections into that store too.
    own_connections = {alias: connections[alias] for alias in connections}
    manager = sync_playwright().start()
    for alias, connection in own_connections.items():
        connections[alias] = connection
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts (own cookies), all closed after the test.

    `new_page(viewport=PHONE, java_script_enabled=False)` passes its arguments to
    `browser.new_context`. The site's Content-Security-Policy stays enforced: the pages
    are tested as patients get them.
    """
    contexts = []

    def open_page(viewport=DESKTOP, **context_options):
        context = browser.new_context(viewport=viewport, locale="en-GB", **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def restore_migration_data():
    """Put back the rows that data migrations create: the staff groups.

    Browser tests need committed data (the live server runs in another thread), so they are
    transactional, and Django empties every table after each one. Its post_migrate signal
    re-creates content types, permissions and the default site, but not what data
    migrations made. `serialized_rollback=True` would restore those too, but it fails with
    an IntegrityError on content types whenever a transactional test without it ran first
    (that test's flush re-creates them with new ids), which is the case in the full suite.
    So the data migration's own function runs again (it is idempotent).
    """
    staff_groups = importlib.import_module("booking.migrations.0002_staff_groups")
    staff_groups.create_groups(django_apps, None)


@pytest.fixture
def site(live_server, settings):
    """The live server with the seed content, and the booking form's bot traps off.

    The time-trap would flag a form that a test fills in under a second as spam, and the
    rate limit would refuse the later bookings of a test that books several times.
    """
    settings.BOOKING_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = "off"
    restore_migration_data()
    call_command("seed_content", verbosity=0)
    return live_server


def save_screenshot(page, name):
    """Save a full-page screenshot as test-artifacts/screenshots/<name>-<width>x<height>.png."""
    size = page.viewport_size
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=path, full_page=True)
    return path
