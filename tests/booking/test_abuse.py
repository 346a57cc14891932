"""Bots and hostile input: a clear answer every time, and nothing lost.

Floods of bookings from one client: tests/booking/test_ratelimit.py. The form token (double
clicks, someone else's or an old form): tests/booking/test_form_tokens.py.
"""

import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from booking.forms import SEND_AGAIN_MESSAGE, ConsultationRequestForm
from booking.models import ConsultationRequest
from booking.tokens import read_form_token
from tests.factories import (
    TEST_CSRF_SECRET,
    booking_form_data,
    form_token,
    make_request,
    make_staff,
)

pytestmark = pytest.mark.django_db

GENERIC_MESSAGES = (
    "This field is required.",
    "Enter a valid",
    "Select a valid choice",
    "Null characters are not allowed.",
    "This field is invalid",
)
TEXT_FIELDS = ("full_name", "email", "phone", "best_time_to_call", "message")

HOSTILE_INPUTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "{{ request.META }}{% debug %}",
    "'; DROP TABLE booking_consultationrequest; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "%s%s%s%n",
    "../../../../etc/passwd",
    "A" * 10_000,
    "é" * 10_000,
    "\x00",
    "Zoë\x00Ng",
    "\x1b[31mred\x1b[0m",
    "line\rbreak\x0bvertical\x0cfeed",
    "\u202eevil\u202c",
    "\u200f\u200e\u061c",
    "\ufeffbom",
    "😀" * 100,
    "👩‍👩‍👧‍👦 Family",
    "Z̴̡̛a̵͈͝l̷̢̛g̶̡̛o̵̢͝",
    "\uffff\ufffe",
    "",
    " ",
]


@pytest.fixture
def relaxed(settings):
    """No time-trap and no rate limit, for tests about something else."""
    settings.BOOKING_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = "off"


def confirmation_html(client, response):
    assert response.status_code == 302, response.content[:500]
    return client.get(response["Location"]).content.decode()


# --- Honeypot and time-trap --------------------------------------------------------------


def test_a_filled_honeypot_is_stored_as_spam_and_the_sender_sees_the_usual_confirmation(
    client, mailoutbox
):
    response = client.post("/book/", booking_form_data(website="https://cheap-pills.example"))
    html = confirmation_html(client, response)
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.SPAM
    assert stored.spam_reason == "honeypot field filled in"
    assert stored.reference in html
    assert "Thank you, we have your request" in html
    assert mailoutbox == []


def test_a_form_sent_faster_than_a_person_could_is_stored_as_spam(client, settings):
    settings.BOOKING_MIN_SECONDS = 3
    response = client.post("/book/", booking_form_data(form_token=form_token(seconds_ago=0)))
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.SPAM
    assert stored.spam_reason.startswith("sent ")


def test_a_form_sent_after_the_time_trap_is_a_normal_request(client, settings):
    settings.BOOKING_MIN_SECONDS = 3
    client.post("/book/", booking_form_data(form_token=form_token(seconds_ago=3.5)))
    assert ConsultationRequest.objects.get().status == ConsultationRequest.Status.NEW


def test_with_the_time_trap_off_a_quick_form_is_a_normal_request(client, settings):
    settings.BOOKING_MIN_SECONDS = 0
    client.post("/book/", booking_form_data(form_token=form_token(seconds_ago=0)))
    assert ConsultationRequest.objects.get().status == ConsultationRequest.Status.NEW


@pytest.mark.parametrize("token", [None, "", "forged", "x" * 500])
def test_a_form_without_a_genuine_token_comes_back_and_nothing_is_stored(client, token):
    response = client.post("/book/", booking_form_data(form_token=token))
    assert response.status_code == 200
    assert SEND_AGAIN_MESSAGE in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_a_form_with_problems_and_a_forged_token_comes_back_with_a_genuine_one(client):
    response = client.post("/book/", booking_form_data(form_token="forged", email="nope"))
    assert response.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())[1]
    assert read_form_token(token, csrf_secret=TEST_CSRF_SECRET) is not None


# --- Oversized and malformed requests -----------------------------------------------------


def test_a_one_megabyte_post_answers_a_clean_400(client, relaxed):
    response = client.post("/book/", booking_form_data(message="x" * 1_000_000))
    html = response.content.decode()
    assert response.status_code in (400, 413)
    assert "Sorry, we could not read what was sent" in html
    assert 'href="tel:+442073860464"' in html
    assert not ConsultationRequest.objects.exists()


def test_a_post_with_thousands_of_fields_answers_400(client, relaxed):
    data = booking_form_data()
    data.update({f"extra{i}": "x" for i in range(2000)})
    assert client.post("/book/", data).status_code == 400


def test_a_body_that_is_not_utf8_gets_an_answer_not_an_error(client, relaxed):
    body = b"full_name=Zo%FF%FE&email=zoe%40example.com&phone=%C0%AF"
    response = client.generic(
        "POST", "/book/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200


def test_a_multipart_post_with_a_file_is_handled(client, relaxed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = booking_form_data()
    data["attachment"] = SimpleUploadedFile("mole.jpg", b"\xff\xd8" + b"0" * 1000)
    assert client.post("/book/", data).status_code == 302


def test_posting_without_a_csrf_token_is_refused(relaxed):
    response = Client(enforce_csrf_checks=True).post("/book/", booking_form_data())
    assert response.status_code == 403
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/book/thank-you/<script>/",
        "/book/thank-you/CSC-AAAAAA:1abc:' OR 1=1 --/",
        "/book/thank-you/" + "A" * 3000 + "/",
        "/book/thank-you/%00/",
    ],
)
def test_hostile_confirmation_addresses_are_not_found(client, path):
    assert client.get(path).status_code == 404


# --- Hostile input -------------------------------------------------------------------------


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("value", HOSTILE_INPUTS)
def test_hostile_input_gets_a_clear_answer_and_is_escaped(client, relaxed, field, value):
    response = client.post("/book/", booking_form_data(**{field: value}))
    assert response.status_code in (200, 302)
    html = response.content.decode()
    if response.status_code == 200:
        assert "There is a problem" in html
        assert not any(generic in html for generic in GENERIC_MESSAGES)
    else:
        html = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html


def test_hostile_input_in_every_field_at_once_never_errors(client, relaxed):
    for value in HOSTILE_INPUTS:
        data = dict.fromkeys(booking_form_data(), value)
        data["form_token"] = booking_form_data()["form_token"]
        assert client.post("/book/", data).status_code in (200, 302)


def test_markup_typed_into_a_field_is_stored_as_text_and_shown_escaped(client, relaxed):
    payload = '<script>alert("x")</script><b>bold</b>'
    # A problem elsewhere brings the form back showing what was typed.
    html = client.post(
        "/book/", booking_form_data(full_name="Zoë " + payload, email="nope")
    ).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    # Stored as typed, as text.
    client.post("/book/", booking_form_data(message=payload, full_name="Zoë " + payload))
    stored = ConsultationRequest.objects.get()
    assert stored.message == payload
    assert stored.full_name == "Zoë " + payload


def test_markup_in_a_request_is_escaped_in_the_admin(client, settings):
    payload = "<script>alert(1)</script>"
    stored = make_request(full_name=payload, message=payload, best_time_to_call=payload)
    client.force_login(make_staff("admin", superuser=True))
    url = f"/{settings.ADMIN_PATH}booking/consultationrequest/{stored.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert payload not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


# --- Property-based fuzzing --------------------------------------------------------------

field_values = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=2000, max_size=2500),
    st.sampled_from(HOSTILE_INPUTS),
    st.sampled_from(["on", "yes", "no", "not_sure", "phone", "email", "london", "moles"]),
)
form_data = st.dictionaries(
    st.sampled_from(list(ConsultationRequestForm.base_fields) + ["other", ""]),
    field_values,
    max_size=len(ConsultationRequestForm.base_fields) + 2,
)


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=form_data)
def test_the_form_never_fails_and_never_gives_a_vague_message(data):
    form = ConsultationRequestForm(data)
    if form.is_valid():
        assert form.cleaned_data["phone"].startswith("+")
        form.request_details()
    for errors in form.errors.values():
        assert len(errors) == 1
        assert not any(generic in errors[0] for generic in GENERIC_MESSAGES)
    form.error_summary()
    assert form.helper.layout


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.dictionaries(
        st.sampled_from(list(ConsultationRequestForm.base_fields)), field_values, max_size=6
    )
)
def test_the_booking_page_answers_any_input_without_a_server_error(client, relaxed, changes):
    response = client.post("/book/", booking_form_data(**changes))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        html = response.content.decode()
        assert html.startswith("<!doctype html>")
        assert "<title>Error: " in html
        assert "There is a problem" in html


@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(treatment=st.text(max_size=300), clinic=st.text(max_size=300))
def test_the_booking_page_answers_any_preselection(client, treatment, clinic):
    response = client.get("/book/", {"treatment": treatment, "clinic": clinic})
    assert response.status_code == 200
