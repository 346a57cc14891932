"""
What a page cache hit serves: the stored page and headers, with every per-visitor value made
afresh (CSRF token and cookie, the booking form's token, the CSP nonce). Through the full
middleware stack, with the small views of tests/clinic_site/page_cache_urls.py, which count
their renders. The real pages are tested in tests/test_performance.py.
"""

import functools
import re
import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client

from booking.tokens import form_token_for, read_form_token
from clinic_site.page_cache import keys, storage, visitor_values
from pages.models import Clinic
from tests.clinic_site.page_cache_helpers import renders, tokens, visitor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.clinic_site.page_cache_urls"),
    pytest.mark.usefixtures("page_cache_on"),
]


def test_second_visitor_gets_the_stored_page_without_a_render():
    first = visitor().get("/page/")
    second = visitor().get("/page/")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert renders() == 1
    assert second.status_code == 200


def test_cache_hit_makes_no_database_query(django_assert_num_queries):
    Clinic.objects.create(title="London", slug="london", city="London")
    visitor().get("/page/")

    with django_assert_num_queries(0):
        response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "hit"
    assert "London;" in response.content.decode()


def test_first_time_visitor_of_a_cached_page_can_post_its_form():
    visitor().get("/page/")  # someone else primes the cache
    patient = visitor()

    response = patient.get("/page/")
    csrf_tokens, _ = tokens(response)
    posted = patient.post("/submit/", {"csrfmiddlewaretoken": csrf_tokens[0]})

    assert response["X-Page-Cache"] == "hit"
    assert "csrftoken" in response.cookies
    assert posted.status_code == 200
    assert posted.content == b"accepted"


def test_every_csrf_token_on_a_cached_page_belongs_to_the_visitor_who_gets_it():
    primer = visitor().get("/page/")
    patient = visitor()

    response = patient.get("/page/")
    secret = response.cookies["csrftoken"].value
    csrf_tokens, _ = tokens(response)

    assert len(csrf_tokens) == 2  # both forms on the page
    assert {_unmask_cipher_token(token) for token in csrf_tokens} == {secret}
    assert secret != primer.cookies["csrftoken"].value


def test_cached_page_without_the_visitors_token_would_be_refused():
    """The check above is meaningful: another visitor's token is refused (403)."""
    primer = visitor().get("/page/")
    patient = visitor()
    patient.get("/page/")

    posted = patient.post("/submit/", {"csrfmiddlewaretoken": tokens(primer)[0][0]})

    assert posted.status_code == 403


def test_returning_visitor_keeps_their_csrf_cookie_on_a_hit():
    patient = visitor()
    patient.get("/page/")
    secret = patient.cookies["csrftoken"].value

    response = patient.get("/page/")

    assert response["X-Page-Cache"] == "hit"
    assert {_unmask_cipher_token(token) for token in tokens(response)[0]} == {secret}
    posted = patient.post("/submit/", {"csrfmiddlewaretoken": tokens(response)[0][0]})
    assert posted.status_code == 200


def test_each_visitor_gets_a_fresh_form_token_bound_to_their_own_csrf_cookie():
    started = time.time()
    first = visitor().get("/page/")
    time.sleep(0.01)
    second = visitor().get("/page/")
    third = visitor().get("/page/")

    responses = (first, second, third)
    form_tokens = [tokens(response)[1][0] for response in responses]
    secrets = [response.cookies["csrftoken"].value for response in responses]
    parsed = [read_form_token(t, csrf_secret=s) for t, s in zip(form_tokens, secrets, strict=True)]

    assert len(set(form_tokens)) == 3
    assert all(token is not None for token in parsed)
    assert read_form_token(form_tokens[1], csrf_secret=secrets[0]) is None
    # The render time in a replayed token is the visit's, not the stored page's: the
    # time-trap still measures how long this patient took.
    assert parsed[1].issued_at > parsed[0].issued_at >= started - 0.002


def test_no_placeholder_ever_reaches_a_visitor():
    miss = visitor().get("/page/")
    hit = visitor().get("/page/")
    stored_content = cache.get(keys.lookup_key(hit.wsgi_request))[2]

    assert visitor_values.CSRF_PLACEHOLDER in stored_content
    assert tokens(miss)[1][0].encode() not in stored_content  # swapped for its placeholder
    assert b"\x00" not in hit.content


def test_a_hit_carries_the_headers_a_render_gets():
    """A hit skips most of the middleware stack: what it added is replayed, the rest still
    runs (security headers), and only the per-visitor values differ."""
    miss = visitor().get("/page/")
    hit = visitor().get("/page/")

    def comparable(response):
        skipped = {"x-page-cache", "content-length", "set-cookie"}
        return {name: value for name, value in response.items() if name.lower() not in skipped}

    assert comparable(hit) == comparable(miss)
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cross-Origin-Opener-Policy",
    ):
        assert hit[header]
    cookie = hit.cookies["csrftoken"]
    assert (cookie["samesite"], cookie["path"]) == ("Lax", "/")
    assert cookie["max-age"] == miss.cookies["csrftoken"]["max-age"]


def test_a_hit_for_a_host_not_allowed_is_refused():
    visitor().get("/page/")

    response = visitor().get("/page/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "X-Page-Cache" not in response


def test_visitor_with_a_malformed_csrf_cookie_gets_a_working_one_on_a_hit():
    visitor().get("/page/")
    patient = visitor()
    patient.cookies["csrftoken"] = "not-a-token!"

    response = patient.get("/page/")
    posted = patient.post("/submit/", {"csrfmiddlewaretoken": tokens(response)[0][0]})

    assert response["X-Page-Cache"] == "hit"
    assert response.cookies["csrftoken"].value != "not-a-token!"
    assert posted.status_code == 200


def test_pages_of_views_not_marked_public_are_never_stored():
    first = visitor().get("/robots.txt")
    second = visitor().get("/robots.txt")

    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second


def test_content_length_matches_the_substituted_body():
    visitor().get("/page/")
    hit = visitor().get("/page/")

    assert int(hit["Content-Length"]) == len(hit.content)


def test_pages_are_private_to_the_browser_and_vary_on_cookie():
    miss = visitor().get("/page/")
    hit = visitor().get("/page/")

    for response in (miss, hit):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"private", "no-cache"}
        assert "Cookie" in response["Vary"]


def test_a_view_marked_public_is_cached_but_never_served_as_public():
    miss = visitor().get("/public/")
    hit = visitor().get("/public/")

    assert hit["X-Page-Cache"] == "hit"
    for response in (miss, hit):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert "public" not in directives
        assert {"private", "no-cache"} <= directives


def test_page_without_a_form_sets_no_cookie_from_the_cache():
    visitor().get("/plain/")
    hit = visitor().get("/plain/")

    assert hit["X-Page-Cache"] == "hit"
    assert "csrftoken" not in hit.cookies
    assert renders() == 1


def test_template_response_is_rendered_and_cached():
    miss = visitor().get("/template-response/")
    hit = visitor().get("/template-response/")

    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert renders() == 1
    assert tokens(hit)[0][0] != tokens(miss)[0][0]


def test_head_request_is_served_from_the_same_entry():
    visitor().get("/page/")

    response = visitor().head("/page/")

    assert response["X-Page-Cache"] == "hit"
    assert renders() == 1


def test_csp_nonce_on_a_cached_page_matches_this_responses_policy():
    visitor().get("/nonce/")
    hit = visitor().get("/nonce/")
    again = visitor().get("/nonce/")

    nonce = re.search(r'<script nonce="([^"]+)"', hit.content.decode())[1]
    assert f"'nonce-{nonce}'" in hit["Content-Security-Policy"]
    assert nonce not in again.content.decode()
    assert hit["X-Page-Cache"] == "hit"


# --- Values a view registers -------------------------------------------------------------


def test_a_registered_value_that_is_missing_from_the_page_stops_it_being_stored():
    visitor().get("/unregistered/")
    response = visitor().get("/unregistered/")

    assert response["X-Page-Cache"] == "bypass"
    assert renders() == 2


@pytest.mark.parametrize(
    "fresh",
    [lambda request: "token", Client.get, functools.partial(form_token_for)],
    ids=["lambda", "method", "partial"],
)
def test_only_a_module_level_function_can_make_fresh_values(rf, fresh):
    """It is stored with the page by name, so another worker must be able to import it."""
    with pytest.raises(TypeError):
        visitor_values.register_visitor_value(rf.get("/"), "value", fresh=fresh)


def test_a_page_stored_with_a_function_that_no_longer_exists_is_rendered_again():
    """A page stored by older code (the function renamed since) is not served."""
    visitor().get("/page/")
    key = keys.lookup_key(visitor().get("/page/").wsgi_request)
    version, headers, content, uses_csrf, _paths, uses_nonce, expires_at = cache.get(key)
    renamed = ("booking.tokens.no_such_function",)
    cache.set(key, (version, headers, content, uses_csrf, renamed, uses_nonce, expires_at))
    storage.forget_worker_copies()

    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "miss"
    secret = response.cookies["csrftoken"].value
    assert read_form_token(tokens(response)[1][0], csrf_secret=secret) is not None


# --- The CSRF token a hit gets ------------------------------------------------------------


def test_visitor_csrf_token_for_a_new_visitor_is_what_get_token_gives(rf):
    request = rf.get("/page/")

    token = visitor_values.visitor_csrf_token(request)

    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert re.fullmatch(r"[A-Za-z0-9]{32}", secret)
    assert re.fullmatch(r"[A-Za-z0-9]{64}", token)
    assert _unmask_cipher_token(token) == secret


def test_visitor_csrf_token_keeps_a_returning_visitors_secret_with_a_new_mask(rf):
    request = rf.get("/page/")
    request.META["CSRF_COOKIE"] = "k" * 32

    first, second = (visitor_values.visitor_csrf_token(request) for _ in range(2))

    assert request.META["CSRF_COOKIE"] == "k" * 32
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == "k" * 32
    assert first != second


def test_csrf_characters_are_drawn_evenly():
    """Every one of the 62 characters equally likely (no modulo bias: 256 bytes don't divide
    evenly into 62, so without the rejection step the first 8 would come 25% more often)."""
    counts = Counter(visitor_values._random_csrf_chars(620_000))

    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) / min(counts.values()) < 1.12
