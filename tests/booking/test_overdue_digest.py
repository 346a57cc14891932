"""The overdue digest (`manage.py send_overdue_digest`): each clinic's inbox gets the
references of its requests past their response target, and nothing else (clinical priorities
come first, unmarked: a priority is a health answer)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.booking.notification_helpers import MESSAGE, NAME, all_text, by_recipient
from tests.factories import make_request

pytestmark = pytest.mark.django_db


def test_overdue_digest_sends_each_clinic_its_overdue_references_and_links(
    settings, mailoutbox, london, bristol
):
    settings.SITE_URL = "https://www.cosmedics.example"
    settings.BOOKING_STAFF_INBOX = "central@clinic.example"
    past = timezone.now() - timedelta(hours=2)
    late_london = make_request(clinic=london, respond_by=past, full_name=NAME, message=MESSAGE)
    late_priority = make_request(clinic=london, respond_by=past, is_clinical_priority=True)
    late_anywhere = make_request(clinic=None, respond_by=past)
    on_time = make_request(clinic=london)
    closed = make_request(clinic=london, respond_by=past, status="closed", outcome="no_response")
    # Bristol has nothing overdue: no email.

    call_command("send_overdue_digest")

    emails = by_recipient(mailoutbox)
    assert set(emails) == {"london-bookings@clinic.example", "central@clinic.example"}
    london_digest = emails["london-bookings@clinic.example"]
    assert london_digest.subject == "2 overdue consultation requests (London Harley St)"
    assert london_digest.body.index(late_priority.reference) < london_digest.body.index(
        late_london.reference
    )
    due = date_format(timezone.localtime(past), "j M H:i")
    assert f"{late_london.reference} - due {due}" in london_digest.body
    assert "priority" not in all_text(london_digest).lower()
    assert "clinical" not in all_text(london_digest).lower()
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
        "London Harley St: 1 overdue (would email london-bookings@clinic.example)"
        in capsys.readouterr().out
    )


def test_overdue_digest_fails_loudly_when_smtp_is_down(failing_smtp, london):
    make_request(clinic=london, respond_by=timezone.now() - timedelta(hours=1))

    with pytest.raises(CommandError, match="1 digest could not be sent"):
        call_command("send_overdue_digest")
