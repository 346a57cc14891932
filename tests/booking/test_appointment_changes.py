"""
The link in a patient's appointment emails: the page shows only the appointment's time and
place; "I need to cancel" or "I need another time" flags the request for staff, records it in
the history and tells the clinic's inbox once; every other kind of link reveals nothing.
"""

import json
import logging
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.appointment_links import appointment_change_token, appointment_change_url
from booking.models import AppointmentEmail, ConsultationRequest, RequestEvent
from booking.services import consultation_request_request_change
from booking.views import confirmation_url
from clinic_site.log_format import JSONLineFormatter
from clinic_site.logging_filters import RedactPersonalData, redact
from pages.models import OpeningHours
from tests.booking.notification_helpers import DATABASE_TASKS, all_text, run_db_worker
from tests.factories import make_clinic, make_clinic_staff, make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
ChangeRequest = ConsultationRequest.ChangeRequest
NAME = "Wilhelmina Quartermaine-Zyx"
EMAIL = "wq.private.person@example.org"
MESSAGE = "My unusual mole on the left shoulder has grown"


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    settings.BOOKING_CHANGE_LINK_RATE_LIMIT = "20/10m"


@pytest.fixture
def clinic():
    return make_clinic(
        "Bristol Clifton",
        slug="bristol",
        city="Bristol",
        address="12 Whiteladies Road\nClifton",
        postcode="BS8 1PD",
        notification_email="bristol-bookings@clinic.example",
    )


def booked(clinic, *, days=3, uid="appt-1@clinic.example", **fields):
    """A request booked `days` from now (negative: in the past) at `clinic`."""
    return make_request(
        full_name=NAME,
        email=EMAIL,
        message=MESSAGE,
        reference="CSC-K7M3QP",
        status=Status.BOOKED,
        clinic=clinic,
        appointment_at=timezone.now() + timedelta(days=days),
        appointment_clinic=clinic,
        appointment_uid=uid,
        **fields,
    )


def link(consultation_request):
    return reverse(
        "booking:appointment_change", args=[appointment_change_token(consultation_request)]
    )


def assert_private(response):
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"


# --- The page ----------------------------------------------------------------------------------


def test_the_link_in_an_email_is_the_sites_address_of_the_change_page(clinic):
    consultation_request = booked(clinic)

    url = appointment_change_url(consultation_request)

    assert url == settings.SITE_URL + link(consultation_request)
    assert url.startswith(settings.SITE_URL + "/book/appointment/")


def test_the_page_shows_the_appointments_time_and_place_and_nothing_about_the_patient(
    client, clinic
):
    consultation_request = booked(clinic, treatment=None)
    when = timezone.localtime(consultation_request.appointment_at)

    response = client.get(link(consultation_request))

    assert response.status_code == 200
    assert_private(response)
    page = response.content.decode()
    assert when.strftime("%A") in page
    assert f"{when:%H:%M}" in page
    assert "Bristol Clifton" in page
    assert "12 Whiteladies Road" in page
    assert "BS8 1PD" in page
    for secret in (NAME, "Wilhelmina", EMAIL, MESSAGE, "+447700900123", "CSC-K7M3QP"):
        assert secret not in page
    assert "I need to cancel" in page
    assert "I need another time" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert response.get("X-Page-Cache") is None  # not a public page: never stored


@pytest.mark.django_db(transaction=True)  # the worker reads committed tasks
def test_asking_to_cancel_flags_the_request_records_it_and_tells_the_clinic(
    client, clinic, mailoutbox
):
    consultation_request = booked(clinic)

    response = client.post(link(consultation_request), {"change": "cancel"})

    assert response.status_code == 302
    consultation_request.refresh_from_db()
    assert consultation_request.status == Status.BOOKED  # staff still cancel it
    assert consultation_request.change_request == ChangeRequest.CANCEL
    assert consultation_request.change_requested_at is not None
    event = consultation_request.events.get(action=RequestEvent.Action.CHANGE_REQUESTED)
    assert event.actor is None
    assert event.note == "Patient asked to cancel."

    run_db_worker()
    (email,) = mailoutbox
    assert email.to == ["bristol-bookings@clinic.example"]
    assert "asked to cancel" in email.subject
    text = all_text(email)
    assert "CSC-K7M3QP" in text
    assert "Bristol Clifton" in text
    assert (
        reverse("admin:booking_consultationrequest_change", args=[consultation_request.pk]) in text
    )
    for secret in (NAME, "Wilhelmina", EMAIL, MESSAGE, "+447700900123", "mole"):
        assert secret not in text

    done = client.get(response["Location"])
    assert done.status_code == 200
    assert_private(done)
    assert "You asked us to cancel your appointment" in done.content.decode()
    assert "What happens next" in done.content.decode()


@pytest.mark.django_db(transaction=True)  # the worker reads committed tasks
def test_asking_for_another_time_says_so_to_the_clinic_and_the_patient(client, clinic, mailoutbox):
    consultation_request = booked(clinic)

    response = client.post(link(consultation_request), {"change": "new_time"}, follow=True)

    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ChangeRequest.NEW_TIME
    assert "You asked for another time" in response.content.decode()
    run_db_worker()
    (email,) = mailoutbox
    assert "asked for another time" in email.subject


@pytest.mark.django_db(transaction=True)  # the worker reads committed tasks
def test_asking_twice_updates_the_request_but_emails_the_clinic_once(client, clinic, mailoutbox):
    consultation_request = booked(clinic)

    client.post(link(consultation_request), {"change": "new_time"})
    client.post(link(consultation_request), {"change": "cancel"})
    run_db_worker()

    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ChangeRequest.CANCEL
    assert (
        consultation_request.events.filter(action=RequestEvent.Action.CHANGE_REQUESTED).count() == 2
    )
    assert AppointmentEmail.objects.filter(kind=AppointmentEmail.Kind.CHANGE_REQUEST).count() == 1
    (email,) = mailoutbox
    assert "asked to cancel" in email.subject  # read when sent: the latest


def test_the_page_says_what_the_patient_already_asked(client, clinic):
    consultation_request = booked(clinic)
    client.post(link(consultation_request), {"change": "cancel"})

    page = client.get(link(consultation_request)).content.decode()

    assert "You have asked us to cancel this appointment" in page


def test_sending_without_choosing_shows_the_form_again_with_an_error(client, clinic):
    consultation_request = booked(clinic)

    response = client.post(link(consultation_request), {})

    assert response.status_code == 200
    assert "Choose whether you need to cancel or another time" in response.content.decode()
    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ""


def test_the_form_needs_its_csrf_token(clinic):
    consultation_request = booked(clinic)

    response = Client(enforce_csrf_checks=True).post(
        link(consultation_request), {"change": "cancel"}
    )

    assert response.status_code == 403
    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ""


def test_the_done_page_goes_back_to_the_appointment_once_staff_have_dealt_with_it(client, clinic):
    consultation_request = booked(clinic)
    token = appointment_change_token(consultation_request)

    response = client.get(reverse("booking:appointment_change_sent", args=[token]))

    assert response.status_code == 302
    assert response["Location"] == reverse("booking:appointment_change", args=[token])


# --- Links that lead nowhere -------------------------------------------------------------------


def test_a_tampered_link_is_not_found(client, clinic):
    token = appointment_change_token(booked(clinic))

    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense", token + "x"):
        response = client.get(reverse("booking:appointment_change", args=[bad]))
        assert response.status_code == 404
        assert_private(response)


def test_a_link_signed_for_something_else_is_not_found(client, clinic):
    consultation_request = booked(clinic)
    signed_reference = confirmation_url(consultation_request).split("/")[-2]

    response = client.get(reverse("booking:appointment_change", args=[signed_reference]))

    assert response.status_code == 404


def test_a_link_from_a_cancelled_booking_shows_nothing_of_the_new_one(client, clinic):
    consultation_request = booked(clinic, uid="first@clinic.example")
    old_link = link(consultation_request)
    # Cancelled, then booked afresh: a new calendar identity.
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(
        appointment_uid="second@clinic.example",
        appointment_at=timezone.now() + timedelta(days=10),
    )

    response = client.get(old_link)

    assert response.status_code == 410
    assert_private(response)
    page = response.content.decode()
    assert "This link no longer works" in page
    assert "12 Whiteladies Road" not in page
    assert client.post(old_link, {"change": "cancel"}).status_code == 410
    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ""


def test_a_link_to_a_rebooked_appointment_shows_its_new_time(client, clinic):
    consultation_request = booked(clinic)
    old_link = link(consultation_request)
    new_time = timezone.now() + timedelta(days=20)
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(
        appointment_sequence=1, appointment_at=new_time
    )

    response = client.get(old_link)

    assert response.status_code == 200
    assert timezone.localtime(new_time).strftime("%H:%M") in response.content.decode()
    assert f"{timezone.localtime(new_time):%B}" in response.content.decode()


def test_a_link_to_an_appointment_that_has_passed_says_so(client, clinic):
    consultation_request = booked(clinic, days=-1)

    response = client.get(link(consultation_request))

    assert response.status_code == 410
    assert "This appointment has passed" in response.content.decode()
    assert "12 Whiteladies Road" not in response.content.decode()
    assert client.post(link(consultation_request), {"change": "cancel"}).status_code == 410


@pytest.mark.parametrize(
    "change",
    [
        {"status": Status.CLOSED, "outcome": ConsultationRequest.Outcome.DECLINED},
        {"status": Status.CONTACTED},
        {"anonymised_at": timezone.now()},
        {"status": Status.SPAM},
    ],
    ids=["closed", "cancelled", "anonymised", "spam"],
)
def test_a_link_to_a_request_no_longer_booked_reveals_nothing(client, clinic, change):
    consultation_request = booked(clinic)
    url = link(consultation_request)
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(**change)

    response = client.get(url)

    assert response.status_code == 410
    page = response.content.decode()
    assert "This link no longer works" in page
    assert settings.CLINIC_PHONE in page
    assert "12 Whiteladies Road" not in page


def test_a_link_to_a_deleted_request_reveals_nothing(client, clinic):
    consultation_request = booked(clinic)
    url = link(consultation_request)
    consultation_request.delete()

    assert client.get(url).status_code == 410


def test_the_service_refuses_an_appointment_changed_since_the_page_was_read(clinic):
    seen = booked(clinic)
    ConsultationRequest.objects.filter(pk=seen.pk).update(appointment_uid="another@clinic.example")

    with pytest.raises(ValidationError):
        consultation_request_request_change(consultation_request=seen, kind=ChangeRequest.CANCEL)
    assert not RequestEvent.objects.filter(action=RequestEvent.Action.CHANGE_REQUESTED).exists()


# --- Rate limit --------------------------------------------------------------------------------


def test_too_many_visits_are_refused_with_a_friendly_page(client, clinic, settings):
    settings.BOOKING_CHANGE_LINK_RATE_LIMIT = "3/10m"
    consultation_request = booked(clinic)
    bad = reverse("booking:appointment_change", args=["forged-token"])

    assert client.get(bad).status_code == 404  # guesses count too
    assert client.get(bad).status_code == 404
    assert client.get(link(consultation_request)).status_code == 200
    response = client.post(link(consultation_request), {"change": "cancel"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert_private(response)
    page = response.content.decode()
    assert "Sorry, we could not show this page" in page
    assert "has not been sent" not in page
    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ""


# --- Staff -------------------------------------------------------------------------------------


def test_staff_can_filter_the_queue_to_change_requests_and_see_the_flag(client, clinic):
    asked = booked(clinic)
    asked.change_request = ChangeRequest.NEW_TIME
    asked.save()
    make_request(reference="CSC-OTHER1", clinic=clinic)
    client.force_login(make_clinic_staff("amy", clinics=[clinic]))
    queue = reverse("admin:booking_consultationrequest_changelist")

    page = client.get(queue, {"change": "any"}).content.decode()

    assert "CSC-K7M3QP" in page
    assert "CSC-OTHER1" not in page
    assert "Patient asked for another time" in page
    assert "CSC-OTHER1" not in client.get(queue, {"change": "new_time"}).content.decode()
    assert "CSC-K7M3QP" not in client.get(queue, {"change": "cancel"}).content.decode()


def test_the_admin_home_counts_change_requests_and_links_to_them(client, clinic):
    make_request(
        reference="CSC-ASKED1",
        status=Status.BOOKED,
        clinic=clinic,
        change_request=ChangeRequest.CANCEL,
    )
    make_request(reference="CSC-ASKED2", clinic=clinic, change_request=ChangeRequest.NEW_TIME)
    make_request(reference="CSC-CALM01", clinic=clinic)
    client.force_login(make_clinic_staff("amy", clinics=[clinic]))

    page = client.get(reverse("admin:index")).content.decode()

    assert 'aria-label="2 change requests from patients, Bristol Clifton"' in page
    assert f"?clinic={clinic.pk}&amp;change=any" in page


# --- Logs --------------------------------------------------------------------------------------


def test_the_token_in_a_link_never_reaches_the_logs(client, clinic, caplog):
    url = link(booked(clinic, days=-1))
    token = url.removeprefix("/book/appointment/").removesuffix("/")
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    try:
        client.get(url)
    finally:
        django_logger.removeHandler(caplog.handler)

    (record,) = [record for record in caplog.records if record.name == "django.request"]
    RedactPersonalData().filter(record)
    line = JSONLineFormatter().format(record)
    assert token not in line
    assert json.loads(line)["message"] == "Gone: /book/appointment/<redacted>/"
    assert redact(f"GET {url}sent/ 200") == "GET /book/appointment/<redacted>/sent/ 200"


# --- Another time: when the patient can come -------------------------------------------------


@pytest.fixture
def weekday_mornings(clinic):
    """The clinic opens Monday and Tuesday mornings only."""
    for weekday in (0, 1):
        OpeningHours.objects.create(clinic=clinic, weekday=weekday, opens=time(9), closes=time(12))


def test_another_time_offers_only_when_the_clinic_is_open(client, clinic, weekday_mornings):
    page = client.get(link(booked(clinic))).content.decode()

    assert 'value="mon"' in page
    assert 'value="tue"' in page
    assert 'value="sat"' not in page
    assert 'value="morning"' in page
    assert 'value="evening"' not in page


def test_another_time_stores_the_new_preferences_and_records_them(client, clinic, weekday_mornings):
    consultation_request = booked(clinic, preferred_days="fri", preferred_periods="evening")

    client.post(
        link(consultation_request),
        {"change": "new_time", "preferred_days": ["tue", "mon"], "preferred_periods": ["morning"]},
    )

    consultation_request.refresh_from_db()
    assert consultation_request.preferred_days == "mon,tue"
    assert consultation_request.preferred_periods == "morning"
    event = consultation_request.events.get(action=RequestEvent.Action.CHANGE_REQUESTED)
    assert event.note == "Patient asked for another time: Mondays and Tuesdays, mornings."


def test_another_time_the_clinic_cannot_offer_is_refused(client, clinic, settings):
    # Open on Saturdays in the morning only: a Saturday afternoon can't be met.
    OpeningHours.objects.create(clinic=clinic, weekday=5, opens=time(9), closes=time(12))
    OpeningHours.objects.create(clinic=clinic, weekday=0, opens=time(13), closes=time(17))
    consultation_request = booked(clinic)

    response = client.post(
        link(consultation_request),
        {"change": "new_time", "preferred_days": ["sat"], "preferred_periods": ["afternoon"]},
    )

    assert response.status_code == 200
    assert "open in the afternoon on the days you chose" in response.content.decode()
    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ""


def test_cancelling_leaves_the_preferred_times_alone(client, clinic, weekday_mornings):
    consultation_request = booked(clinic, preferred_days="fri")

    client.post(
        link(consultation_request),
        {"change": "cancel", "preferred_days": ["mon"], "preferred_periods": ["morning"]},
    )

    consultation_request.refresh_from_db()
    assert consultation_request.change_request == ChangeRequest.CANCEL
    assert consultation_request.preferred_days == "fri"
