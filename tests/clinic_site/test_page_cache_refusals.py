"""
What the page cache never serves or stores: pages for logged-in staff or anyone with a cookie
but the CSRF cookie, responses that set their own cookie, touch the session, aren't a 200 or
opt out, POSTs, and everything when PAGE_CACHE_SECONDS is 0.
"""

import pytest

from clinic_site.page_cache.middleware import PageCacheMiddleware
from tests.clinic_site import page_cache_urls
from tests.clinic_site.page_cache_helpers import renders, tokens, visitor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.clinic_site.page_cache_urls"),
    pytest.mark.usefixtures("page_cache_on"),
]


def test_logged_in_staff_get_a_fresh_page_not_the_cached_one(admin_client):
    visitor().get("/page/")

    response = admin_client.get("/page/")

    assert response["X-Page-Cache"] == "bypass"
    assert "Hello admin." in response.content.decode()
    assert renders() == 2


def test_page_rendered_for_logged_in_staff_is_not_stored(admin_client):
    admin_client.get("/page/")

    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "miss"
    assert "Hello admin" not in response.content.decode()
    assert renders() == 2


def test_logged_in_user_without_a_session_cookie_is_still_not_stored(rf, admin_user):
    """Defence in depth: should a user ever be authenticated some other way than the session
    cookie (a remote-user header, a token), their page still isn't stored."""
    request = rf.get("/page/")
    request.user = admin_user
    middleware = PageCacheMiddleware(page_cache_urls.form_page)

    response = middleware(request)

    assert response["X-Page-Cache"] == "bypass"
    assert "Hello admin." in response.content.decode()
    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


def test_visitor_with_any_cookie_but_csrftoken_skips_the_cache():
    visitor().get("/page/")
    patient = visitor()
    patient.cookies["sessionid"] = "not-a-real-session"

    response = patient.get("/page/")

    assert response["X-Page-Cache"] == "bypass"
    assert renders() == 2


@pytest.mark.parametrize(
    "url",
    ["/cookie/", "/session/", "/missing/", "/never-cached/"],
    ids=["sets-own-cookie", "writes-session", "not-200", "never-cache"],
)
def test_responses_that_are_not_for_everyone_are_not_stored(url):
    visitor().get(url)
    response = visitor().get(url)

    assert response["X-Page-Cache"] == "bypass"
    assert renders() == 2


def test_never_cache_headers_are_kept():
    response = visitor().get("/never-cached/")

    assert "no-store" in response["Cache-Control"]


def test_post_is_never_cached():
    patient = visitor()
    patient.get("/page/")

    response = patient.post("/page/", {"csrfmiddlewaretoken": tokens(patient.get("/page/"))[0][0]})

    assert response["X-Page-Cache"] == "bypass"


def test_page_cache_seconds_zero_turns_the_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    visitor().get("/page/")

    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "bypass"
    assert renders() == 2
    assert "csrftoken" in response.cookies
