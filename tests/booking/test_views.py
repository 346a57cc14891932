"""
The booking pages as a patient meets them: /book/ and the confirmation. The form beside
content pages: test_sidebar.py.
"""

import re
import time
from unittest import mock

import pytest
from django.core import signing

from booking import consent, views, wording
from booking.models import ConsultationRequest
from booking.tokens import read_form_token
from tests.booking.form_html import hidden_value, selected_option
from tests.factories import TEST_CSRF_SECRET, booking_form_data, make_clinic, make_treatment

pytestmark = pytest.mark.django_db

CONFIRMATION_URL = re.compile(r"/book/thank-you/[^/]+/")


def book(client, **fields):
    return client.post("/book/", booking_form_data(**fields))


# --- The form page ---------------------------------------------------------------------------


def test_book_page_shows_the_form_with_the_phone_number(client):
    response = client.get("/book/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Book a consultation | Cosmedics Skin Clinics</title>" in html
    assert html.count("<h1>") == 1
    assert '<form  action="/book/" id="booking-form" novalidate="" method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'href="tel:+442073860464"' in html
    for label in (
        "Full name",
        "Email address",
        "Phone number",
        "Preferred clinic",
        "Treatment or concern",
        "How should we contact you?",
        "Which days can you usually come? (optional)",
        "What times of day? (optional)",
        "Anything else about times? (optional)",
        "Message (optional)",
        "I am 18 or over",
    ):
        assert label in html
    assert "We aim to contact you within one working day" in html


def test_book_page_is_in_the_main_navigation(client):
    header = client.get("/").content.decode().split("</header>")[0]
    assert re.search(r'href="/book/"[^>]*>Book a consultation<', header)


def test_each_form_carries_a_fresh_signed_token_even_from_the_page_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get("/book/")
    second = client.get("/book/")
    token = hidden_value(first.content.decode(), "form_token")
    assert read_form_token(token, csrf_secret=TEST_CSRF_SECRET) is not None
    assert second["X-Page-Cache"] == "hit"
    cached_token = hidden_value(second.content.decode(), "form_token")
    assert read_form_token(cached_token, csrf_secret=TEST_CSRF_SECRET) is not None
    assert hidden_value(second.content.decode(), "form_token") != token
    # Rendered once, as the hidden input's value only: easy for the page cache to swap.
    assert first.content.decode().count(token) == 1


def test_book_page_records_itself_as_the_source_page(client):
    assert hidden_value(client.get("/book/?x=1").content.decode(), "source_path") == "/book/"


def test_treatment_and_clinic_can_be_preselected_in_the_query_string(client):
    make_clinic("Bristol")
    make_treatment("Moles")
    html = client.get("/book/?treatment=moles&clinic=bristol").content.decode()
    assert selected_option(html, "treatment") == "moles"
    assert selected_option(html, "clinic") == "bristol"


@pytest.mark.parametrize(
    "query",
    [
        "?treatment=unknown&clinic=nowhere",
        "?treatment=<script>&clinic=%00",
        "?treatment=" + "a" * 5000,
        "?treatment=secret",  # unpublished
    ],
)
def test_unknown_preselection_is_ignored(client, query):
    make_treatment("Secret").__class__.objects.update(is_published=False)
    response = client.get("/book/" + query)
    assert response.status_code == 200
    assert selected_option(response.content.decode(), "treatment") == ""


def test_changes_question_shows_on_book_page_with_a_hint(client):
    html = client.get("/book/").content.decode()
    assert "Has your mole or skin lesion changed, bled or become itchy recently? (optional)" in html
    assert "For moles and skin lesions." in html


def test_changes_question_is_left_out_for_a_treatment_that_does_not_ask_it(client):
    make_treatment("Milia", asks_about_changes=False)
    make_treatment("Moles", asks_about_changes=True)
    assert 'name="recent_change"' not in client.get("/book/?treatment=milia").content.decode()
    assert 'name="recent_change"' in client.get("/book/?treatment=moles").content.decode()


def test_book_page_only_answers_get_head_and_post(client):
    assert client.head("/book/").status_code == 200
    assert client.put("/book/").status_code == 405


# --- Sending a request (Post/Redirect/Get) ---------------------------------------------------


def test_a_good_request_is_stored_and_redirected_to_its_confirmation(client):
    make_clinic("London")
    make_treatment("Moles")
    response = book(client, clinic="london", treatment="moles", source_path="/skin-advice/x/")
    assert response.status_code == 302
    assert CONFIRMATION_URL.fullmatch(response["Location"])
    stored = ConsultationRequest.objects.get()
    assert stored.clinic.slug == "london"
    assert stored.treatment.slug == "moles"
    assert stored.source_path == "/skin-advice/x/"
    assert stored.phone == "+447912345678"
    assert stored.status == ConsultationRequest.Status.NEW


def test_the_confirmation_address_holds_no_personal_data(client):
    location = book(client)["Location"]
    stored = ConsultationRequest.objects.get()
    assert stored.reference in location
    for personal in ("Zo", "zoe", "example.com", "7912", "345678"):
        assert personal not in location


def test_confirmation_shows_the_reference_what_happens_next_and_the_phone(client, settings):
    response = client.get(book(client)["Location"])
    stored = ConsultationRequest.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert stored.reference in html
    assert "What happens next" in html
    assert "We aim to call you " + wording.respond_by_text(stored.respond_by, relative=True) in html
    assert 'href="tel:+442073860464"' in html
    assert "speak to your GP" not in html


def test_confirmation_says_email_when_the_patient_chose_email(client):
    response = client.get(book(client, contact_method="email")["Location"])
    assert "We aim to email you by" in response.content.decode()


def test_confirmation_shows_nothing_the_patient_typed(client):
    response = client.get(book(client, message="My secret message")["Location"])
    html = response.content.decode()
    for personal in ("Zoë", "O&#x27;Connor", "zoe@example.com", "7912", "My secret message"):
        assert personal not in html


def test_confirmation_is_never_cached_or_indexed(client):
    response = client.get(book(client)["Location"])
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_reloading_the_confirmation_creates_nothing(client):
    location = book(client)["Location"]
    for _ in range(3):
        assert client.get(location).status_code == 200
    assert ConsultationRequest.objects.count() == 1


def test_a_yes_to_changed_bled_or_itchy_shows_a_calm_gp_note(client):
    response = client.get(book(client, recent_change="yes")["Location"])
    html = response.content.decode()
    assert ConsultationRequest.objects.get().is_clinical_priority
    assert "Please also speak to your GP" in html
    for alarming in ("urgent", "emergency", "cancer", "immediately", "!"):
        assert alarming not in html.split('id="gp-note-heading"')[1].split("</section>")[0]


def test_the_health_sentence_shows_only_in_the_minutes_after_sending(client):
    location = book(client, recent_change="yes")["Location"]
    stored = ConsultationRequest.objects.get()
    assert "You told us it has changed, bled or become itchy" in client.get(location).text

    later = time.time() + views.HEALTH_NOTE_MAX_AGE + 1
    with mock.patch("django.core.signing.time.time", return_value=later):
        html = client.get(location).text
    assert stored.reference in html
    assert "What happens next" in html
    assert "changed, bled or become itchy" not in html
    assert "speak to your GP" not in html


def test_another_patients_confirmation_cannot_be_guessed(client):
    book(client)
    reference = ConsultationRequest.objects.get().reference
    assert client.get(f"/book/thank-you/{reference}/").status_code == 404
    forged = signing.TimestampSigner(salt="not-the-salt").sign(reference)
    assert client.get(f"/book/thank-you/{forged}/").status_code == 404


def test_a_confirmation_link_expires_after_a_day(client):
    book(client)
    stored = ConsultationRequest.objects.get()
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
        old_url = views.confirmation_url(stored)
    response = client.get(old_url)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This confirmation page has expired" in html
    assert stored.reference not in html
    assert 'href="tel:+442073860464"' in html


def test_a_confirmation_for_a_request_that_no_longer_exists_is_not_found(client):
    location = book(client)["Location"]
    ConsultationRequest.objects.all().delete()
    assert client.get(location).status_code == 404


def test_respond_by_text_reads_naturally():
    from datetime import UTC, datetime

    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # Monday 1 March, 09:00 in London (GMT)

    def text(*when, relative=False):
        return wording.respond_by_text(datetime(*when, tzinfo=UTC), relative=relative, now=now)

    # A day, not a minute: the clinics' opening hours aren't known.
    assert text(2027, 3, 2, 9, 53) == "by the end of Tuesday 2 March"
    assert text(2027, 3, 5, 0, 0) == "by the end of Thursday 4 March"
    assert text(2027, 6, 1, 23, 30) == "by the end of Wednesday 2 June"  # British Summer Time
    # On the confirmation page, seen the day it is sent: today and tomorrow say so.
    assert text(2027, 3, 1, 13, 0, relative=True) == "by the end of today"
    assert text(2027, 3, 2, 9, 53, relative=True) == "by the end of tomorrow (Tuesday 2 March)"
    assert text(2027, 3, 4, 10, 0, relative=True) == "by the end of Thursday 4 March"
    assert text(2027, 3, 3, 0, 0, relative=True) == "by the end of tomorrow (Tuesday 2 March)"
    assert wording.respond_by_text(None) == "within one working day"
    assert wording.response_time_text(24) == "one working day"
    assert wording.response_time_text(48) == "2 working days"
    assert wording.response_time_text(4) == "4 working hours"


# --- Problems with the answers ---------------------------------------------------------------


def test_an_empty_form_comes_back_with_an_error_summary_that_takes_focus(client):
    response = client.post("/book/", {"form_token": booking_form_data()["form_token"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>Error: Book a consultation \| Cosmedics Skin Clinics</title>", html)
    summary = re.search(r'<div class="alert alert-danger error-summary"[^>]*>', html)[0]
    assert 'tabindex="-1"' in summary
    assert "autofocus" in summary
    assert html.index("error-summary") < html.index('id="booking-form"')
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    assert links == [
        ("id_full_name", "Enter your full name"),
        ("id_email", "Enter your email address"),
        ("id_phone", "Enter your phone number"),
        ("id_contact_method_0", "Tell us how you would like us to contact you"),
        (
            "id_consent",
            "Tick the box to agree that we may use your information to respond to your request",
        ),
        ("id_confirmed_adult", "Confirm that you are 18 or over"),
    ]
    assert "This field is required" not in html
    assert not ConsultationRequest.objects.exists()


def test_each_field_with_a_problem_shows_its_own_message_linked_for_screen_readers(client):
    html = book(client, email="nope", phone="123").content.decode()
    for field in ("email", "phone"):
        assert f'<p id="id_{field}_error" class="invalid-feedback d-block booking-error">' in html
        tag = re.search(rf'<input [^>]*id="id_{field}"[^>]*>', html)[0]
        assert 'aria-invalid="true"' in tag
        assert f"id_{field}_error" in re.search(r'aria-describedby="([^"]*)"', tag)[1]
    assert "Enter an email address in the correct format, like name@example.com" in html
    # The radio group's message is tied to its fieldset.
    html = book(client, contact_method=None).content.decode()
    assert '<fieldset aria-describedby="id_contact_method_error">' in html


def test_every_answer_is_kept_when_the_form_comes_back(client):
    make_clinic("Bristol")
    make_treatment("Moles")
    data = booking_form_data(
        email="not-an-email",
        clinic="bristol",
        treatment="moles",
        contact_method="email",
        recent_change="not_sure",
        marketing_opt_in="on",
        best_time_to_call="After 5pm",
        message="Two moles\non my back",
        source_path="/skin-advice/milia/",
    )
    html = client.post("/book/", data).content.decode()
    assert 'value="Zoë O&#x27;Connor-Ng"' in html
    assert 'value="not-an-email"' in html
    assert 'value="07912 345678"' in html
    assert selected_option(html, "clinic") == "bristol"
    assert selected_option(html, "treatment") == "moles"
    assert re.search(r'value="email"[^>]*checked', html)
    assert re.search(r'value="not_sure"[^>]*checked', html)
    assert re.search(r'name="marketing_opt_in"[^>]*checked', html)
    assert re.search(r'name="consent"[^>]*checked', html)
    assert 'value="After 5pm"' in html
    assert ">\nTwo moles\non my back</textarea>" in html
    assert hidden_value(html, "source_path") == "/skin-advice/milia/"
    assert hidden_value(html, "form_token") == data["form_token"]


def test_a_corrected_form_is_then_accepted(client):
    data = booking_form_data(email="nope")
    assert client.post("/book/", data).status_code == 200
    data["email"] = "zoe@example.com"
    assert client.post("/book/", data).status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_a_form_with_problems_is_never_cached(client):
    response = book(client, email="nope")
    assert "no-store" in response["Cache-Control"]


# --- Queries ------------------------------------------------------------------------------


def test_sending_a_request_takes_a_fixed_small_number_of_queries(client, django_assert_num_queries):
    make_clinic("London")
    make_treatment("Moles")
    data = booking_form_data(clinic="london", treatment="moles")
    consent.current_texts()  # stored once, by the first request to agree to them
    # the clinics with their opening hours and closures (for the preferred times and the
    # response target), treatment, whether the clinic offers it, the consent texts on show;
    # savepoint, insert, release.
    with django_assert_num_queries(9):
        response = client.post("/book/", data)
    assert response.status_code == 302
