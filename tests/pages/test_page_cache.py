"""
The page cache's mechanism (pages/cache.py), through the full middleware stack, with small
views (tests/pages/page_cache_urls.py) that count their renders. The real pages are tested in
tests/test_performance.py.
"""

import os
import re
import socket
import time

import pytest
import redis
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from booking.tokens import read_form_token
from pages import cache as page_cache
from pages.models import Article, Clinic, Treatment
from tests.pages import page_cache_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.pages.page_cache_urls")]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
FORM_TOKEN_INPUT = re.compile(r'name="form_token" value="([^"]*)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    page_cache_urls.renders["count"] = 0


def renders():
    return page_cache_urls.renders["count"]


def visitor():
    """A first-time visitor: no cookies, and CSRF checked as a browser's request would be."""
    return Client(enforce_csrf_checks=True)


def tokens(response):
    html = response.content.decode()
    return CSRF_INPUT.findall(html), FORM_TOKEN_INPUT.findall(html)


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


def test_each_visitor_gets_a_fresh_form_token():
    started = time.time()
    first = visitor().get("/page/")
    time.sleep(0.01)
    second = visitor().get("/page/")
    third = visitor().get("/page/")

    form_tokens = [tokens(response)[1][0] for response in (first, second, third)]
    parsed = [read_form_token(token) for token in form_tokens]

    assert len(set(form_tokens)) == 3
    assert all(token is not None for token in parsed)
    # The render time in a replayed token is the visit's, not the stored page's: the
    # time-trap still measures how long this patient took.
    assert parsed[1].issued_at > parsed[0].issued_at >= started - 0.002


def test_no_placeholder_ever_reaches_a_visitor():
    visitor().get("/page/")
    hit = visitor().get("/page/")
    stored = cache.get(page_cache._page_key(hit.wsgi_request))

    assert page_cache.CSRF_PLACEHOLDER in stored[2]
    assert page_cache.FORM_TOKEN_PLACEHOLDER in stored[2]
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


def test_parameters_the_page_depends_on_are_part_of_the_key():
    visitor().get("/page/?treatment=moles")
    other = visitor().get("/page/?treatment=milia")
    same = visitor().get("/page/?treatment=moles")

    assert other["X-Page-Cache"] == "miss"
    assert same["X-Page-Cache"] == "hit"


def test_other_query_strings_share_one_entry_so_junk_cannot_flood_the_cache():
    visitor().get("/page/")
    tracked = visitor().get("/page/?utm_source=glamour")
    junk = [visitor().get(f"/page/?junk={number}") for number in range(20)]

    assert tracked["X-Page-Cache"] == "hit"
    assert {response["X-Page-Cache"] for response in junk} == {"hit"}


def test_csp_nonce_on_a_cached_page_matches_this_responses_policy():
    visitor().get("/nonce/")
    hit = visitor().get("/nonce/")
    again = visitor().get("/nonce/")

    nonce = re.search(r'<script nonce="([^"]+)"', hit.content.decode())[1]
    assert f"'nonce-{nonce}'" in hit["Content-Security-Policy"]
    assert nonce not in again.content.decode()
    assert hit["X-Page-Cache"] == "hit"


# --- Never served from or stored in the cache ---------------------------------------------


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
    middleware = page_cache.PageCacheMiddleware(page_cache_urls.form_page)

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


# --- Content changes appear at once --------------------------------------------------------


def test_saving_content_makes_the_next_visitor_see_it():
    clinic = Clinic.objects.create(title="London", slug="london", city="London")
    visitor().get("/page/")

    clinic.title = "London Chelsea"
    clinic.save()
    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "miss"
    assert "London Chelsea;" in response.content.decode()


def test_deleting_content_makes_the_next_visitor_see_it():
    Clinic.objects.create(title="Bristol", slug="bristol", city="Bristol")
    visitor().get("/page/")

    Clinic.objects.get(slug="bristol").delete()
    response = visitor().get("/page/")

    assert "Bristol;" not in response.content.decode()


@pytest.mark.parametrize("change", ["add", "remove", "clear"])
def test_many_to_many_changes_invalidate(change):
    milia = Treatment.objects.create(title="Milia", slug="milia", kind="condition")
    laser = Treatment.objects.create(title="Laser", slug="laser", kind="procedure")
    article = Article.objects.create(title="Milia", slug="milia-article")
    if change != "add":
        article.related_treatments.add(milia)
        milia.procedures.add(laser)
    visitor().get("/page/")

    if change == "add":
        article.related_treatments.add(milia)
    elif change == "remove":
        milia.procedures.remove(laser)
    else:
        article.related_treatments.clear()

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("model", ["redirect", "site"])
def test_redirects_and_the_site_domain_invalidate(model):
    visitor().get("/page/")

    if model == "redirect":
        Redirect.objects.create(site_id=1, old_path="/old/", new_path="/page/")
    else:
        site = Site.objects.get_current()
        site.domain = "www.example.com"
        site.save()

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


def test_content_version_is_bumped_again_after_commit(django_capture_on_commit_callbacks):
    """A worker may re-store old data between the save and the commit: bump on commit too."""
    with django_capture_on_commit_callbacks() as callbacks:
        Clinic.objects.create(title="London", slug="london", city="London")
    visitor().get("/page/")  # stored "during" the transaction

    for callback in callbacks:
        callback()

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


def test_local_memory_cache_keeps_the_version_where_every_worker_sees_it(settings):
    """With a per-process cache, another gunicorn worker's edit arrives via the stamp file."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert page_cache._version_in_file()
    visitor().get("/page/")
    stamp = page_cache._stamp_path()

    # What another worker's invalidate_public_pages() does: only the file changes.
    later = stamp.stat().st_mtime_ns + 1_000
    os.utime(stamp, ns=(later, later))

    assert visitor().get("/page/")["X-Page-Cache"] == "miss"


@pytest.fixture
def redis_cache(settings):
    """The default cache on the local Redis, under a key prefix of this test's own."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"page-cache-test-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    yield
    # Only this test's keys: clear() would empty the whole Redis database.
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_shared_cache_keeps_the_version_in_the_cache(redis_cache):
    assert not page_cache._version_in_file()
    visitor().get("/page/")
    hit = visitor().get("/page/")
    Clinic.objects.create(title="Bristol", slug="bristol", city="Bristol")
    after_edit = visitor().get("/page/")

    assert hit["X-Page-Cache"] == "hit"
    assert after_edit["X-Page-Cache"] == "miss"
    assert "Bristol;" in after_edit.content.decode()


def test_with_redis_a_worker_serves_hits_from_its_own_copy(redis_cache):
    visitor().get("/page/")
    # Gone from Redis (evicted, say): this worker still has the page at the current version.
    cache.delete(page_cache._page_key(visitor().get("/page/").wsgi_request))

    response = visitor().get("/page/")

    assert response["X-Page-Cache"] == "hit"
    assert renders() == 1


def test_with_redis_another_workers_edit_shows_within_the_recheck_interval(
    redis_cache, monkeypatch
):
    monkeypatch.setattr(page_cache, "VERSION_RECHECK_SECONDS", 0.2)
    visitor().get("/page/")

    # What another worker's invalidate_public_pages() does: only Redis changes.
    cache.set(page_cache.VERSION_KEY, "another-workers-version", timeout=None)
    at_once = visitor().get("/page/")
    time.sleep(0.25)
    later = visitor().get("/page/")

    assert at_once["X-Page-Cache"] == "hit"
    assert later["X-Page-Cache"] == "miss"


def test_pages_still_render_and_edits_still_save_when_redis_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.PAGE_CACHE_SECONDS = 600

    first = visitor().get("/page/")
    Clinic.objects.create(title="London", slug="london", city="London")
    second = visitor().get("/page/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second["X-Page-Cache"] == "bypass"
    assert "London;" in second.content.decode()


# --- The CSRF token a hit gets ------------------------------------------------------------


def test_visitor_csrf_token_for_a_new_visitor_is_what_get_token_gives(rf):
    request = rf.get("/page/")

    token = page_cache.visitor_csrf_token(request)

    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert re.fullmatch(r"[A-Za-z0-9]{32}", secret)
    assert re.fullmatch(r"[A-Za-z0-9]{64}", token)
    assert _unmask_cipher_token(token) == secret


def test_visitor_csrf_token_keeps_a_returning_visitors_secret_with_a_new_mask(rf):
    request = rf.get("/page/")
    request.META["CSRF_COOKIE"] = "k" * 32

    first, second = (page_cache.visitor_csrf_token(request) for _ in range(2))

    assert request.META["CSRF_COOKIE"] == "k" * 32
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == "k" * 32
    assert first != second


def test_csrf_characters_are_drawn_evenly():
    """Every one of the 62 characters equally likely (no modulo bias: 256 bytes don't divide
    evenly into 62, so without the rejection step the first 8 would come 25% more often)."""
    from collections import Counter

    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    counts = Counter(page_cache._random_csrf_chars(620_000))

    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) / min(counts.values()) < 1.12
