"""What search engines are told: sitemap.xml, robots.txt, and the old address of the article."""

import re

import pytest
from django.contrib.redirects.models import Redirect
from django.utils import timezone

from pages.models import Article, Clinic, Page, TeamMember, Treatment
from tests.factories import (
    make_article,
    make_clinic,
    make_page,
    make_team_member,
    make_treatment,
)
from tests.pages.public_pages import ARTICLE

pytestmark = pytest.mark.django_db

LEGACY_PATH = "/glamour-milia-tiny-white-bumps-on-your-skin/"


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>(.*?)</loc>", response.content.decode())


def test_sitemap_lists_exactly_the_published_pages(client, seeded):
    make_article("Draft article", slug="draft-article", is_published=False)
    make_treatment("Draft treatment", slug="draft-treatment", is_published=False)
    make_clinic("Draft clinic", slug="draft-clinic", is_published=False)
    make_page("Draft page", slug="draft-page", is_published=False)
    make_team_member("Dr Draft", slug="draft-team-member", is_published=False)

    expected = {"/", "/skin-advice/", "/treatments/", "/clinics/", "/team/"}
    for model in [Article, Treatment, Clinic, Page, TeamMember]:
        expected |= {item.get_absolute_url() for item in model.objects.published()}
    locations = sitemap_locations(client)

    assert len(locations) == len(set(locations))
    assert set(locations) == {"http://testserver" + path for path in expected}
    assert "http://testserver" + ARTICLE in locations
    assert not any("draft" in location for location in locations)


def test_sitemap_drops_a_page_once_it_is_unpublished(client, seeded):
    Treatment.objects.filter(slug="warts").update(is_published=False)

    assert "http://testserver/treatments/warts/" not in sitemap_locations(client)


def test_sitemap_gives_each_item_its_last_change(client, seeded):
    html = client.get("/sitemap.xml").content.decode()
    article = Article.objects.get()

    entry = html[html.index(f"<loc>http://testserver{ARTICLE}</loc>") :]
    lastmod = re.search(r"<lastmod>(.*?)</lastmod>", entry).group(1)
    assert lastmod == timezone.localtime(article.updated_at).date().isoformat()


def test_sitemap_uses_the_address_the_site_is_visited_on(client, seeded, settings):
    settings.ALLOWED_HOSTS = ["www.cosmedics.example"]
    response = client.get("/sitemap.xml", HTTP_HOST="www.cosmedics.example", secure=True)

    assert "<loc>https://www.cosmedics.example/</loc>" in response.content.decode()


def test_robots_txt_allows_crawling_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *" in text
    assert "Disallow: /\n" not in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_robots_txt_does_not_reveal_the_admin_address(client, settings):
    assert settings.ADMIN_PATH not in client.get("/robots.txt").content.decode()


def test_old_article_address_redirects_permanently_to_the_article(client, seeded):
    response = client.get(LEGACY_PATH)

    assert response.status_code == 301
    assert response["Location"] == ARTICLE
    assert client.get(response["Location"]).status_code == 200


def test_old_article_address_without_its_slash_redirects_in_one_step(client, seeded):
    response = client.get(LEGACY_PATH.rstrip("/"))

    assert response.status_code == 301
    assert response["Location"] == ARTICLE


def test_staff_made_redirects_work_for_any_old_address(client, seeded):
    Redirect.objects.create(site_id=1, old_path="/mole-removal/", new_path="/treatments/moles/")
    Redirect.objects.create(site_id=1, old_path="/old/deep/path/", new_path="/clinics/")

    assert client.get("/mole-removal/")["Location"] == "/treatments/moles/"
    assert client.get("/mole-removal/").status_code == 301
    assert client.get("/old/deep/path/").status_code == 301


def test_a_redirect_never_hides_a_live_page(client, seeded):
    Redirect.objects.create(site_id=1, old_path="/treatments/moles/", new_path="/")

    assert client.get("/treatments/moles/").status_code == 200
