"""A patient opens the link in their appointment email in a real browser and asks to cancel:
the browser's own form submission must pass the CSRF check on that private page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.appointment_links import appointment_change_url
from booking.models import ConsultationRequest
from tests.browser.conftest import PHONE, save_screenshot
from tests.factories import make_clinic, make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_patient_asks_to_cancel_through_the_link_in_their_email(site, new_page, settings):
    settings.SITE_URL = site.url
    clinic = make_clinic("Bristol Clifton", slug="bristol-clifton-test", address="12 Road")
    consultation_request = make_request(
        clinic=clinic,
        status=ConsultationRequest.Status.BOOKED,
        appointment_at=timezone.now() + timedelta(days=3),
        appointment_clinic=clinic,
        appointment_uid="appt-browser@clinic.example",
    )
    page = new_page(PHONE)

    page.goto(appointment_change_url(consultation_request))
    page.get_by_label("I need to cancel").check()
    page.get_by_role("button", name="Send to the clinic").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your message")
    save_screenshot(page, "appointment-change-sent")
    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ConsultationRequest.ChangeRequest.CANCEL
