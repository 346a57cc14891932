"""What it costs and what to expect, filled in: a treatment page with every key fact, a
price, aftercare and FAQs, the fee and cancellation box, and /faqs/ pass axe and fit a
phone and a desktop. (The seed fills none of it in, so the crawls elsewhere never see it.)

Screenshots go to test-artifacts/screenshots/.
"""

import pytest

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import VIEWPORTS, save_screenshot
from tests.browser.layout_checks import assert_fits
from tests.pages.filled_in import FILLED_IN_PAGES, fill_in_costs_and_faqs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_filled_in_costs_facts_and_faqs_pass_axe_and_fit(site, new_page, viewport):
    fill_in_costs_and_faqs()
    page = new_page(viewport=VIEWPORTS[viewport])
    found = {}
    for name, path in FILLED_IN_PAGES.items():
        page.goto(site.url + path)
        assert page.locator(".costs-box").count() == 1, name
        assert_fits(page, name)
        save_screenshot(page, name)
        found[name] = axe_violations(page)

    assert not any(found.values()), describe_violations(found)
