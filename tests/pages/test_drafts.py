"""Unpublished items: hidden from the public, previewed by staff, never cached or indexed."""

import pytest
from django.contrib.auth import get_user_model

from pages.models import Treatment
from tests.factories import (
    make_article,
    make_clinic,
    make_page,
    make_staff,
    make_team_member,
    make_treatment,
)
from tests.pages.html import read_page
from tests.pages.public_pages import ARTICLE

pytestmark = pytest.mark.django_db


DRAFTS = {
    "article": lambda: make_article("Draft article", slug="draft", is_published=False),
    "treatment": lambda: make_treatment("Draft treatment", slug="draft", is_published=False),
    "clinic": lambda: make_clinic("Draft clinic", slug="draft", is_published=False),
    "page": lambda: make_page("Draft page", slug="draft", is_published=False),
    "team member": lambda: make_team_member("Dr Draft", slug="draft", is_published=False),
}


@pytest.mark.parametrize("kind", DRAFTS)
def test_drafts_are_not_found_by_the_public(client, kind):
    draft = DRAFTS[kind]()

    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", DRAFTS)
def test_drafts_are_not_found_by_signed_in_patients_who_are_not_staff(client, kind):
    draft = DRAFTS[kind]()
    client.force_login(get_user_model().objects.create_user("patient", password="x" * 12))

    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", DRAFTS)
def test_staff_preview_drafts_marked_as_previews_that_are_never_cached_or_indexed(client, kind):
    draft = DRAFTS[kind]()
    client.force_login(make_staff())
    response = client.get(draft.get_absolute_url())
    page = read_page(response)

    assert response.status_code == 200
    assert draft.title in page.h1s[0]
    assert "Preview: this page is not published." in response.content.decode()
    assert page.meta["robots"] == "noindex"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_published_pages_are_not_marked_as_previews_for_staff(client, seeded):
    client.force_login(make_staff())
    response = client.get(ARTICLE)

    assert "Preview:" not in response.content.decode()
    assert "robots" not in read_page(response).meta


def test_drafts_are_left_out_of_lists_the_home_page_and_cross_links(client, seeded):
    make_article("Secret draft advice", is_published=False)
    make_treatment("Secret draft treatment", is_featured=True, is_published=False)
    Treatment.objects.get(slug="milia").procedures.add(
        Treatment.objects.get(slug="secret-draft-treatment")
    )
    pages = "".join(
        client.get(path).content.decode()
        for path in ["/", "/skin-advice/", "/treatments/", "/treatments/milia/"]
    )

    assert "Secret draft" not in pages
