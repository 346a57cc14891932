"""Emails about consultation requests: who gets them, what they say, and what happens on failure."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from booking import notifications, tasks
from booking.models import ConsultationRequest
from booking.services import consultation_request_create
from clinic_site.email_url import CONSOLE_BACKEND, mailer_from_environment, parse_email_url
from tests.factories import booking_form_data, make_clinic, make_request, make_treatment

pytestmark = pytest.mark.django_db

State = ConsultationRequest.NotificationState
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NAME = "Zoë O'Connor-Ng"
EMAIL = "zoe.oconnor@example.com"
PHONE = "+447911123456"
MESSAGE = "The mole on my left shoulder has grown since the summer"
BEST_TIME = "Weekday mornings before work"


def submit(**overrides):
    """A request stored through the booking service, as the form stores it."""
    details = {
        "full_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "contact_method": ConsultationRequest.ContactMethod.PHONE,
        "confirmed_adult": True,
        "consent_wording_version": "abc123",
        "privacy_notice_version": "1",
        "best_time_to_call": BEST_TIME,
        "message": MESSAGE,
        "recent_change": ConsultationRequest.RecentChange.YES,
    }
    details.update(overrides)
    return consultation_request_create(**details)


def all_text(message):
    """Everything a recipient could read: subject, headers' values, text and HTML bodies."""
    parts = [message.subject, message.body, *message.to, *message.reply_to]
    parts += [alternative.content for alternative in message.alternatives]
    return "\n".join(parts)


def by_recipient(outbox):
    return {message.to[0]: message for message in outbox}


@pytest.fixture
def london():
    return make_clinic(
        "London clinic",
        slug="london",
        city="London",
        notification_email="london-bookings@clinic.example",
        email="london@clinic.example",
    )


@pytest.fixture
def failing_smtp(monkeypatch):
    """The mail server is down: every send raises, and the attempts are counted."""
    attempts = []

    def send_messages(self, messages):
        attempts.append([message.to[0] for message in messages])
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return attempts


# --- The web form, end to end -----------------------------------------------------------------


def test_booking_through_the_form_emails_staff_and_patient_without_health_details(
    client, mailoutbox, django_capture_on_commit_callbacks, london
):
    mole = make_treatment("Mole removal", asks_about_changes=True)
    form = booking_form_data(
        full_name=NAME,
        email=EMAIL,
        phone="07911 123456",
        clinic=london.slug,
        treatment=mole.slug,
        best_time_to_call=BEST_TIME,
        recent_change="yes",
        message=MESSAGE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("booking:request_form"), form)

    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert len(mailoutbox) == 2
    emails = by_recipient(mailoutbox)
    staff, patient = emails["london-bookings@clinic.example"], emails[EMAIL]
    assert stored.reference in staff.subject
    assert stored.reference in patient.subject
    for message in (staff, patient):
        text = all_text(message)
        for secret in (MESSAGE, "Mole removal", "mole", BEST_TIME, "changed, bled", "itchy"):
            assert secret not in text
    # The staff email does not identify the patient either.
    for personal in (NAME, "O&#x27;Connor", EMAIL, "07911 123456", PHONE):
        assert personal not in all_text(staff)
    stored.refresh_from_db()
    assert (stored.staff_notification, stored.patient_notification) == (State.SENT, State.SENT)


# --- What each email says ---------------------------------------------------------------------


def test_staff_email_goes_to_the_clinic_inbox_with_priority_and_admin_link(
    settings, mailoutbox, django_capture_on_commit_callbacks, london
):
    settings.SITE_URL = "https://www.cosmedics.example"
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(clinic=london)

    staff = by_recipient(mailoutbox)["london-bookings@clinic.example"]
    admin_url = "https://www.cosmedics.example" + reverse(
        "admin:booking_consultationrequest_change", args=[request.pk]
    )
    assert (
        staff.subject
        == f"Clinical priority: New consultation request {request.reference} (London clinic)"
    )
    assert staff.from_email == settings.DEFAULT_FROM_EMAIL
    assert staff.reply_to == [settings.BOOKING_STAFF_INBOX]
    assert staff.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Clinic: London clinic" in staff.body
    assert "Clinical priority: Yes" in staff.body
    assert admin_url in staff.body
    html, mimetype = staff.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{admin_url}"' in html
    assert "Cosmedics Skin Clinics" in html


def test_staff_email_without_priority_says_no(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(recent_change=ConsultationRequest.RecentChange.NO)

    staff = by_recipient(mailoutbox)["bookings@cosmedics.example"]
    assert staff.subject == f"New consultation request {request.reference} (No preference)"
    assert "Clinical priority: No" in staff.body


def test_no_preference_and_clinics_without_an_inbox_use_the_site_wide_inbox(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.BOOKING_STAFF_INBOX = "central@clinic.example"
    bristol = make_clinic("Bristol")  # no notification_email
    with django_capture_on_commit_callbacks(execute=True):
        submit(clinic=None)
        submit(clinic=bristol, email="other@example.com")

    central = [
        message.subject for message in mailoutbox if message.to == ["central@clinic.example"]
    ]
    assert len(central) == 2
    assert {subject.split(" (")[-1] for subject in central} == {"No preference)", "Bristol)"}


def test_patient_acknowledgement_gives_reference_deadline_phone_and_clinic_reply_to(
    settings, mailoutbox, django_capture_on_commit_callbacks, london
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(clinic=london)

    patient = by_recipient(mailoutbox)[EMAIL]
    local = timezone.localtime(request.respond_by)
    assert patient.subject == f"We have your consultation request ({request.reference})"
    assert patient.reply_to == ["london@clinic.example"]
    assert f"Your reference is {request.reference}" in patient.body
    assert "We aim to call you" in patient.body
    assert "arrange a consultation at our London clinic." in patient.body
    assert "by the end of " + date_format(local.date(), "l j F") in patient.body
    assert "020 7386 0464" in patient.body
    assert "/privacy/" in patient.body
    assert "Please do not reply with medical details" in patient.body
    html = patient.alternatives[0].content
    assert 'href="tel:+442073860464"' in html
    assert request.reference in html


def test_patient_who_chose_email_is_told_we_will_email_and_replies_reach_the_central_inbox(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(contact_method=ConsultationRequest.ContactMethod.EMAIL)

    patient = by_recipient(mailoutbox)[EMAIL]
    assert "We aim to email you" in patient.body
    assert patient.reply_to == ["bookings@cosmedics.example"]


# --- When emails are sent ---------------------------------------------------------------------


def test_emails_wait_for_the_transaction_to_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit()
        assert mailoutbox == []

    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_request_sends_no_email(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        raise RuntimeError("something after the insert failed")

    assert ConsultationRequest.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_request_queues_tasks_holding_only_its_id(settings, mailoutbox):
    settings.TASKS = DATABASE_TASKS
    request = submit()

    queued = DBTaskResult.objects.order_by("task_path")
    assert [row.task_path for row in queued] == [
        "booking.tasks.send_patient_acknowledgement",
        "booking.tasks.send_staff_notification",
    ]
    for row in queued:
        assert row.args_kwargs == {"args": [request.pk], "kwargs": {}}
    assert mailoutbox == []  # the worker sends them, not the web request

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(mailoutbox) == 2
    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (State.SENT, State.SENT)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_emails_are_queued_with_the_request_or_not_at_all(
    settings,
):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        assert DBTaskResult.objects.count() == 2  # written in the request's transaction
        raise RuntimeError("something after the insert failed")

    assert ConsultationRequest.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def failing_statement(*args, **kwargs):
    # A real failed statement, which aborts a PostgreSQL transaction.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO no_such_task_table VALUES (1)")


def failing_code(*args, **kwargs):
    raise ValueError("the task could not be serialised")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broken_insert", [failing_statement, failing_code])
def test_a_task_that_cannot_be_queued_keeps_the_request_and_marks_both_emails_failed(
    settings, monkeypatch, caplog, broken_insert
):
    """Queueing fails inside the booking's transaction: the savepoint keeps the request."""
    settings.TASKS = DATABASE_TASKS

    monkeypatch.setattr(DatabaseBackend, "_task_to_db_task", broken_insert)
    request = submit()

    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.FAILED,
        State.FAILED,
    )
    assert DBTaskResult.objects.count() == 0
    assert "Could not queue staff email for request id=" in caplog.text
    assert EMAIL not in caplog.text


def test_a_queue_that_cannot_take_the_task_marks_the_email_failed_and_keeps_the_request(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    class BrokenQueue:
        def get_backend(self):
            return tasks.send_staff_notification.get_backend()

        def enqueue(self, *args, **kwargs):
            raise ConnectionError("task queue unavailable")

    monkeypatch.setitem(notifications.TASKS, "staff_notification", BrokenQueue())
    with django_capture_on_commit_callbacks(execute=True):
        request = submit()

    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.FAILED,
        State.SENT,
    )
    assert [message.to for message in mailoutbox] == [[EMAIL]]


def test_suspected_spam_is_stored_but_emails_nobody(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(spam_reason="honeypot field filled in")

    assert mailoutbox == []
    assert ConsultationRequest.objects.filter(pk=request.pk, status="spam").exists()


def test_scheduling_a_spam_request_records_that_no_email_was_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    request = make_request(status=ConsultationRequest.Status.SPAM)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notifications.schedule_new_request_notifications(request)

    assert callbacks == []
    assert mailoutbox == []
    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.NOT_SENT,
        State.NOT_SENT,
    )


def test_a_task_run_twice_sends_one_email(mailoutbox):
    request = make_request()
    tasks.send_patient_acknowledgement.enqueue(request.pk)
    tasks.send_patient_acknowledgement.enqueue(request.pk)

    assert len(mailoutbox) == 1


def test_a_request_deleted_before_the_worker_runs_is_skipped(mailoutbox):
    request = make_request()
    request_id = request.pk
    request.delete()

    result = tasks.send_staff_notification.enqueue(request_id)

    assert result.return_value == "missing"
    assert mailoutbox == []


def test_resending_after_a_failure_sends_again(mailoutbox, django_capture_on_commit_callbacks):
    request = make_request(patient_notification=State.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.resend_notifications(request, fields=["patient_notification"])

    assert [message.to for message in mailoutbox] == [[request.email]]
    request.refresh_from_db()
    assert request.patient_notification == State.SENT


# --- Failures and retries ---------------------------------------------------------------------


def test_smtp_failure_is_retried_then_sent(monkeypatch, mailoutbox):
    original = EmailBackend.send_messages
    failures = iter([True, True])

    def flaky(self, messages):
        if next(failures, False):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    request = make_request()

    tasks.send_staff_notification.enqueue(request.pk)

    assert len(mailoutbox) == 1
    request.refresh_from_db()
    assert request.staff_notification == State.SENT


def test_smtp_down_keeps_the_request_and_shows_the_emails_as_failed(
    settings, failing_smtp, mailoutbox, django_capture_on_commit_callbacks, admin_client
):
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        request = submit()

    assert ConsultationRequest.objects.filter(pk=request.pk).exists()
    assert sorted(failing_smtp) == [["bookings@cosmedics.example"]] * 3 + [[EMAIL]] * 3
    request.refresh_from_db()
    assert (request.staff_notification, request.patient_notification) == (
        State.FAILED,
        State.FAILED,
    )
    page = admin_client.get(
        reverse("admin:booking_consultationrequest_change", args=[request.pk])
    ).content.decode()
    assert "Failed" in page


def test_a_refused_address_fails_at_once_without_retrying(monkeypatch, mailoutbox):
    attempts = []

    def refuse(self, messages):
        attempts.append(1)
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    request = make_request()

    tasks.send_patient_acknowledgement.enqueue(request.pk)

    assert attempts == [1]
    request.refresh_from_db()
    assert request.patient_notification == State.FAILED


def test_a_broken_template_marks_the_email_failed_instead_of_leaving_it_pending(monkeypatch):
    def broken(consultation_request):
        raise ValueError("template bug")

    monkeypatch.setitem(tasks.EMAILS, "staff", ("staff_notification", broken))
    request = make_request()

    tasks.send_staff_notification.enqueue(request.pk)

    request.refresh_from_db()
    assert request.staff_notification == State.FAILED


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_failed_send_is_retried_later_by_the_worker(
    settings, monkeypatch, failing_smtp, mailoutbox
):
    settings.TASKS = DATABASE_TASKS
    settings.BOOKING_EMAIL_RETRY_BASE_SECONDS = 60
    request = make_request()
    before = timezone.now()

    tasks.send_staff_notification.call(request.pk)

    request.refresh_from_db()
    assert request.staff_notification == State.RETRYING
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": [request.pk], "kwargs": {"attempt": 2}}
    assert before + timedelta(seconds=59) < retry.run_after < timezone.now() + timedelta(seconds=61)

    # Not due yet: the worker leaves it alone.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(failing_smtp) == 1

    # The server is back and the minute has passed.
    monkeypatch.undo()
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    request.refresh_from_db()
    assert request.staff_notification == State.SENT
    assert len(mailoutbox) == 1


def test_retry_delays_grow_and_are_capped(settings):
    settings.BOOKING_EMAIL_RETRY_BASE_SECONDS = 60
    delays = [tasks.retry_delay(attempt).total_seconds() for attempt in range(1, 6)]
    assert delays == [60, 240, 960, 3600, 3600]


def test_failure_logs_name_the_reference_only(settings, failing_smtp, caplog):
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 2
    request = make_request(full_name=NAME, email=EMAIL, message=MESSAGE)

    with caplog.at_level("INFO"):
        tasks.send_patient_acknowledgement.enqueue(request.pk)

    messages = [record.getMessage() for record in caplog.records if record.name == "booking.tasks"]
    assert any(request.reference in message and "retrying" in message for message in messages)
    assert any("Gave up" in message for message in messages)
    for message in messages:
        assert EMAIL not in message
        assert NAME not in message


# --- The overdue digest -----------------------------------------------------------------------


def test_overdue_digest_sends_each_clinic_its_overdue_references_and_links(
    settings, mailoutbox, london
):
    settings.SITE_URL = "https://www.cosmedics.example"
    settings.BOOKING_STAFF_INBOX = "central@clinic.example"
    past = timezone.now() - timedelta(hours=2)
    late_london = make_request(clinic=london, respond_by=past, full_name=NAME, message=MESSAGE)
    late_priority = make_request(clinic=london, respond_by=past, is_clinical_priority=True)
    late_anywhere = make_request(clinic=None, respond_by=past)
    on_time = make_request(clinic=london)
    closed = make_request(clinic=london, respond_by=past, status="closed", outcome="no_response")
    make_clinic("Bristol")  # nothing overdue: no email

    call_command("send_overdue_digest")

    emails = by_recipient(mailoutbox)
    assert set(emails) == {"london-bookings@clinic.example", "central@clinic.example"}
    london_digest = emails["london-bookings@clinic.example"]
    assert london_digest.subject == "2 overdue consultation requests (London clinic)"
    assert london_digest.body.index(late_priority.reference) < london_digest.body.index(
        late_london.reference
    )
    assert "(clinical priority)" in london_digest.body
    assert (
        "https://www.cosmedics.example"
        + reverse("admin:booking_consultationrequest_change", args=[late_london.pk])
        in london_digest.body
    )
    for absent in (on_time.reference, closed.reference, late_anywhere.reference, NAME, MESSAGE):
        assert absent not in all_text(london_digest)
    central = emails["central@clinic.example"]
    assert central.subject == "1 overdue consultation request (No preference)"
    assert late_anywhere.reference in central.body


def test_overdue_digest_dry_run_sends_nothing(mailoutbox, london, capsys):
    make_request(clinic=london, respond_by=timezone.now() - timedelta(hours=1))

    call_command("send_overdue_digest", "--dry-run")

    assert mailoutbox == []
    assert (
        "London clinic: 1 overdue (would email london-bookings@clinic.example)"
        in capsys.readouterr().out
    )


def test_overdue_digest_fails_loudly_when_smtp_is_down(failing_smtp, london):
    make_request(clinic=london, respond_by=timezone.now() - timedelta(hours=1))

    with pytest.raises(CommandError, match="1 digest could not be sent"):
        call_command("send_overdue_digest")


# --- Email settings ---------------------------------------------------------------------------


def test_email_url_gives_an_smtp_mailer_with_starttls_and_decoded_credentials():
    mailer = parse_email_url("smtp://apikey:p%40ss%2Fword@smtp.example.com:2525?timeout=20")

    assert mailer == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 2525,
            "username": "apikey",
            "password": "p@ss/word",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 20,
        },
    }


@pytest.mark.parametrize(
    ("url", "port", "use_tls", "use_ssl"),
    [
        ("smtp://mail.example.com", 587, True, False),
        ("smtp+ssl://mail.example.com", 465, False, True),
        ("smtp+insecure://relay.internal", 25, False, False),
    ],
)
def test_email_url_schemes_choose_encryption_and_default_port(url, port, use_tls, use_ssl):
    options = parse_email_url(url)["OPTIONS"]
    assert (options["port"], options["use_tls"], options["use_ssl"]) == (port, use_tls, use_ssl)
    assert options["timeout"] == 10


def test_a_bad_email_url_is_refused_without_repeating_the_password():
    with pytest.raises(ValueError) as error:
        parse_email_url("http://user:hunter2@mail.example.com")
    assert "hunter2" not in str(error.value)


def test_without_email_settings_emails_print_to_the_console():
    assert mailer_from_environment({}) == {"BACKEND": CONSOLE_BACKEND}


def test_email_host_variables_still_work():
    mailer = mailer_from_environment(
        {"EMAIL_HOST": "mail.example.com", "EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p"}
    )
    assert mailer["OPTIONS"]["host"] == "mail.example.com"
    assert (mailer["OPTIONS"]["port"], mailer["OPTIONS"]["use_tls"]) == (587, True)
