"""`manage.py purge_requests`: health data is kept no longer than the retention periods."""

from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from booking.models import ConsultationRequest, RequestEvent, RequestNote, RetentionRecord
from booking.privacy import person_erase
from tests.factories import make_clinic, make_request, make_staff, make_treatment

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
NAME = "Aleksander Wiśniewski"
EMAIL = "a.wisniewski@example.com"
MESSAGE = "The skin tag on my neck catches on my collar"


def days_ago(days, *, hours=0):
    return timezone.now() - timedelta(days=days, hours=hours)


def month_of(moment):
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def purge(*args):
    call_command("purge_requests", *args)


def old_closed(days, **fields):
    fields.setdefault("status", Status.CLOSED)
    fields.setdefault("outcome", ConsultationRequest.Outcome.ATTENDED)
    fields.setdefault("created_at", days_ago(days + 30))
    fields.setdefault("consent_given_at", fields["created_at"])
    return make_request(status_changed_at=days_ago(days), **fields)


# --- Spam -------------------------------------------------------------------------------------


def test_spam_is_deleted_30_days_after_it_was_flagged():
    old_spam = make_request(status=Status.SPAM, created_at=days_ago(31))
    flagged_late = make_request(
        status=Status.SPAM, created_at=days_ago(40), status_changed_at=days_ago(10)
    )
    recent_spam = make_request(status=Status.SPAM, created_at=days_ago(29))

    purge()

    remaining = set(ConsultationRequest.objects.values_list("pk", flat=True))
    assert old_spam.pk not in remaining
    assert {flagged_late.pk, recent_spam.pk} <= remaining
    record = RetentionRecord.objects.get()
    assert (record.action, record.reason, record.status, record.count) == (
        "deleted",
        "spam",
        "spam",
        1,
    )


def test_erased_spam_is_kept_for_its_audit_trail():
    officer = make_staff("privacy-lead")
    spam = make_request(status=Status.SPAM, created_at=days_ago(60), email=EMAIL)
    person_erase(email=EMAIL, actor=officer)

    purge()

    assert spam.events.filter(action="erased", actor=officer).exists()


# --- Closed requests --------------------------------------------------------------------------


def test_closed_requests_are_anonymised_a_year_after_closing_keeping_counts():
    clinic, treatment = make_clinic("Bristol"), make_treatment("Skin tags")
    staff = make_staff()
    old = old_closed(
        366,
        full_name=NAME,
        email=EMAIL,
        phone="+447912345678",
        best_time_to_call="After 6pm",
        message=MESSAGE,
        recent_change="yes",
        is_clinical_priority=True,
        marketing_opt_in=True,
        source_path="/treatments/skin-tags/?utm_source=x",
        clinic=clinic,
        treatment=treatment,
        appointment_at=days_ago(380),
        appointment_clinic=clinic,
    )
    RequestNote.objects.create(request=old, author=staff, text=f"Spoke to {NAME} about it")
    RequestEvent.objects.create(
        request=old, actor=staff, action="status", from_status="new", to_status="contacted",
        note=f"Called {NAME}",
    )  # fmt: skip
    recent = old_closed(300, full_name="Kept Person")
    created_month = month_of(old.created_at)
    consent_month = month_of(old.consent_given_at)

    purge()

    old.refresh_from_db()
    assert (old.full_name, old.email, old.phone, old.message) == ("", "", "", "")
    assert (old.best_time_to_call, old.recent_change, old.source_path) == ("", "", "")
    assert old.appointment_at is None
    assert old.marketing_opt_in is False
    assert old.anonymised_at is not None
    # What reporting needs stays.
    assert (old.reference, old.status, old.outcome) == (old.reference, "closed", "attended")
    assert (old.clinic, old.treatment, old.is_clinical_priority) == (clinic, treatment, True)
    assert old.created_at == created_month
    # The consent receipt stays: the texts agreed to, and (like created_at) only the month.
    assert old.consent_given_at == consent_month
    assert (old.consent_wording.version, old.privacy_notice.version) == ("test-wording", "1")
    # Staff notes are gone; history stays, without free text, with the reason it was cleared.
    assert not old.notes.exists()
    events = list(old.events.all())
    assert [event.action for event in events] == ["status", "anonymised"]
    assert events[0].note == ""
    assert events[0].actor == staff
    assert "Retention policy" in events[1].note
    assert events[1].actor is None
    recent.refresh_from_db()
    assert recent.full_name == "Kept Person"
    assert recent.anonymised_at is None
    record = RetentionRecord.objects.get()
    assert (record.action, record.reason, record.status, record.count) == (
        "anonymised",
        "closed",
        "closed",
        1,
    )


def test_the_closed_period_is_a_setting(settings):
    settings.BOOKING_RETENTION_CLOSED_DAYS = 90
    request = old_closed(91)

    purge()

    request.refresh_from_db()
    assert request.anonymised_at is not None


def test_running_twice_anonymises_once():
    old_closed(400)

    purge()
    purge()

    assert RetentionRecord.objects.count() == 1
    assert RequestEvent.objects.filter(action="anonymised").count() == 1


# --- Open requests nobody closed --------------------------------------------------------------


def test_open_requests_untouched_for_two_years_are_closed_and_anonymised():
    stale = make_request(status=Status.CONTACTED, created_at=days_ago(800), full_name=NAME)
    stale_booked = make_request(
        status=Status.BOOKED, created_at=days_ago(900), status_changed_at=days_ago(740)
    )
    recently_noted = make_request(status=Status.NEW, created_at=days_ago(800))
    RequestNote.objects.create(
        request=recently_noted, text="Left a voicemail", created_at=days_ago(5)
    )
    young = make_request(status=Status.NEW, created_at=days_ago(700))

    purge()

    for request in (stale, stale_booked):
        request.refresh_from_db()
        assert request.anonymised_at is not None
        assert request.full_name == ""
        assert (request.status, request.outcome) == ("closed", "no_response")
    event = stale.events.get(action="anonymised")
    assert (event.from_status, event.to_status) == ("contacted", "closed")
    for request in (recently_noted, young):
        request.refresh_from_db()
        assert request.anonymised_at is None
    counts = {
        (record.reason, record.status): record.count for record in RetentionRecord.objects.all()
    }
    assert counts == {("stale_open", "booked"): 1, ("stale_open", "contacted"): 1}


# --- Dry run and output -----------------------------------------------------------------------


def test_dry_run_prints_what_it_would_do_and_changes_nothing(capsys):
    spam = make_request(status=Status.SPAM, created_at=days_ago(45))
    closed = old_closed(400, full_name=NAME)
    old_closed(500)

    purge("--dry-run")

    output = capsys.readouterr().out
    assert "Would have deleted 1 spam request (spam for more than 30 days: deleted)." in output
    assert "Would have anonymised 2 closed requests" in output
    assert "Dry run: nothing was changed." in output
    assert ConsultationRequest.objects.filter(pk=spam.pk).exists()
    closed.refresh_from_db()
    assert closed.full_name == NAME
    assert not RetentionRecord.objects.exists()


def test_the_command_reports_counts_and_logs_no_personal_data(capsys, caplog):
    make_request(status=Status.SPAM, created_at=days_ago(45), full_name=NAME, email=EMAIL)
    old_closed(400, full_name=NAME, email=EMAIL, message=MESSAGE)

    with caplog.at_level("INFO"):
        purge()

    output = capsys.readouterr().out
    assert "Have deleted 1 spam request" in output
    assert "Have anonymised 1 closed request" in output
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Retention: deleted 1 spam request(s) (spam)" in logged
    for text in (output, logged):
        for personal in (NAME, EMAIL, MESSAGE):
            assert personal not in text


def test_nothing_to_do_says_so(capsys):
    make_request()

    purge()

    assert "Nothing is past its retention period." in capsys.readouterr().out
