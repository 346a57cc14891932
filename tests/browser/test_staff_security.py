"""The staff admin works under the site's strict Content-Security-Policy, 2FA set-up included.

Every page listens for `securitypolicyviolation` events (an init script, which the CSP does not
govern) and for the console's CSP messages; a single blocked inline script or style fails.
"""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from pages.models import Treatment
from tests.browser.conftest import save_screenshot
from tests.browser.journey import STAFF_PASSWORD, admin_url
from tests.factories import make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`
  );
});
"""


@pytest.fixture
def watched_page(new_page):
    page = new_page()
    page.context.add_init_script(WATCH_CSP)
    console = []
    page.on("console", lambda message: console.append(message.text))

    def violations():
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__cspViolations")
        found += [text for text in console if "Content Security Policy" in text]
        console.clear()
        return found

    page.violations = violations
    return page


def test_the_watcher_sees_a_blocked_inline_script(site, watched_page):
    # The control: if this stops failing the page, the test below proves nothing.
    watched_page.goto(site.url + "/")
    watched_page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        "document.body.append(s)"
    )
    assert watched_page.violations()
    assert watched_page.evaluate("window.ran") is None


def test_staff_sign_in_with_2fa_set_up_and_the_admin_have_no_csp_violations(
    site, watched_page, settings
):
    settings.REQUIRE_2FA = True
    manager = make_staff("manager", superuser=True)
    treatment = Treatment.objects.order_by("pk").first()
    page = watched_page
    base = site.url

    page.goto(admin_url(base))
    assert page.violations() == []
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert page.violations() == []
    save_screenshot(page, "staff-two-factor-set-up")
    secret = page.locator(".two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page.get_by_text("Two-factor sign-in is set up")).to_be_visible()
    assert page.violations() == []

    for path in (
        "booking/consultationrequest/",
        "pages/article/",
        "pages/article/add/",
        f"pages/treatment/{treatment.pk}/change/",
        "auth/user/",
        f"auth/user/{manager.pk}/change/",
        "otp_totp/totpdevice/",
        "axes/accessattempt/",
    ):
        response = page.goto(admin_url(base, path))
        assert response.status == 200, path
        assert page.violations() == [], path
    save_screenshot(page, "staff-admin-under-csp")

    # Signing in again asks for a code, on a page that is just as clean.
    page.goto(admin_url(base))
    page.locator("#logout-form button").click()
    page.goto(admin_url(base))
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert page.violations() == []
