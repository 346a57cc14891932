"""Consent receipts: each request points to the exact texts its patient agreed to, for good."""

import pytest
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from booking import consent
from booking.models import ConsentText, ConsultationRequest
from pages.models import Page
from tests.booking.admin_helpers import change_url
from tests.factories import booking_form_data, make_consent_text, make_page, make_request
from tests.pages.test_admin import form_data

pytestmark = pytest.mark.django_db

NOTICE_V1 = "## How long we keep it\n\nWe keep your request for 12 months after it is closed.\n"
NOTICE_V2 = "## How long we keep it\n\nWe keep your request for 6 months after it is closed.\n"


def send_booking(client, django_capture_on_commit_callbacks, email):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("booking:request_form"), booking_form_data(email=email))
    assert response.status_code == 302
    return ConsultationRequest.objects.get(email=email)


def edit_notice_in_the_admin(admin_client, notice, body):
    url = reverse("admin:pages_page_change", args=[notice.pk])
    response = admin_client.post(url, form_data(admin_client.get(url), body=body))
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_a_patient_keeps_the_notice_they_agreed_to_after_staff_edit_it(
    client, admin_client, django_capture_on_commit_callbacks
):
    notice = make_page(body=NOTICE_V1)
    first = send_booking(client, django_capture_on_commit_callbacks, "a@example.com")

    edit_notice_in_the_admin(admin_client, notice, NOTICE_V2)
    second = send_booking(client, django_capture_on_commit_callbacks, "b@example.com")

    first.refresh_from_db()
    assert (first.privacy_notice.version, first.privacy_notice.text) == ("1", NOTICE_V1)
    assert (second.privacy_notice.version, second.privacy_notice.text.strip()) == (
        "2",
        NOTICE_V2.strip(),
    )
    assert first.privacy_notice.text_changed_at < second.privacy_notice.text_changed_at
    # Staff see each patient's own version from the request page.
    first_page = admin_client.get(change_url(first)).content.decode()
    assert "12 months" in first_page and "6 months" not in first_page
    assert "Version 1: “Privacy notice”" in first_page
    second_page = admin_client.get(change_url(second)).content.decode()
    assert "6 months" in second_page and "12 months" not in second_page


def test_requests_under_the_same_versions_share_one_stored_text_each(
    client, django_capture_on_commit_callbacks
):
    make_page(body=NOTICE_V1)
    first = send_booking(client, django_capture_on_commit_callbacks, "a@example.com")
    second = send_booking(client, django_capture_on_commit_callbacks, "b@example.com")

    assert (first.consent_wording_id, first.privacy_notice_id) == (
        second.consent_wording_id,
        second.privacy_notice_id,
    )
    assert ConsentText.objects.count() == 2


def test_with_no_privacy_notice_published_the_receipt_says_so(
    client, django_capture_on_commit_callbacks
):
    make_page(body=NOTICE_V1, is_published=False)

    request = send_booking(client, django_capture_on_commit_callbacks, "a@example.com")

    assert request.privacy_notice.version == consent.NO_PRIVACY_NOTICE == "none"
    assert request.privacy_notice.text == (
        "No privacy notice was published on the website when this request was sent."
    )
    assert request.consent_wording.text == consent.consent_wording()


def test_a_stored_text_can_never_be_changed():
    stored = make_consent_text("privacy_notice", "1", text="The words agreed to.")

    stored.text = "Other words."
    with pytest.raises(TypeError, match="can't be changed"):
        stored.save()
    with pytest.raises(TypeError, match="can't be changed"):
        ConsentText.objects.filter(pk=stored.pk).update(text="Other words.")

    stored.refresh_from_db()
    assert stored.text == "The words agreed to."


def test_a_text_a_request_points_to_can_never_be_deleted():
    request = make_request()

    with pytest.raises(ProtectedError):
        request.privacy_notice.delete()
    with pytest.raises(ProtectedError):
        ConsentText.objects.all().delete()

    assert ConsentText.objects.count() == 2


def test_the_admin_lists_the_stored_texts_read_only(admin_client):
    stored = make_consent_text("privacy_notice", "4", title="Privacy notice", text="Words.")
    url = reverse("admin:booking_consenttext_change", args=[stored.pk])

    listing = admin_client.get(reverse("admin:booking_consenttext_changelist"))
    page = admin_client.get(url)
    admin_client.post(url, {"text": "Other words.", "version": "5"})

    assert "Privacy notice, version 4" in listing.content.decode()
    assert page.status_code == 200 and "Words." in page.content.decode()
    assert 'name="text"' not in page.content.decode()
    assert admin_client.get(reverse("admin:booking_consenttext_add")).status_code == 403
    delete = reverse("admin:booking_consenttext_delete", args=[stored.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    stored.refresh_from_db()
    assert (stored.version, stored.text) == ("4", "Words.")


def test_a_new_notice_version_is_stored_from_the_same_read_that_gives_its_version():
    notice = make_page(body=NOTICE_V1)
    consent.current_texts()
    Page.objects.filter(pk=notice.pk).update(body=NOTICE_V2, version=2)

    agreed = consent.current_texts()

    stored = ConsentText.objects.get(pk=agreed.privacy_notice_id)
    assert (stored.version, stored.text) == ("2", NOTICE_V2)
    assert ConsentText.objects.get(kind="privacy_notice", version="1").text == NOTICE_V1
