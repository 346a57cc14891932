"""The synthetic requests command: repeatable, realistic, clearly marked, safe to remove, and
never run against what may be production."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking.models import AppointmentEmail, ConsultationRequest, RequestEvent
from booking.working_hours import working_time_between
from pages.models import Article, Clinic, Treatment
from tests.booking.notification_helpers import DATABASE_TASKS
from tests.factories import make_clinic, make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome
NOW = datetime(2026, 3, 20, 15, 30, tzinfo=UTC)


@pytest.fixture
def site(settings, monkeypatch):
    """The seed content, debug on, and a fixed "now" so the same seed gives the same rows."""
    settings.DEBUG = True
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    call_command("seed_content", stdout=StringIO())
    make_clinic("Draft clinic", is_published=False)


def synthesise(*args):
    output = StringIO()
    call_command("synthetic_requests", *args, stdout=output)
    return output.getvalue()


def synthetic():
    return ConsultationRequest.objects.filter(reference__startswith="SYN-")


def snapshot():
    return list(
        synthetic()
        .order_by("reference")
        .values_list(
            "reference", "created_at", "clinic__slug", "treatment__slug", "source_path",
            "status", "outcome", "spam_reason", "respond_by", "appointment_at",
            "first_response_minutes",
        )
    )  # fmt: skip


def test_the_same_seed_gives_the_same_requests(site):
    synthesise("--count", "300", "--seed", "7")
    first = snapshot()
    events = RequestEvent.objects.count()
    synthesise("--remove")
    synthesise("--count", "300", "--seed", "7")

    assert snapshot() == first
    assert RequestEvent.objects.count() == events
    synthesise("--remove")
    synthesise("--count", "300", "--seed", "8")
    assert snapshot() != first


def test_a_year_has_every_status_and_outcome_and_reports_the_counts(site):
    output = synthesise("--count", "3000", "--seed", "3")

    assert synthetic().count() == 3000
    statuses = {s: synthetic().filter(status=s).count() for s in Status}
    assert all(statuses.values()), statuses
    assert set(synthetic().values_list("outcome", flat=True)) == {"", *Outcome.values}
    for status, count in statuses.items():
        assert re.search(rf"{Status(status).label.lower()}\s+{count}\n", output)
    assert synthetic().overdue(now=NOW).exists()
    # Spam at about the rate the form catches it, flagged as the form flags it.
    spam = synthetic().filter(status=Status.SPAM)
    assert 0.04 < spam.count() / 3000 < 0.1
    assert {reason.split(";")[0] for reason in spam.values_list("spam_reason", flat=True)} == {
        "honeypot field filled in",
        *{r for r in spam.values_list("spam_reason", flat=True) if r.startswith("sent ")},
    }
    assert spam.filter(spam_reason__regex=r"^sent \d\.\d s after the form was shown$").exists()
    # Reopened requests and rescued spam are in the histories too.
    assert RequestEvent.objects.filter(from_status=Status.CLOSED, to_status=Status.CONTACTED)
    assert RequestEvent.objects.filter(from_status=Status.SPAM, to_status=Status.NEW)


def test_requests_arrive_more_on_weekdays_and_in_the_day(site):
    synthesise("--count", "2000", "--days", "365")

    times = [timezone.localtime(t) for t in synthetic().values_list("created_at", flat=True)]
    assert min(times) >= timezone.localtime(NOW) - timedelta(days=365)
    assert max(times) <= NOW
    weekdays = sum(t.weekday() < 5 for t in times) / 5
    weekends = sum(t.weekday() >= 5 for t in times) / 2
    assert weekdays > 1.5 * weekends
    assert sum(9 <= t.hour < 22 for t in times) > 0.8 * len(times)


def test_requests_are_about_published_content_and_come_from_its_pages(site):
    synthesise("--count", "1000")

    published_clinics = set(Clinic.objects.published().values_list("pk", flat=True))
    assert set(synthetic().values_list("clinic", flat=True)) == {None, *published_clinics}
    treatments = set(synthetic().values_list("treatment", flat=True))
    assert None in treatments
    assert treatments - {None} <= set(Treatment.objects.published().values_list("pk", flat=True))
    pages = {"", "/book/"}
    for model in (Clinic, Treatment, Article):
        pages |= {item.get_absolute_url() for item in model.objects.published()}
    assert set(synthetic().values_list("source_path", flat=True)) <= pages
    # A "yes" to "changed, bled or itchy" is a clinical priority, as the form makes it.
    assert synthetic().filter(recent_change="yes").exists()
    assert not synthetic().filter(recent_change="yes", is_clinical_priority=False).exists()
    assert not synthetic().exclude(recent_change="yes").filter(is_clinical_priority=True).exists()


def test_synthetic_requests_are_clearly_marked_and_email_nobody(site, settings, mailoutbox):
    settings.TASKS = DATABASE_TASKS
    synthesise("--count", "500")

    for request in synthetic():
        number = int(request.full_name.removeprefix("Synthetic patient "))
        assert request.email == f"synthetic-{number}@synthetic.invalid"
        assert re.fullmatch(r"\+447700900\d{3}", request.phone)
        assert re.fullmatch(r"SYN-[2-9A-HJKMNP-Z]{6}", request.reference)
        assert request.staff_notification == request.patient_notification == "not_sent"
        assert request.consent_wording.kind == "consent_wording"
        assert request.privacy_notice.kind == "privacy_notice"
    assert mailoutbox == []
    assert not DBTaskResult.objects.exists()
    assert not AppointmentEmail.objects.exists()


def test_histories_follow_the_workflow(site):
    synthesise("--count", "1500", "--seed", "11")

    requests = synthetic().select_related("clinic").prefetch_related("events")
    for request in requests:
        events = list(request.events.all())
        # Arrived as new, or as spam (kept, or rescued by staff and its reason cleared).
        status = events[0].from_status if events else request.status
        assert status in (Status.NEW, Status.SPAM)
        assert bool(request.spam_reason) == (request.status == Status.SPAM)
        for event in events:
            assert request.created_at < event.created_at <= NOW
            assert event.from_status == status
            assert event.to_status in request.TRANSITIONS[status]
            status = event.to_status
        assert status == request.status
        assert request.status_changed_at == (events[-1].created_at if events else None)
        assert request.respond_by == request.default_respond_by()
        if request.status == Status.BOOKED:
            assert request.appointment_at > events[-1].created_at
            assert request.appointment_clinic.is_published
        if request.status == Status.CLOSED:
            assert request.outcome
        else:
            assert not request.outcome
        if request.outcome in request.APPOINTMENT_OUTCOMES:
            assert events[-1].from_status == Status.BOOKED
            assert request.appointment_at < events[-1].created_at
        answers = [e for e in events if e.from_status == Status.NEW]
        if answers:
            assert request.first_response_at == answers[0].created_at
            worked = working_time_between(
                request.created_at, answers[0].created_at, clinic=request.clinic
            )
            assert request.first_response_minutes == worked // timedelta(minutes=1)
        else:
            assert request.first_response_at is None
            assert request.first_response_minutes is None


def test_a_second_run_adds_more_with_new_references(site):
    synthesise("--count", "100")
    synthesise("--count", "100")

    assert synthetic().count() == 200
    assert synthetic().filter(full_name="Synthetic patient 200").exists()


def test_remove_deletes_only_synthetic_requests(site):
    real = make_request(email="someone@example.com")
    RequestEvent.objects.create(
        request=real, action="status", from_status="new", to_status="contacted"
    )
    synthesise("--count", "200")
    events = RequestEvent.objects.exclude(request=real).count()

    output = synthesise("--remove")

    assert f"Removed 200 synthetic requests and {events} history entries" in output
    assert list(ConsultationRequest.objects.all()) == [real]
    assert RequestEvent.objects.get().request == real


@pytest.mark.parametrize("args", [["--count", "10"], ["--remove"]])
def test_refuses_when_debug_is_off_unless_told_the_database_is_not_production(site, settings, args):
    synthesise("--count", "5")
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG is off.*--not-production"):
        synthesise(*args)
    assert synthetic().count() == 5

    synthesise(*args, "--not-production")
    assert synthetic().count() == (15 if "--count" in args else 0)


def test_refuses_nonsense_counts(site):
    with pytest.raises(CommandError, match="at least 1"):
        synthesise("--count", "0")
    assert not synthetic().exists()
