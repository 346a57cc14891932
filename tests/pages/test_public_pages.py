"""What every public page gives a patient, a browser or a search engine: its content, its
head (title, description, canonical address, Open Graph), the header, footer and breadcrumbs,
the 404 page, and a fixed number of queries."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import Article, Treatment
from tests.factories import make_article, make_clinic, make_page, make_treatment
from tests.pages.html import read_page
from tests.pages.public_pages import ARTICLE, PUBLIC_PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "text"), PUBLIC_PAGES.items())
def test_every_public_page_answers_with_its_content(client, seeded, path, text):
    response = client.get(path)

    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_one_h1_its_own_title_description_canonical_and_open_graph(
    client, seeded, path
):
    page = read_page(client.get(path))
    canonical = "http://testserver" + path

    assert page.html_lang == "en-GB"
    assert len(page.h1s) == 1
    assert page.title.endswith(settings.CLINIC_NAME)
    assert 0 < len(page.meta["description"]) <= 160
    assert page.links["canonical"] == canonical
    assert page.meta["og:url"] == canonical
    assert page.meta["og:title"]
    assert page.meta["og:description"] == page.meta["description"]
    assert page.meta["og:type"] in {"website", "article", "profile"}
    assert page.meta["og:image"].startswith("http://testserver/static/")
    assert page.meta["og:locale"] == "en_GB"


def test_each_page_has_a_title_and_description_of_its_own(client, seeded):
    pages = [read_page(client.get(path)) for path in PUBLIC_PAGES]

    assert len({page.title for page in pages}) == len(pages)
    assert len({page.meta["description"] for page in pages}) == len(pages)


def test_canonical_link_leaves_out_tracking_parameters(client, seeded):
    page = read_page(client.get(ARTICLE + "?utm_source=glamour"))

    assert page.links["canonical"] == "http://testserver" + ARTICLE


def test_article_is_an_open_graph_article(client, seeded):
    page = read_page(client.get(ARTICLE))

    assert page.meta["og:type"] == "article"
    assert page.meta["og:title"] == "Milia (milk spots): expert advice from Dr Ross Perry"


# --- Header, footer, breadcrumbs ----------------------------------------------


def test_every_page_has_a_skip_link_to_main_and_the_main_navigation(client, seeded):
    html = client.get(ARTICLE).content.decode()

    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    for href in ['href="/skin-advice/"', 'href="/treatments/"', 'href="/clinics/"']:
        assert href in html
    assert "Book a consultation</a>" in html


def test_navigation_marks_the_page_the_patient_is_on(client, seeded):
    html = client.get("/treatments/").content.decode()

    assert 'href="/treatments/" class="active" aria-current="page"' in html
    assert 'href="/skin-advice/" aria-current' not in html


def test_footer_lists_published_clinics_the_phone_and_the_legal_pages(client, seeded):
    make_clinic("Leeds clinic", slug="leeds", city="Leeds", is_published=False)
    html = client.get("/privacy/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]

    assert 'href="/clinics/london/"' in footer
    assert 'href="/clinics/bristol/"' in footer
    assert "Leeds" not in footer
    assert 'href="tel:+442073860464"' in footer
    assert 'href="/privacy/"' in footer
    assert 'href="/terms/"' in footer


def test_breadcrumbs_are_shown_and_described_for_search_engines(client, seeded):
    page = read_page(response := client.get(ARTICLE))
    html = response.content.decode()
    (breadcrumbs,) = page.json_ld_of_type("BreadcrumbList")

    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    assert 'aria-current="page">Milia: ‘Tiny White Bumps On Your Skin’</li>' in html
    assert [item["name"] for item in breadcrumbs["itemListElement"]] == [
        "Home",
        "Skin advice",
        "Milia: ‘Tiny White Bumps On Your Skin’",
    ]
    assert [item["position"] for item in breadcrumbs["itemListElement"]] == [1, 2, 3]
    assert breadcrumbs["itemListElement"][1]["item"] == "http://testserver/skin-advice/"
    assert breadcrumbs["itemListElement"][2]["item"] == "http://testserver" + ARTICLE


# --- Errors --------------------------------------------------------------------


def test_missing_page_gets_the_branded_404_with_ways_on(client, seeded):
    response = client.get("/treatments/no-such-thing/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "Sorry, we can’t find that page" in html
    assert 'href="/treatments/"' in html
    assert 'href="tel:+442073860464"' in html
    assert read_page(response).meta["robots"] == "noindex"


# --- Queries -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/skin-advice/", ARTICLE, "/treatments/", "/treatments/milia/",
     "/treatments/laser-treatment/", "/clinics/", "/clinics/london/", "/privacy/"],
)  # fmt: skip
def test_pages_use_the_same_number_of_queries_however_much_content_there_is(client, seeded, path):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    before = queries()
    milia = Treatment.objects.get(slug="milia")
    laser = Treatment.objects.get(slug="laser-treatment")
    article = Article.objects.get()
    for number in range(5):
        condition = make_treatment(f"Condition {number}", is_featured=True)
        condition.procedures.add(laser)
        procedure = make_treatment(f"Procedure {number}", kind=Treatment.Kind.PROCEDURE)
        milia.procedures.add(procedure)
        article.related_treatments.add(condition, procedure)
        make_article(f"Article {number}", related_treatments=[milia, laser])
        make_clinic(f"Clinic {number}")
        make_page(f"Page {number}", slug=f"page-{number}")

    assert queries() == before


@pytest.mark.parametrize("path", ["/", ARTICLE, "/sitemap.xml", "/robots.txt"])
def test_pages_answer_head_requests_from_link_checkers(client, seeded, path):
    assert client.head(path).status_code == 200


def test_content_pages_refuse_posts(client, seeded):
    assert client.post("/").status_code == 405
    assert client.post(ARTICLE).status_code == 405
