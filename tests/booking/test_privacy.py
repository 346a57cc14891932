"""No personal data in logs or error reports; consent receipts; the privacy notice."""

import io
import logging
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from booking import consent, tasks
from booking.models import ConsentText, ConsultationRequest
from booking.privacy import person_erase
from clinic_site.logging_filters import RedactPersonalData, redact
from tests.factories import (
    booking_form_data,
    make_consent_text,
    make_page,
    make_request,
    make_staff,
)

pytestmark = pytest.mark.django_db

NAME = "Siobhán Ní Bhriain"
EMAIL = "siobhan.nibhriain@example.com"
PHONE_TYPED = "07912 345678"
PHONE_STORED = "+447912345678"
MESSAGE = "A mole on my back has bled twice this week"

PRIVACY_NOTICE = Path(django_settings.BASE_DIR) / "pages" / "seed" / "privacy-notice.md"


# --- The redaction filter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Booking from zoe.o-connor+clinic@example.co.uk failed", "Booking from [email] failed"),
        ("call 020 7386 0464 today", "call [phone] today"),
        ("mobile +44 7700 900123.", "mobile [phone]."),
        ("mobile 07700900123", "mobile [phone]"),
        ("tel (020) 7386-0464", "tel [phone]"),
    ],
)
def test_redact_masks_emails_and_phone_numbers(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Request CSC-7K3M9Q moved from new to contacted by user 12",
        "2026-03-04 10:15:00 GET /book/ 302 1234 15ms",
        "client 192.168.100.200 port 8000",
        "Task id=v25FArz7LL2b9r6EqO5Bao2QhG41YRYW path=booking.tasks.send_staff_notification",
    ],
)
def test_redact_leaves_references_dates_addresses_and_ids_alone(text):
    assert redact(text) == text


def configured_handlers():
    """The handlers settings.LOGGING installed (root and the non-propagating "django")."""
    handlers = set(logging.getLogger().handlers) | set(logging.getLogger("django").handlers)
    return [handler for handler in handlers if type(handler).__module__ == "logging"]


def test_every_configured_log_handler_masks_personal_data():
    for name, handler in django_settings.LOGGING["handlers"].items():
        assert "redact_personal_data" in handler.get("filters", []), name
    installed = configured_handlers()
    assert installed
    for handler in installed:
        assert any(isinstance(item, RedactPersonalData) for item in handler.filters)


@pytest.fixture
def log_output():
    """What the configured handlers write, in a buffer instead of stdout."""
    buffer = io.StringIO()
    saved = [(handler, handler.setStream(buffer)) for handler in configured_handlers()]
    yield buffer
    for handler, stream in saved:
        handler.setStream(stream)


def test_log_lines_and_tracebacks_have_emails_and_phones_masked(log_output):
    logger = logging.getLogger("booking.some_module")
    logger.warning("Could not reach %s on %s", EMAIL, PHONE_TYPED)
    try:
        raise ValueError(f"bad address {EMAIL}")
    except ValueError:
        logger.exception("Sending failed")

    output = log_output.getvalue()
    assert "Could not reach [email] on [phone]" in output
    assert "bad address [email]" in output
    assert EMAIL not in output
    assert PHONE_TYPED not in output


@pytest.fixture
def raw_log_records():
    """Every record from every logger, before any filter: what the code itself logs."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    collector = Collect(level=logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("django")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.handlers.insert(0, collector)
        logger.setLevel(logging.DEBUG)
    yield records
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(collector)
        logger.setLevel(level)


def test_a_booking_and_its_emails_log_no_personal_data(
    client,
    settings,
    monkeypatch,
    mailoutbox,
    django_capture_on_commit_callbacks,
    raw_log_records,
    log_output,
):
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 2
    form = booking_form_data(full_name=NAME, email=EMAIL, phone=PHONE_TYPED, message=MESSAGE)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("booking:request_form"), form).status_code == 302
    request = ConsultationRequest.objects.get()

    # And a send that fails, is retried and given up on, with the address in the error.
    def refuse(self, messages):
        raise ConnectionRefusedError(f"cannot deliver to {EMAIL}")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    ConsultationRequest.objects.filter(pk=request.pk).update(patient_notification="pending")
    tasks.send_patient_acknowledgement.enqueue(request.pk)

    assert len(mailoutbox) == 2
    assert raw_log_records  # the flow did log: references, ids, states
    logged = "\n".join(
        [record.getMessage() for record in raw_log_records]
        + [record.exc_text or "" for record in raw_log_records]
    )
    output = log_output.getvalue()
    for personal in (NAME, "Bhriain", EMAIL, PHONE_TYPED, PHONE_STORED, MESSAGE, "bled"):
        assert personal not in logged
        assert personal not in output
    assert request.reference in logged


def test_error_reports_never_show_what_the_patient_typed():
    request = RequestFactory().post(
        "/book/", {"full_name": NAME, "email": EMAIL, "phone": PHONE_TYPED, "message": MESSAGE}
    )

    def send(address):
        raise RuntimeError("mail server said no")

    try:
        send(EMAIL)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        text = reporter.get_traceback_text()
        html = reporter.get_traceback_html()

    for report in (text, html):
        assert "mail server said no" in report
        for personal in (NAME, EMAIL, PHONE_TYPED, MESSAGE):
            assert personal not in report


# --- Consent receipts -------------------------------------------------------------------------


def post_booking(client, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("booking:request_form"), booking_form_data(**fields))
    assert response.status_code == 302
    return ConsultationRequest.objects.latest("pk")


def test_each_request_stores_the_consent_wording_and_privacy_notice_texts_and_time(
    client, django_capture_on_commit_callbacks
):
    notice = make_page()
    before = timezone.now()

    request = post_booking(client, django_capture_on_commit_callbacks)

    assert request.consent_wording.version == consent.consent_wording_version()
    assert len(request.consent_wording.version) == 12
    assert request.consent_wording.text == consent.consent_wording()
    assert request.privacy_notice.version == str(notice.version) == "1"
    assert (request.privacy_notice.title, request.privacy_notice.text) == (
        "Privacy notice",
        "How we use your information.",
    )
    assert before <= request.consent_given_at <= timezone.now()


def test_changing_the_consent_wording_makes_a_new_version(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    make_page()
    first = post_booking(client, django_capture_on_commit_callbacks, email="first@example.com")

    monkeypatch.setattr(
        consent,
        "consent_wording",
        lambda: "I agree that the clinic may use my information, including about my health.",
    )
    second = post_booking(client, django_capture_on_commit_callbacks, email="second@example.com")

    assert second.consent_wording.version != first.consent_wording.version
    first.refresh_from_db()
    assert first.consent_wording.version != consent.consent_wording_version()
    assert first.consent_wording.text.startswith("I agree that Cosmedics")
    assert second.consent_wording.text == (
        "I agree that the clinic may use my information, including about my health."
    )


def test_editing_the_privacy_notice_raises_the_version_new_requests_record(
    client, django_capture_on_commit_callbacks
):
    notice = make_page(body="Version one of the notice.")
    first = post_booking(client, django_capture_on_commit_callbacks, email="first@example.com")

    notice.body = "Version two: we now keep closed requests for 12 months."
    notice.save()
    notice.refresh_from_db()
    second = post_booking(client, django_capture_on_commit_callbacks, email="second@example.com")

    assert notice.version == 2
    assert (first.privacy_notice.version, second.privacy_notice.version) == ("1", "2")


def test_publishing_changes_that_leave_the_text_alone_keep_the_version():
    notice = make_page(body="The notice.")
    notice.seo_description = "How we use your information"
    notice.save()
    notice.refresh_from_db()
    assert notice.version == 1


def test_staff_see_the_consent_receipt_on_the_request(admin_client):
    request = make_request(
        consent_wording=make_consent_text(version="9f86d081884c", text="I agree to this."),
        privacy_notice=make_consent_text("privacy_notice", "3", title="Privacy notice"),
        consent_given_at=timezone.now() - timedelta(days=2),
    )

    page = admin_client.get(
        reverse("admin:booking_consultationrequest_change", args=[request.pk])
    ).content.decode()

    assert "I agree to this." in page and "Version 9f86d081884c" in page
    assert "Version 3: “Privacy notice”" in page


# --- The privacy notice -----------------------------------------------------------------------


def test_privacy_notice_covers_what_the_law_asks_for():
    text = PRIVACY_NOTICE.read_text()
    for heading in (
        "## Who we are",
        "## What we collect",
        "## Why we use it, and our lawful basis",
        "## Who sees it",
        "## How long we keep it",
        "## Your rights",
        "## Complaints",
    ):
        assert heading in text
    for basis in ("Article 6(1)(b)", "Article 6(1)(f)", "Article 9(2)(a)", "Article 9(2)(h)"):
        assert basis in text
    for right in ("access", "rectification", "erasure", "restriction", "objection", "portability"):
        assert f"**{right}**" in text
    assert "Information Commissioner’s Office" in text
    assert "awaiting review by our data protection lead" in text
    assert "020 7386 0464" in text


def test_privacy_notice_retention_periods_match_the_settings():
    """The notice promises what purge_requests does: change both together."""
    text = PRIVACY_NOTICE.read_text()
    assert django_settings.BOOKING_RETENTION_SPAM_DAYS == 30
    assert "Deleted after 30 days" in text
    assert django_settings.BOOKING_RETENTION_CLOSED_DAYS == 365
    assert "12 months after it was closed" in text
    assert django_settings.BOOKING_RETENTION_STALE_DAYS == 730
    assert "no activity for 2 years" in text


def test_seeded_privacy_notice_is_published_at_privacy_with_its_version(client):
    call_command("seed_content", verbosity=0)

    response = client.get("/privacy/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your rights" in page
    assert "ico.org.uk/make-a-complaint" in page
    notice = ConsentText.objects.get(pk=consent.current_texts().privacy_notice_id)
    assert (notice.version, notice.title) == ("1", "Privacy notice")
    assert notice.text == PRIVACY_NOTICE.read_text()


def test_a_request_for_an_erased_person_is_not_emailed(mailoutbox):
    """An erased (anonymised) request left in the queue never emails the blanked address."""
    staff = make_staff(permissions=["booking.handle_rights_requests"])
    request = make_request(email=EMAIL)

    person_erase(email=EMAIL, actor=staff)
    tasks.send_patient_acknowledgement.enqueue(request.pk)

    assert mailoutbox == []
    request.refresh_from_db()
    assert request.patient_notification == ConsultationRequest.NotificationState.NOT_SENT
