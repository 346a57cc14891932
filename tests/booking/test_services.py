"""Storing a consultation request: one service, one row, a unique reference, a consent receipt."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from booking import consent, services
from booking.models import ConsentText, ConsultationRequest
from booking.working_hours import response_deadline
from pages.models import Page
from tests.factories import make_clinic, make_page, make_request, make_treatment

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"CSC-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}")


def create(**fields):
    values = {
        "full_name": "Zoë O'Connor-Ng",
        "email": "zoe@example.com",
        "phone": "+447912345678",
        "contact_method": "phone",
        "confirmed_adult": True,
    }
    values.update(fields)
    return services.consultation_request_create(**values)


@pytest.fixture
def scheduled(monkeypatch):
    """The requests whose notifications were scheduled, and whether inside a transaction."""
    calls = []

    def record(consultation_request):
        calls.append((consultation_request.reference, connection.in_atomic_block))

    monkeypatch.setattr(services, "schedule_new_request_notifications", record)
    return calls


def test_a_request_is_stored_as_new_with_its_answers_and_a_reference(scheduled):
    clinic = make_clinic("Bristol")
    treatment = make_treatment("Moles")
    stored = create(
        clinic=clinic,
        treatment=treatment,
        best_time_to_call="Mornings",
        message="A mole on my arm.",
        marketing_opt_in=True,
        source_path="/treatments/moles/",
        submission_token="nonce-1234567890abcdef",
    )
    row = ConsultationRequest.objects.get()
    assert row == stored
    assert REFERENCE.fullmatch(row.reference)
    assert row.status == ConsultationRequest.Status.NEW
    assert row.spam_reason == ""
    assert (row.clinic, row.treatment) == (clinic, treatment)
    assert row.full_name == "Zoë O'Connor-Ng"
    assert row.message == "A mole on my arm."
    assert row.marketing_opt_in is True
    assert row.source_path == "/treatments/moles/"
    assert row.submission_token == "nonce-1234567890abcdef"
    assert row.is_clinical_priority is False


def test_the_consent_receipt_records_the_texts_on_show_and_the_time(scheduled):
    make_page(title="Privacy notice", body="How we use your information.")
    Page.objects.filter(slug="privacy").update(version=3)

    stored = create()

    stored.refresh_from_db()
    assert stored.consent_wording.kind == ConsentText.Kind.CONSENT_WORDING
    assert stored.consent_wording.version == consent.consent_wording_version()
    assert stored.consent_wording.text == consent.consent_wording()
    assert stored.privacy_notice.kind == ConsentText.Kind.PRIVACY_NOTICE
    assert stored.privacy_notice.version == "3"
    assert stored.privacy_notice.title == "Privacy notice"
    assert stored.privacy_notice.text == "How we use your information."
    assert stored.consent_given_at == stored.created_at


def test_the_response_target_follows_the_working_day_rule(scheduled):
    stored = create()
    assert stored.respond_by == response_deadline(stored.created_at)
    assert stored.respond_by == stored.default_respond_by()


def test_a_request_records_the_london_week_day_and_hour_it_arrived(scheduled, monkeypatch):
    # Sunday 30 March 2025 at 23:30 UTC: the clocks have gone forward, so Monday 00:30 in London.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 3, 30, 23, 30, tzinfo=UTC))

    stored = ConsultationRequest.objects.get(pk=create().pk)

    assert (stored.arrival_week, stored.arrival_weekday, stored.arrival_hour) == (
        date(2025, 3, 31),
        0,
        0,
    )


def test_a_yes_to_changed_bled_or_itchy_is_a_clinical_priority_with_a_sooner_target(
    scheduled, settings
):
    settings.BOOKING_RESPONSE_HOURS = 24
    settings.BOOKING_PRIORITY_RESPONSE_HOURS = 4
    priority = create(recent_change="yes")
    routine = create(recent_change="not_sure")
    assert priority.is_clinical_priority is True
    assert routine.is_clinical_priority is False
    assert priority.respond_by == response_deadline(priority.created_at, clinical_priority=True)
    assert priority.respond_by - priority.created_at < routine.respond_by - routine.created_at


def test_notifications_are_scheduled_once_inside_the_creating_transaction(scheduled):
    stored = create()
    assert scheduled == [(stored.reference, True)]


def test_suspected_spam_is_stored_and_flagged_and_its_emails_held_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stored = create(spam_reason="honeypot field filled in")
    row = ConsultationRequest.objects.get()
    assert row == stored
    assert row.status == ConsultationRequest.Status.SPAM
    assert row.spam_reason == "honeypot field filled in"
    not_sent = ConsultationRequest.NotificationState.NOT_SENT
    assert (row.staff_notification, row.patient_notification) == (not_sent, not_sent)
    assert mailoutbox == []


def test_an_invalid_request_is_refused_and_nothing_is_stored(scheduled):
    with pytest.raises(ValidationError) as raised:
        create(email="not-an-email", contact_method="pigeon")
    assert set(raised.value.message_dict) == {"email", "contact_method"}
    assert not ConsultationRequest.objects.exists()
    assert scheduled == []


def test_a_patient_who_has_not_confirmed_they_are_an_adult_is_refused(scheduled):
    with pytest.raises(ValidationError):
        create(confirmed_adult=False)
    assert not ConsultationRequest.objects.exists()


def test_the_same_form_token_twice_stores_one_request(scheduled):
    first = create(submission_token="same-nonce-abcdefghij")
    second = create(submission_token="same-nonce-abcdefghij", full_name="Someone Else")
    assert second.pk == first.pk
    assert second.full_name == "Zoë O'Connor-Ng"
    assert ConsultationRequest.objects.count() == 1
    assert scheduled == [(first.reference, True)]


def test_requests_without_a_token_are_all_stored(scheduled):
    create(submission_token=None)
    create(submission_token="")
    assert ConsultationRequest.objects.filter(submission_token=None).count() == 2


def test_a_clashing_reference_is_replaced_by_a_fresh_one(scheduled, monkeypatch):
    make_request(reference="CSC-AAAAAA")
    references = iter(["CSC-AAAAAA", "CSC-AAAAAA", "CSC-BBBBBB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(references))
    stored = create()
    assert stored.reference == "CSC-BBBBBB"
    assert ConsultationRequest.objects.count() == 2
    assert scheduled == [("CSC-BBBBBB", True)]


def test_when_every_reference_clashes_the_service_gives_up_and_stores_nothing(
    scheduled, monkeypatch
):
    make_request(reference="CSC-AAAAAA")
    monkeypatch.setattr(services, "new_reference", lambda: "CSC-AAAAAA")
    with pytest.raises(services.ReferenceUnavailable):
        create()
    assert ConsultationRequest.objects.count() == 1
    assert scheduled == []


def test_references_use_an_alphabet_without_look_alike_characters():
    assert not set(services.REFERENCE_ALPHABET) & set("01OIL")
    references = {services.new_reference() for _ in range(2000)}
    assert all(REFERENCE.fullmatch(reference) for reference in references)
    assert len(references) == 2000  # random, not sequential or guessable in a small space
    assert (
        len(services.new_reference()) <= ConsultationRequest._meta.get_field("reference").max_length
    )


# --- Consent versions --------------------------------------------------------------------------


def test_changing_the_consent_wording_creates_a_new_version(settings):
    before = consent.consent_wording_version()
    assert re.fullmatch(r"[0-9a-f]{12}", before)
    assert consent.consent_wording_version() == before  # stable while the wording is
    settings.CLINIC_NAME = "Cosmedics Skin Clinics Ltd"
    assert consent.consent_wording_version() != before


def notice_agreed_to_now() -> ConsentText:
    return ConsentText.objects.get(pk=consent.current_texts().privacy_notice_id)


def test_the_privacy_notice_agreed_to_is_the_published_notice():
    page = Page.objects.create(
        title="Privacy notice", slug="privacy", body="Draft text.", is_published=False
    )
    none = notice_agreed_to_now()  # a draft isn't on show
    assert (none.version, none.title) == (consent.NO_PRIVACY_NOTICE, "")
    assert none.text == consent.NO_PRIVACY_NOTICE_TEXT

    Page.objects.filter(pk=page.pk).update(is_published=True, version=3)
    page.refresh_from_db()
    notice = notice_agreed_to_now()
    assert (notice.version, notice.title, notice.text) == ("3", "Privacy notice", "Draft text.")
    assert notice.text_changed_at == page.text_changed_at


def test_each_version_is_stored_once_and_looked_up_in_one_query(django_assert_num_queries):
    make_page(body="How we use your information.")
    first = consent.current_texts()
    with django_assert_num_queries(1):
        assert consent.current_texts() == first
    assert ConsentText.objects.count() == 2


def test_the_privacy_notice_link_is_the_notice_page():
    assert consent.privacy_notice_url() == "/privacy/"
