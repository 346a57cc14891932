"""A receptionist signs in (with a password, or with a two-factor code too), finds a new
request by the patient's phone number, takes it and records the call; the export and
delete that only managers have are out of reach."""

import re

import pytest
from playwright.sync_api import expect

from booking.models import ConsultationRequest
from pages.models import Clinic
from tests.browser.conftest import save_screenshot
from tests.browser.journey import (
    PATIENT,
    admin_log_in,
    admin_url,
    book,
    make_totp_device,
    path_of,
)
from tests.factories import make_clinic_staff, make_request

pytestmark = [
    pytest.mark.browser,
    # Committed data, for the live server's thread; `site` restores the staff groups.
    pytest.mark.django_db(transaction=True),
]

HISTORY_NOTE = "Called the patient: booking her in for Tuesday."


def find_by_phone(page, base_url, phone):
    """From the admin home, open the queue and search for a phone number."""
    page.goto(admin_url(base_url))
    page.get_by_role("link", name="Consultation requests").first.click()
    search = page.get_by_role("textbox", name="Search")
    search.fill(phone)
    with page.expect_navigation():
        search.press("Enter")
    return page.locator("#result_list tbody tr")


@pytest.mark.parametrize("two_factor", [False, True], ids=["password", "two-factor"])
def test_receptionist_triages_a_new_request_and_cannot_export_or_delete(
    site, new_page, settings, two_factor
):
    # REQUIRE_2FA (DJANGO_REQUIRE_2FA) is read on each request, so both sign-ins are tested.
    settings.REQUIRE_2FA = two_factor
    clinic = Clinic.objects.published().first()
    patient = new_page()
    patient.goto(site.url + clinic.get_absolute_url())
    reference = book(patient)
    request = ConsultationRequest.objects.get(reference=reference)
    other = make_request(full_name="Someone Else", phone="+442079460999", clinic=clinic)

    rita = make_clinic_staff("rita", clinics=[clinic], first_name="Rita", last_name="Patel")
    page = new_page()
    admin_log_in(page, site.url, rita, device=make_totp_device(rita) if two_factor else None)
    assert path_of(page) == admin_url("", ""), f"Not signed in: {page.url}"

    # Found by the number typed as the patient would say it, not as it is stored.
    rows = find_by_phone(page, site.url, PATIENT["phone"])
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    assert other.reference not in page.locator("#result_list").inner_text()

    actions = page.get_by_role("combobox", name=re.compile("^Action"))
    offered = actions.locator("option").all_inner_texts()
    assert "Assign to me" in offered
    assert not [option for option in offered if "export" in option.lower()], offered
    assert not [option for option in offered if "delete" in option.lower()], offered

    rows.first.get_by_role("checkbox").check()
    actions.select_option(label="Assign to me")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("assigned to you")
    expect(rows.first).to_contain_text("Rita Patel")
    save_screenshot(page, "admin-queue")

    rows.first.get_by_role("link", name=reference).click()
    page.get_by_label("Change status to").select_option(label="Contacted")
    page.get_by_label("Note for the history").fill(HISTORY_NOTE)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_be_visible()

    history = page.locator(".inline-group").filter(has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("New → Contacted")
    expect(history).to_contain_text(HISTORY_NOTE)
    expect(history).to_contain_text("Rita Patel")
    save_screenshot(page, "admin-request")
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.CONTACTED
    assert request.assigned_to == rita
    assert request.events.filter(actor=rita, to_status="contacted", note=HISTORY_NOTE).exists()

    # No way to delete: no link, and the URL itself is refused.
    expect(page.get_by_role("link", name=re.compile("Delete", re.I))).to_have_count(0)
    delete_url = admin_url(site.url, f"booking/consultationrequest/{request.pk}/delete/")
    assert page.request.get(delete_url).status == 403
    # No way to export: the action, posted by hand, sends no CSV back.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(
        admin_url(site.url, "booking/consultationrequest/"),
        form={
            "csrfmiddlewaretoken": token,
            "action": "export_csv",
            "_selected_action": str(request.pk),
            "index": "0",
        },
    )
    assert "text/csv" not in response.headers.get("content-type", "")
    assert ConsultationRequest.objects.filter(pk=request.pk).exists()
