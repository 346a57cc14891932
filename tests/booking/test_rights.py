"""Patients' data rights: find, export (subject access) and erase one person's data."""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from booking import consent
from booking.models import ConsultationRequest, RequestEvent, RequestNote, RetentionRecord
from booking.services import consultation_request_transition
from pages.models import Page
from tests.factories import (
    booking_form_data,
    make_clinic,
    make_page,
    make_request,
    make_staff,
    make_treatment,
)

pytestmark = pytest.mark.django_db

RIGHTS = "booking.handle_rights_requests"
NAME = "Chidi Okonkwo"
EMAIL = "chidi.okonkwo@example.com"
MESSAGE = "Two moles on my arm, one has got darker"
SEARCH = reverse("booking_rights:search")
EXPORT = reverse("booking_rights:export")
ERASE = reverse("booking_rights:erase")


def month_of(moment):
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def officer(client):
    """A signed-in member of staff with the rights permission (but not a superuser)."""
    user = make_staff("privacy-lead", permissions=[RIGHTS], first_name="Priya", last_name="Shah")
    client.force_login(user)
    return user


@pytest.fixture
def person():
    """Two requests from one person (the second typed their address in capitals), one not."""
    clinic, treatment = make_clinic("London"), make_treatment("Mole removal")
    staff = make_staff("reception")
    first = make_request(
        full_name=NAME,
        email=EMAIL,
        message=MESSAGE,
        clinic=clinic,
        treatment=treatment,
        recent_change="yes",
        is_clinical_priority=True,
    )
    RequestNote.objects.create(request=first, author=staff, text="Called, no answer")
    consultation_request_transition(
        consultation_request=first,
        status=ConsultationRequest.Status.CONTACTED,
        by=staff,
        note="Left voicemail",
    )
    second = make_request(full_name=NAME, email=EMAIL.upper(), message="Following up")
    someone_else = make_request(full_name="Someone Else", email="someone@example.com")
    return first, second, someone_else


# --- Who may use it ---------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_the_staff_login(client):
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [SEARCH, EXPORT, ERASE])
def test_staff_without_the_permission_get_403(client, url, person):
    reception = make_staff("front-desk", permissions=["booking.view_consultationrequest"])
    client.force_login(reception)

    response = client.post(url, {"email": EMAIL, "erase": "1", "identity_checked": "on"})

    assert response.status_code == 403
    assert ConsultationRequest.objects.filter(email__iexact=EMAIL).count() == 2


def test_the_role_groups_do_not_include_the_permission_by_default():
    groups = Group.objects.filter(name__in=["Reception", "Clinic manager"])
    assert groups.count() == 2
    for group in groups:
        assert not group.permissions.filter(codename="handle_rights_requests").exists()


def test_posts_need_a_csrf_token(officer, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = client.post(EXPORT, {"email": EMAIL})

    assert response.status_code == 403


def test_the_admin_home_links_to_the_page_only_for_permitted_staff(rf, officer):
    request = rf.get("/")
    allowed = render_to_string(
        "admin/booking/rights/index_link.html",
        {"perms": _perms(officer)},
        request=request,
    )
    denied = render_to_string(
        "admin/booking/rights/index_link.html",
        {"perms": _perms(make_staff("front-desk"))},
        request=request,
    )
    assert f'href="{SEARCH}"' in allowed
    assert SEARCH not in denied


def _perms(user):
    from django.contrib.auth.context_processors import PermWrapper

    return PermWrapper(user)


# --- Finding a person -------------------------------------------------------------------------


def test_search_page_shows_the_form_and_retention_periods(client, officer):
    response = client.get(SEARCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'method="post"' in page
    assert "deletes spam after 30 days" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_finding_a_person_lists_their_requests_whatever_the_case(client, officer, person):
    first, second, someone_else = person

    response = client.post(SEARCH, {"email": f"  {EMAIL.title()} "})

    page = response.content.decode()
    assert "2 requests for" in page
    assert first.reference in page and second.reference in page
    assert someone_else.reference not in page
    assert reverse("admin:booking_consultationrequest_change", args=[first.pk]) in page


def test_an_unknown_address_says_nothing_is_held(client, officer, person):
    page = client.post(SEARCH, {"email": "nobody@example.com"}).content.decode()
    assert "We hold no consultation requests sent with this address" in page


def test_a_malformed_address_gets_a_clear_error(client, officer):
    page = client.post(SEARCH, {"email": "not-an-address"}).content.decode()
    assert "Enter an email address in the correct format, like name@example.com." in page


# --- Export (subject access request) ----------------------------------------------------------


def test_export_downloads_everything_held_about_the_person_as_json(client, officer, person):
    first, second, someone_else = person

    response = client.post(EXPORT, {"email": EMAIL})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="subject-access-request-')
    assert EMAIL not in disposition
    data = json.loads(response.content)
    assert data["controller"] == "Cosmedics Skin Clinics"
    assert data["generated_by"] == "Priya Shah"
    exported = {item["reference"]: item for item in data["consultation_requests"]}
    assert set(exported) == {first.reference, second.reference}
    item = exported[first.reference]
    assert item["your_answers"]["full_name"] == NAME
    assert item["your_answers"]["message"] == MESSAGE
    assert item["your_answers"]["treatment_or_concern"] == "Mole removal"
    assert item["your_answers"]["changed_bled_or_itchy_recently"] == "Yes"
    assert item["consent"] == {
        "given_at": first.consent_given_at.isoformat(),
        "consent_wording_version": "test-wording",
        "consent_wording": "The consent wording a patient agreed to (test-wording).",
        "privacy_notice_version": "1",
        "privacy_notice": {
            "title": "",
            "last_updated": None,
            "text": "The privacy notice a patient agreed to (1).",
        },
    }
    assert item["handling"]["status"] == "Contacted"
    assert [note["text"] for note in item["staff_notes"]] == ["Called, no answer"]
    assert any("Left voicemail" in event["note"] for event in item["history"])
    assert "Someone Else" not in response.content.decode()


def test_export_includes_the_exact_wording_and_privacy_notice_the_person_agreed_to(
    client, officer, django_capture_on_commit_callbacks
):
    notice = make_page(body="## Who we are\n\nCosmedics Skin Clinics.\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("booking:request_form"), booking_form_data(email=EMAIL))
    notice.body = "## Who we are\n\nCosmedics Skin Clinics Ltd.\n"
    notice.save()  # a new version, after the person agreed to the first

    data = json.loads(client.post(EXPORT, {"email": EMAIL}).content)

    (item,) = data["consultation_requests"]
    assert item["consent"]["consent_wording"] == consent.consent_wording()
    assert item["consent"]["consent_wording_version"] == consent.consent_wording_version()
    assert item["consent"]["privacy_notice_version"] == "1"
    assert item["consent"]["privacy_notice"]["title"] == "Privacy notice"
    assert item["consent"]["privacy_notice"]["text"] == "## Who we are\n\nCosmedics Skin Clinics.\n"
    last_updated = datetime.fromisoformat(item["consent"]["privacy_notice"]["last_updated"])
    assert last_updated < Page.objects.get(pk=notice.pk).text_changed_at


def test_export_is_recorded_on_each_request(client, officer, person):
    first, second, someone_else = person

    client.post(EXPORT, {"email": EMAIL})

    for request in (first, second):
        event = request.events.get(action="data_exported")
        assert event.actor == officer
    assert not someone_else.events.filter(action="data_exported").exists()


def test_export_only_answers_post(client, officer):
    assert client.get(EXPORT).status_code == 405


# --- Erasure ----------------------------------------------------------------------------------


def test_erasure_asks_for_confirmation_first_and_changes_nothing(client, officer, person):
    first, second, _ = person

    response = client.post(ERASE, {"email": EMAIL})

    page = response.content.decode()
    assert response.status_code == 200
    assert "This cannot be undone" in page
    assert first.reference in page and second.reference in page
    assert 'name="identity_checked"' in page
    assert ConsultationRequest.objects.filter(email__iexact=EMAIL).count() == 2


def test_erasure_needs_the_identity_check_ticked(client, officer, person):
    response = client.post(ERASE, {"email": EMAIL, "erase": "1"})

    assert "Confirm that you checked the person&#x27;s identity." in response.content.decode()
    assert ConsultationRequest.objects.filter(email__iexact=EMAIL).count() == 2


def test_erasure_anonymises_the_person_and_records_who_did_it(client, officer, person):
    first, second, someone_else = person

    response = client.post(ERASE, {"email": EMAIL, "erase": "1", "identity_checked": "on"})

    assert response.status_code == 302
    assert response.url == SEARCH
    assert not ConsultationRequest.objects.filter(email__iexact=EMAIL).exists()
    for request in (first, second):
        request.refresh_from_db()
        assert (request.full_name, request.email, request.phone, request.message) == (
            "",
            "",
            "",
            "",
        )
        assert request.anonymised_at is not None
        assert not request.notes.exists()
        erased = request.events.get(action="erased")
        assert erased.actor == officer
        # An open request is closed: nobody can be contacted any more.
        assert (request.status, request.outcome) == ("closed", "declined")
        assert (erased.from_status, erased.to_status) != ("", "")
        # The consent receipt stays, with the time cut to the month like the request's.
        assert request.consent_given_at == request.created_at == month_of(request.created_at)
        assert request.consent_wording.version == "test-wording"
    assert not RequestEvent.objects.filter(request=first, note__contains="voicemail").exists()
    someone_else.refresh_from_db()
    assert someone_else.full_name == "Someone Else"
    counts = {record.status: record.count for record in RetentionRecord.objects.all()}
    assert counts == {"contacted": 1, "new": 1}
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [f"Erased 2 requests: {first.reference}, {second.reference}. "
                        "Each keeps a record that you erased it."]  # fmt: skip


def test_erasure_message_and_page_follow_the_redirect(client, officer, person):
    response = client.post(
        ERASE, {"email": EMAIL, "erase": "1", "identity_checked": "on"}, follow=True
    )
    page = response.content.decode()
    assert "Erased 2 requests" in page
    assert "The person asked for erasure" in page


def test_erasing_an_unknown_address_says_there_is_nothing_to_erase(client, officer):
    page = client.post(ERASE, {"email": "nobody@example.com"}).content.decode()
    assert "there is nothing to erase" in page


def test_email_addresses_never_travel_in_urls(client, officer, person):
    page = client.post(SEARCH, {"email": EMAIL}).content.decode()
    assert "?email=" not in page
    assert client.get(SEARCH, {"email": EMAIL}).content.decode().count(EMAIL) == 0


# --- Commands ---------------------------------------------------------------------------------


def test_export_person_command_writes_the_json(tmp_path, officer, person):
    first, second, _ = person
    output = tmp_path / "sar.json"

    call_command("export_person", email=EMAIL, by="privacy-lead", output=str(output))

    data = json.loads(output.read_text())
    assert {item["reference"] for item in data["consultation_requests"]} == {
        first.reference,
        second.reference,
    }
    assert first.events.filter(action="data_exported", actor=officer).exists()


def test_erase_person_command_erases_with_no_input(officer, person, capsys):
    first, second, _ = person

    call_command("erase_person", email=EMAIL, by="privacy-lead", interactive=False)

    assert "Erased 2 request(s)" in capsys.readouterr().out
    assert not ConsultationRequest.objects.filter(email__iexact=EMAIL).exists()
    assert first.events.filter(action="erased", actor=officer).exists()


def test_erase_person_command_stops_unless_confirmed(officer, person, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    call_command("erase_person", email=EMAIL, by="privacy-lead")

    assert "Cancelled" in capsys.readouterr().out
    assert ConsultationRequest.objects.filter(email__iexact=EMAIL).count() == 2


def test_commands_refuse_staff_without_the_permission(person):
    make_staff("front-desk")
    with pytest.raises(CommandError, match="may not handle rights requests"):
        call_command("export_person", email=EMAIL, by="front-desk")
    with pytest.raises(CommandError, match="No user called"):
        call_command("erase_person", email=EMAIL, by="nobody", interactive=False)
    assert ConsultationRequest.objects.filter(email__iexact=EMAIL).count() == 2
