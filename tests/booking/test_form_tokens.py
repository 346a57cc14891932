"""
The booking form's one-time token keeps its promises: it works only for the visitor it was
shown to, it expires, sending the same form twice gives one request, and a token that can't
be used never shows anyone another request. What each case does: docs/security.md.
"""

import re
import time
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client

from booking.forms import SEND_AGAIN_MESSAGE
from booking.models import ConsultationRequest
from booking.tokens import read_form_token
from tests.booking.form_html import hidden_value
from tests.factories import TEST_CSRF_SECRET, booking_form_data, form_token

pytestmark = pytest.mark.django_db

OTHER_CSRF_SECRET = "OtherVisitorSecret0123456789abcd"
SECOND_PATIENT = {
    "full_name": "Bartholomew Second-Visitor",
    "email": "second.visitor@example.org",
    "phone": "020 7946 0018",
    "message": "Another person's own question",
}


@pytest.fixture(autouse=True)
def relaxed(settings):
    """No time-trap and no rate limit: these tests are about the token."""
    settings.BOOKING_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = "off"


@pytest.fixture
def other_visitor():
    """Another browser, with a CSRF cookie of its own."""
    browser = Client()
    browser.cookies[django_settings.CSRF_COOKIE_NAME] = OTHER_CSRF_SECRET
    return browser


def first_patients_request(client):
    """A clinical priority sent by the test client: (its form's data, the request stored)."""
    data = booking_form_data(recent_change="yes")
    assert client.post("/book/", data).status_code == 302
    return data, ConsultationRequest.objects.get()


def assert_form_back_asking_to_send_again(response, answers, *, csrf_secret):
    """The form again: the answers sent, a fresh token of this visitor's, and the message."""
    assert response.status_code == 200
    assert "Location" not in response
    html = response.text
    assert "<title>Error: " in html
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert f'<a href="#booking-form">{SEND_AGAIN_MESSAGE}</a>' in summary
    assert f'value="{answers["full_name"]}"' in html
    assert f'value="{answers["email"]}"' in html
    token = hidden_value(html, "form_token")
    assert token != answers["form_token"]
    assert read_form_token(token, csrf_secret=csrf_secret) is not None
    return html


def assert_nothing_of(stored, html):
    for revealed in (stored.reference, "You told us it has changed", "speak to your GP"):
        assert revealed not in html


# --- Bound to the visitor ----------------------------------------------------------------


def test_a_token_from_another_visitors_form_brings_the_form_back_and_reveals_nothing(
    client, other_visitor
):
    data, stored = first_patients_request(client)
    answers = {**data, **SECOND_PATIENT}

    response = other_visitor.post("/book/", answers)

    html = assert_form_back_asking_to_send_again(response, answers, csrf_secret=OTHER_CSRF_SECRET)
    assert_nothing_of(stored, html)
    assert list(ConsultationRequest.objects.values_list("email", flat=True)) == [data["email"]]


def test_the_other_visitor_sending_the_form_again_stores_their_own_request(client, other_visitor):
    data, stored = first_patients_request(client)
    answers = {**data, **SECOND_PATIENT}
    html = other_visitor.post("/book/", answers).text

    again = other_visitor.post(
        "/book/", {**answers, "form_token": hidden_value(html, "form_token")}
    )

    assert again.status_code == 302
    own = ConsultationRequest.objects.exclude(pk=stored.pk).get()
    assert own.email == SECOND_PATIENT["email"]
    assert own.reference in other_visitor.get(again["Location"]).text


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("xx" if not token.endswith("xx") else "yy"),
        lambda token: token.replace(".", "!", 1),
        lambda token: "",
    ],
    ids=["signature", "payload", "missing"],
)
def test_a_forged_token_brings_the_form_back_and_reveals_nothing(client, forge):
    data, stored = first_patients_request(client)
    answers = {**data, **SECOND_PATIENT, "form_token": forge(data["form_token"])}

    response = client.post("/book/", answers)

    html = assert_form_back_asking_to_send_again(response, answers, csrf_secret=TEST_CSRF_SECRET)
    assert_nothing_of(stored, html)
    assert ConsultationRequest.objects.count() == 1


# --- Sent twice ----------------------------------------------------------------------------


def test_the_same_form_sent_twice_by_the_same_visitor_gives_one_request_and_their_confirmation(
    client,
):
    data = booking_form_data()
    first = client.post("/book/", data)
    second = client.post("/book/", data)
    assert first.status_code == second.status_code == 302
    assert ConsultationRequest.objects.count() == 1
    reference = ConsultationRequest.objects.get().reference
    assert reference in client.get(second["Location"]).text


def test_a_fresh_form_makes_a_second_request(client):
    client.post("/book/", booking_form_data())
    client.post("/book/", booking_form_data())
    assert ConsultationRequest.objects.count() == 2


# --- Limited in time -----------------------------------------------------------------------


def test_an_expired_token_with_valid_answers_is_stored_with_its_own_confirmation(client, settings):
    settings.BOOKING_MIN_SECONDS = 3  # the time-trap on: an old form is not "too fast"
    overnight = settings.BOOKING_FORM_TOKEN_MAX_AGE + 8 * 60 * 60
    data = booking_form_data(form_token=form_token(seconds_ago=overnight))

    response = client.post("/book/", data)

    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.NEW
    assert stored.spam_reason == ""
    assert stored.reference in client.get(response["Location"]).text


def test_an_expired_token_with_problems_comes_back_with_a_fresh_token(client, settings):
    expired = form_token(seconds_ago=settings.BOOKING_FORM_TOKEN_MAX_AGE + 60)
    data = booking_form_data(form_token=expired, email="nope")

    html = client.post("/book/", data).text

    token = hidden_value(html, "form_token")
    assert token != expired
    assert not read_form_token(token, csrf_secret=TEST_CSRF_SECRET).is_expired()
    assert SEND_AGAIN_MESSAGE not in html  # the field's own message says what to do


def test_an_expired_token_already_used_brings_the_form_back_not_the_earlier_request(
    client, settings
):
    data, stored = first_patients_request(client)
    hours_later = time.time() + settings.BOOKING_FORM_TOKEN_MAX_AGE + 60

    with mock.patch("booking.tokens.time.time", return_value=hours_later):
        response = client.post("/book/", {**data, **SECOND_PATIENT})

    html = assert_form_back_asking_to_send_again(
        response, {**data, **SECOND_PATIENT}, csrf_secret=TEST_CSRF_SECRET
    )
    assert_nothing_of(stored, html)
    assert ConsultationRequest.objects.count() == 1


def test_the_token_lifetime_is_a_setting_of_a_few_hours():
    assert django_settings.BOOKING_FORM_TOKEN_MAX_AGE == 4 * 60 * 60


# --- From the page cache -------------------------------------------------------------------


def visitor():
    """A first-time visitor: no cookies, CSRF checked as a browser's request would be."""
    return Client(enforce_csrf_checks=True)


def send_shown_form(browser, html, **answers):
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data = booking_form_data(
        csrfmiddlewaretoken=fields["csrfmiddlewaretoken"],
        form_token=fields["form_token"],
        **answers,
    )
    return browser.post("/book/", data)


def test_a_cached_page_gives_each_visitor_a_token_bound_to_their_own_cookie(settings):
    settings.PAGE_CACHE_SECONDS = 600
    first, second = visitor(), visitor()
    pages = [first.get("/book/"), second.get("/book/")]
    secrets = [page.cookies[settings.CSRF_COOKIE_NAME].value for page in pages]
    tokens = [hidden_value(page.text, "form_token") for page in pages]

    assert [page["X-Page-Cache"] for page in pages] == ["miss", "hit"]
    assert secrets[0] != secrets[1]
    assert read_form_token(tokens[1], csrf_secret=secrets[1]) is not None
    assert read_form_token(tokens[1], csrf_secret=secrets[0]) is None

    sent = [
        send_shown_form(first, pages[0].text, email="first@example.com"),
        send_shown_form(second, pages[1].text, email="second@example.com"),
    ]

    assert [response.status_code for response in sent] == [302, 302]
    for browser, response, email in zip(
        (first, second), sent, ("first@example.com", "second@example.com"), strict=True
    ):
        stored = ConsultationRequest.objects.get(email=email)
        assert stored.reference in browser.get(response["Location"]).text


def test_a_returning_visitors_cached_page_token_is_bound_to_the_cookie_they_have(settings):
    settings.PAGE_CACHE_SECONDS = 600
    visitor().get("/book/")  # someone else primes the cache
    returning = visitor()
    returning.cookies[settings.CSRF_COOKIE_NAME] = OTHER_CSRF_SECRET

    page = returning.get("/book/")

    assert page["X-Page-Cache"] == "hit"
    token = hidden_value(page.text, "form_token")
    assert read_form_token(token, csrf_secret=OTHER_CSRF_SECRET) is not None
    assert send_shown_form(returning, page.text).status_code == 302
