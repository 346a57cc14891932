"""Patients book a consultation in a real browser, as people would: from an article after
fixing mistakes, from a treatment or clinic page, and with JavaScript turned off.

Screenshots of the error and confirmation pages go to test-artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from booking.models import ConsultationRequest
from pages.models import Clinic, Treatment
from tests.browser.conftest import save_screenshot
from tests.browser.journey import (
    CLINIC,
    EMAIL,
    PATIENT,
    PATIENT_PHONE_E164,
    PHONE_NUMBER,
    TREATMENT,
    book,
    booking_form,
    confirmation_reference,
    fill_booking,
    focused,
    path_of,
    submit_booking,
)

pytestmark = [
    pytest.mark.browser,
    # Committed data, for the live server's thread; `site` restores the staff groups.
    pytest.mark.django_db(transaction=True),
]


def described_by(locator):
    """The text of the elements named in aria-describedby: what a screen reader reads."""
    return locator.evaluate(
        """el => (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(node => node.textContent.trim()).join(" ")"""
    )


def open_milia_article(page, base_url):
    """Home → "Skin advice" in the main navigation → the milia article."""
    page.goto(base_url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Skin advice").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("main").get_by_role("link", name=re.compile("milia", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("milia", re.I))
    assert path_of(page).startswith("/skin-advice/")
    return path_of(page)


def assert_error_summary_works(page):
    """The summary has focus, and each of its links moves focus to the field it names."""
    assert page.title().startswith("Error: "), page.title()
    summary_id = focused(page)["id"]
    assert summary_id, f"The error summary does not have focus: {focused(page)}"
    summary = page.locator(f"[id='{summary_id}']")
    expect(summary).to_contain_text(re.compile("problem", re.I))
    links = summary.get_by_role("link")
    assert links.count() >= 3, summary.inner_html()
    for index in range(links.count()):
        link = links.nth(index)
        message = link.inner_text().strip()
        target_id = link.get_attribute("href").removeprefix("#")
        link.click()
        assert focused(page)["id"] == target_id, f"{message!r} did not move focus to its field"
        field = page.locator(f"[id='{target_id}']")
        group = field.locator("xpath=ancestor::fieldset[1]")
        descriptions = described_by(field) + (described_by(group) if group.count() else "")
        assert message in descriptions, f"{target_id} is not described by its error {message!r}"
    return links


def test_patient_books_from_the_milia_article_after_fixing_mistakes(site, page):
    article_path = open_milia_article(page, site.url)
    form = booking_form(page)
    expect(form).to_be_visible()

    # Wrong: no name, an email without an @, a number that isn't one, no boxes ticked.
    form.get_by_label(EMAIL).fill("zoe.example.com")
    form.get_by_label(PHONE_NUMBER).fill("12345")
    submit_booking(form)

    links = assert_error_summary_works(page)
    summary_text = " ".join(links.all_inner_texts())
    for message in [
        "Enter your full name",
        "Enter an email address in the correct format, like name@example.com",
        "Enter a phone number, like 020 7386 0464 or +44 7700 900123",
        "Confirm that you are 18 or over",
    ]:
        assert message in summary_text
    save_screenshot(page, "booking-errors")

    form = booking_form(page)
    # What the patient typed is kept, so only the mistakes need fixing.
    expect(form.get_by_label(EMAIL)).to_have_value("zoe.example.com")
    expect(form.get_by_label(PHONE_NUMBER)).to_have_value("12345")
    fill_booking(form)
    submit_booking(form)

    reference = confirmation_reference(page)
    expect(page.locator("main")).to_contain_text("020 7386 0464")
    save_screenshot(page, "booking-confirmation")
    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.full_name == PATIENT["full_name"]
    assert stored.phone == PATIENT_PHONE_E164
    assert stored.source_path == article_path
    assert stored.status == ConsultationRequest.Status.NEW
    assert not stored.spam_reason

    page.reload()
    assert ConsultationRequest.objects.count() == 1, "Reloading the confirmation booked again"


def selected_option_text(select):
    return select.evaluate("el => el.options[el.selectedIndex].text.trim()")


def test_booking_from_a_treatment_page_preselects_the_treatment(site, page):
    # The last concern listed: not one a form would pick by default.
    conditions = Treatment.objects.published().filter(kind=Treatment.Kind.CONDITION)
    treatment = conditions.order_by("sort_order", "title").last()
    page.goto(site.url + "/treatments/")
    page.locator("main").get_by_role("link", name=treatment.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(treatment.title)

    form = booking_form(page)
    assert selected_option_text(form.get_by_label(TREATMENT)) == treatment.title
    reference = book(page)

    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.treatment == treatment
    assert stored.source_path == treatment.get_absolute_url()


def test_booking_from_a_clinic_page_preselects_the_clinic(site, page):
    clinic = Clinic.objects.published().order_by("sort_order", "title").last()
    page.goto(site.url + "/clinics/")
    page.locator("main").get_by_role("link", name=clinic.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(clinic.city)

    form = booking_form(page)
    assert selected_option_text(form.get_by_label(CLINIC)) == clinic.title
    reference = book(page)

    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.clinic == clinic
    assert stored.source_path == clinic.get_absolute_url()


def test_patient_books_with_javascript_turned_off(site, new_page):
    page = new_page(java_script_enabled=False)
    article_path = open_milia_article(page, site.url)
    form = booking_form(page)
    form.get_by_label(EMAIL).fill("not an email")
    submit_booking(form)

    # Without JavaScript the summary still takes focus (autofocus) and its links still work.
    assert_error_summary_works(page)
    fill_booking(booking_form(page))
    submit_booking(booking_form(page))

    reference = confirmation_reference(page)
    assert ConsultationRequest.objects.get(reference=reference).source_path == article_path
