"""The Insights page in a real browser: on a phone's screen, under the site's CSP."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pages.models import Clinic
from tests.browser.conftest import PHONE, save_screenshot
from tests.browser.journey import admin_log_in, admin_url
from tests.browser.test_staff_security import WATCH_CSP
from tests.factories import make_request, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_insights_fit_a_phone_and_break_no_csp_rule(site, new_page, settings):
    settings.REQUIRE_2FA = False
    manager = make_staff("manager", superuser=True)
    clinic = Clinic.objects.order_by("pk").first()
    for days in range(1, 28, 2):
        for _ in range(6):
            make_request(clinic=clinic, created_at=timezone.now() - timedelta(days=days))
    page = new_page(viewport=PHONE)
    page.context.add_init_script(WATCH_CSP)

    admin_log_in(page, site.url, manager)
    page.get_by_role("link", name="Insights").click()

    expect(page.get_by_role("img", name=re.compile("Requests per week"))).to_be_visible()
    expect(page.get_by_role("img", name="When requests arrive")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    # Nothing but the wide tables' own scrolling areas is wider than the screen, and the
    # charts are drawn at about their real size (a 340-unit viewBox), so their text is legible.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chart_widths = page.locator("svg.insights-chart").evaluate_all(
        "charts => charts.map(chart => chart.getBoundingClientRect().width)"
    )
    assert chart_widths
    assert all(300 <= width <= PHONE["width"] for width in chart_widths)
    save_screenshot(page, "insights")

    page.goto(admin_url(site.url, "insights/?preset=custom&start=2025-03-31&end=2025-03-01"))
    expect(page.get_by_text("The last date is before the first date.")).to_be_visible()
