"""
A patient's first visit, served from the page cache, in a real browser: the sidebar form on
a cached article works (clinic_site/page_cache gives every visitor their own CSRF cookie and token
and their own one-time form token).
"""

import pytest
from playwright.sync_api import expect

from booking.models import ConsultationRequest
from tests.browser.journey import PATIENT, book, booking_form

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ARTICLE = "/skin-advice/milia-tiny-white-bumps-on-your-skin/"


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def csrf_cookie(page):
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_first_time_visitors_book_from_a_cached_article(site, new_page, page_cache_on):
    first_reader = new_page()
    first = first_reader.goto(site.url + ARTICLE)
    patient = new_page()  # a new browser context: no cookies at all

    response = patient.goto(site.url + ARTICLE)
    expect(booking_form(patient)).to_be_visible()
    reference = book(patient)

    assert first.headers["x-page-cache"] == "miss"
    assert response.headers["x-page-cache"] == "hit"
    assert csrf_cookie(patient) != csrf_cookie(first_reader)
    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.source_path == ARTICLE
    assert stored.full_name == PATIENT["full_name"]
    assert not stored.spam_reason


def test_two_readers_of_the_same_cached_page_both_get_their_requests_stored(
    site, new_page, page_cache_on
):
    readers = [new_page(), new_page()]
    responses = [reader.goto(site.url + ARTICLE) for reader in readers]

    references = [
        book(reader, {**PATIENT, "email": f"reader{number}@example.com"})
        for number, reader in enumerate(readers)
    ]

    assert [r.headers["x-page-cache"] for r in responses] == ["miss", "hit"]
    assert len(set(references)) == 2
    assert ConsultationRequest.objects.count() == 2
