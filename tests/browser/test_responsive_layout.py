"""Every page type fits a phone and a desktop screen, with the booking form beside the
content on a desktop and after it on a phone; the staff pages fit too.

Screenshots of each page type at both widths go to test-artifacts/screenshots/ (CI keeps
that folder).
"""

import pytest
from playwright.sync_api import expect

from pages.models import Article, Clinic, Page, TeamMember, Treatment
from tests.browser.conftest import PHONE, VIEWPORTS, save_screenshot
from tests.browser.journey import admin_log_in, admin_url, book, booking_form, submit_booking
from tests.browser.layout_checks import assert_fits, assert_no_sideways_scroll
from tests.factories import make_clinic_staff, make_request

pytestmark = [
    pytest.mark.browser,
    # Committed data, for the live server's thread; `site` restores the staff groups.
    pytest.mark.django_db(transaction=True),
]


def content_and_form_boxes(page):
    content = page.locator("main h1").locator("xpath=ancestor::article[1]")
    if not content.count():
        content = page.locator("main h1").locator("xpath=..")
    return content.bounding_box(), booking_form(page).bounding_box()


def public_page_types():
    """One page of each type."""
    paths = {
        "home": "/",
        "article-list": "/skin-advice/",
        "article": Article.objects.published().filter(slug__contains="milia").first(),
        "treatment-list": "/treatments/",
        "treatment": Treatment.objects.published().first(),
        "clinic-list": "/clinics/",
        "clinic": Clinic.objects.published().first(),
        "book": "/book/",
        "faqs": "/faqs/",
        "team-list": "/team/",
        "team-member": TeamMember.objects.published().first(),
        "simple-page": Page.objects.published().first(),
    }
    return {
        name: path if isinstance(path, str) else path.get_absolute_url()
        for name, path in paths.items()
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_pages_fit_phone_and_desktop_with_form_beside_or_after_content(site, new_page, viewport):
    page = new_page(viewport=VIEWPORTS[viewport])
    for name, path in public_page_types().items():
        page.goto(site.url + path)
        assert_fits(page, name)
        save_screenshot(page, name)
        if name in {"article", "treatment", "clinic"}:
            content, form = content_and_form_boxes(page)
            if viewport == "desktop":
                assert form["x"] >= content["x"] + content["width"], f"{name}: form not beside"
                assert form["y"] < content["y"] + content["height"], f"{name}: form below"
                assert form["y"] + form["height"] > content["y"], f"{name}: form above"
            else:
                assert form["y"] >= content["y"] + content["height"], f"{name}: form not after"
    page.goto(site.url + "/no-such-page/")
    save_screenshot(page, "not-found")
    assert_fits(page, "not-found")


def test_error_and_confirmation_pages_fit_a_phone(site, new_page):
    page = new_page(viewport=PHONE)
    page.goto(site.url + "/book/")
    submit_booking(booking_form(page))
    assert_fits(page, "booking errors")
    save_screenshot(page, "booking-errors")
    book(page)
    assert_fits(page, "confirmation")
    save_screenshot(page, "booking-confirmation")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_pages_fit_phone_and_desktop(site, new_page, viewport):
    """Receptionists check the queue on a phone too: no page wider than the screen."""
    clinic = Clinic.objects.published().first()
    request = make_request(clinic=clinic)
    rita = make_clinic_staff("rita", clinics=[clinic], first_name="Rita", last_name="Patel")
    page = new_page(viewport=VIEWPORTS[viewport])
    admin_log_in(page, site.url, rita)
    for name, path in [
        ("admin-home", ""),
        ("admin-queue", "booking/consultationrequest/"),
        ("admin-request", f"booking/consultationrequest/{request.pk}/change/"),
    ]:
        page.goto(admin_url(site.url, path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        save_screenshot(page, name)
        assert_no_sideways_scroll(page, name)
