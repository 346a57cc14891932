"""Bots, floods, double clicks and hostile input: a clear answer every time, and nothing lost."""

import time

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from booking import ratelimit
from booking.forms import ConsultationRequestForm
from booking.models import ConsultationRequest
from booking.tokens import new_form_token
from tests.factories import booking_form_data, make_request, make_staff

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
    response = client.post("/book/", booking_form_data(form_token=new_form_token()))
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.SPAM
    assert stored.spam_reason.startswith("sent 0.")


def test_a_form_sent_after_the_time_trap_is_a_normal_request(client, settings):
    settings.BOOKING_MIN_SECONDS = 3
    token = new_form_token(issued_at=time.time() - 3.5)
    client.post("/book/", booking_form_data(form_token=token))
    assert ConsultationRequest.objects.get().status == ConsultationRequest.Status.NEW


def test_with_the_time_trap_off_a_quick_form_is_a_normal_request(client, settings):
    settings.BOOKING_MIN_SECONDS = 0
    client.post("/book/", booking_form_data(form_token=new_form_token()))
    assert ConsultationRequest.objects.get().status == ConsultationRequest.Status.NEW


@pytest.mark.parametrize("token", [None, "", "forged", "x" * 500])
def test_a_form_without_a_genuine_token_is_stored_as_spam(client, token):
    response = client.post("/book/", booking_form_data(form_token=token))
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.SPAM
    assert stored.spam_reason == "no valid form token"


def test_a_form_with_problems_and_a_forged_token_comes_back_with_a_genuine_one(client):
    response = client.post("/book/", booking_form_data(form_token="forged", email="nope"))
    assert response.status_code == 200
    assert response.wsgi_request.booking_form_token in response.content.decode()


# --- Double submission ---------------------------------------------------------------------


def test_the_same_form_sent_twice_stores_one_request(client, relaxed):
    data = booking_form_data()
    first = client.post("/book/", data)
    second = client.post("/book/", data)
    assert first.status_code == second.status_code == 302
    assert ConsultationRequest.objects.count() == 1
    reference = ConsultationRequest.objects.get().reference
    assert reference in client.get(second["Location"]).content.decode()


def test_a_fresh_form_makes_a_second_request(client, relaxed):
    client.post("/book/", booking_form_data())
    client.post("/book/", booking_form_data())
    assert ConsultationRequest.objects.count() == 2


# --- Rate limit -----------------------------------------------------------------------------


def test_the_rate_limit_answers_429_with_the_phone_number_and_stores_nothing(client, settings):
    settings.BOOKING_RATE_LIMIT = "2/10m"
    assert client.post("/book/", booking_form_data()).status_code == 302
    assert client.post("/book/", booking_form_data()).status_code == 302
    response = client.post("/book/", booking_form_data())
    html = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "Your request has not been sent" in html
    assert 'href="tel:+442073860464"' in html
    assert '<header class="site-header">' in html  # the branded page, not a bare error
    assert "no-store" in response["Cache-Control"]
    assert ConsultationRequest.objects.count() == 2


def test_forms_with_problems_do_not_use_up_the_limit(client, settings):
    # A patient struggling with a phone number must not be locked out by their own typos.
    settings.BOOKING_RATE_LIMIT = "1/10m"
    for _ in range(5):
        assert client.post("/book/", booking_form_data(phone="123")).status_code == 200
    assert client.post("/book/", booking_form_data()).status_code == 302


def test_the_rate_limit_is_per_client(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    assert client.post("/book/", booking_form_data(), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post("/book/", booking_form_data(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post("/book/", booking_form_data(), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    settings.TRUSTED_PROXY_COUNT = 0
    client.post("/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = client.post("/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert (
        client.post(
            "/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.1", **proxy
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/book/", booking_form_data(), HTTP_X_FORWARDED_FOR="other, 198.51.100.1", **proxy
        ).status_code
        == 429
    )


def test_ipv6_clients_are_counted_per_64_block(client, settings):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    client.post("/book/", booking_form_data(), REMOTE_ADDR="2001:db8:1:2::1")
    same_block = client.post("/book/", booking_form_data(), REMOTE_ADDR="2001:db8:1:2:ffff::9")
    other_block = client.post("/book/", booking_form_data(), REMOTE_ADDR="2001:db8:1:3::1")
    assert same_block.status_code == 429
    assert other_block.status_code == 302


def test_a_double_click_on_the_last_allowed_request_shows_its_confirmation_not_429(
    client, settings
):
    settings.BOOKING_RATE_LIMIT = "1/10m"
    data = booking_form_data()
    first = client.post("/book/", data)
    second = client.post("/book/", data)
    assert second.status_code == 302
    assert second["Location"].split(":")[0] == first["Location"].split(":")[0]
    assert ConsultationRequest.objects.count() == 1


def test_the_limit_can_be_turned_off(client, settings):
    settings.BOOKING_RATE_LIMIT = "off"
    for _ in range(8):
        assert client.post("/book/", booking_form_data()).status_code == 302


def test_the_limit_window_resets_and_retry_after_counts_down(rf, settings):
    settings.BOOKING_RATE_LIMIT = "2/10m"
    request = rf.post("/book/")
    start = 6000.0 * 1000  # the start of a ten-minute window
    assert ratelimit.count_booking_attempt(request, now=start).allowed
    assert ratelimit.count_booking_attempt(request, now=start + 1).allowed
    verdict = ratelimit.count_booking_attempt(request, now=start + 100)
    assert not verdict.allowed
    assert verdict.retry_after == 500
    assert ratelimit.count_booking_attempt(request, now=start + 600).allowed


def test_the_count_is_kept_in_the_shared_cache_under_a_hashed_key(rf, settings):
    settings.BOOKING_RATE_LIMIT = "5/10m"
    request = rf.post("/book/", REMOTE_ADDR="192.0.2.77")
    ratelimit.count_booking_attempt(request, now=600.0)
    ratelimit.count_booking_attempt(request, now=601.0)
    key = f"booking:ratelimit:{ratelimit.client_key(request)}:600:1"
    assert caches["ratelimit"].get(key) == 2
    assert "192.0.2.77" not in key


def test_a_flood_of_cached_pages_cannot_push_out_the_rate_limit_counts(rf, settings):
    settings.BOOKING_RATE_LIMIT = "5/10m"
    request = rf.post("/book/", REMOTE_ADDR="192.0.2.78")
    ratelimit.count_booking_attempt(request, now=600.0)

    # More entries than the local-memory page cache holds (300): it evicts, counts stay.
    caches["default"].set_many({f"page-{number}": "x" for number in range(400)})

    key = f"booking:ratelimit:{ratelimit.client_key(request)}:600:1"
    assert caches["ratelimit"].get(key) == 1


def test_a_cache_outage_never_stops_a_booking(client, settings, monkeypatch):
    settings.BOOKING_RATE_LIMIT = "1/10m"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["ratelimit"], "add", broken)
    assert client.post("/book/", booking_form_data()).status_code == 302
    assert client.post("/book/", booking_form_data()).status_code == 302


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("5/10m", ratelimit.Rate(5, 600)),
        ("10/1h", ratelimit.Rate(10, 3600)),
        ("10/h", ratelimit.Rate(10, 3600)),
        ("100/d", ratelimit.Rate(100, 86400)),
        (" 3 / 30S ", ratelimit.Rate(3, 30)),
        ("off", None),
        ("OFF", None),
        ("0", None),
    ],
)
def test_rate_settings_are_read_as_count_per_period(value, rate):
    assert ratelimit.parse_rate(value) == rate


@pytest.mark.parametrize("value", ["five", "5", "5/", "5/10", "0/10m", "5/0m", "5/10y", "-1/1h"])
def test_a_mistyped_rate_setting_is_refused_clearly(value):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="BOOKING_RATE_LIMIT"):
        ratelimit.parse_rate(value)


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
