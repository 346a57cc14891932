"""The public content pages, as a patient (or a search engine) gets them."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import Article, Clinic, Treatment
from tests.factories import (
    make_article,
    make_clinic,
    make_expert,
    make_page,
    make_staff,
    make_treatment,
)
from tests.pages.html import read_page

pytestmark = pytest.mark.django_db

ARTICLE = "/skin-advice/milia-tiny-white-bumps-on-your-skin/"

# Every kind of public page the seed makes, with words a patient should find on it.
PUBLIC_PAGES = {
    "/": "Skin Surgery Laser Clinics in London and Bristol",
    "/skin-advice/": "Milia: ‘Tiny White Bumps On Your Skin’",
    ARTICLE: "Milia are medically known as ‘milium cysts’",
    "/treatments/": "Sebaceous cysts",
    "/treatments/milia/": "Milia develop as a result of sweat glands",
    "/treatments/laser-treatment/": "laser mole removal",
    "/clinics/": "Bristol clinic",
    "/clinics/london/": "Private treatment for common skin lesions in London",
    "/privacy/": "Privacy notice",
    "/terms/": "Terms of use",
}


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
    assert page.meta["og:type"] in {"website", "article"}
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


# --- The home page ------------------------------------------------------------


def test_home_page_says_what_the_clinic_does_and_how_to_book(client, seeded):
    html = client.get("/").content.decode()

    assert "offer private treatment for common skin lesions" in html
    assert 'href="/book/"' in html
    assert 'href="tel:+442073860464"' in html
    assert "020 7386 0464" in html


def test_home_page_lists_featured_treatments_latest_articles_and_clinics(client, seeded):
    make_treatment("Laser hair removal", kind=Treatment.Kind.PROCEDURE, is_featured=False)
    response = client.get("/")
    html = response.content.decode()

    for condition in ["milia", "moles", "skin-tags", "warts", "sebaceous-cysts", "lipoma"]:
        assert f'href="/treatments/{condition}/"' in html
    assert "Laser hair removal" not in html
    assert f'href="{ARTICLE}"' in html
    assert 'href="/clinics/london/"' in html
    assert 'href="/clinics/bristol/"' in html


def test_home_page_shows_the_three_latest_articles(client, seeded):
    from datetime import date

    for day in range(1, 5):
        make_article(f"Advice {day}", published_on=date(2030, 1, day))
    html = client.get("/").content.decode()

    assert "Advice 4" in html and "Advice 3" in html and "Advice 2" in html
    assert "Advice 1" not in html


def test_home_page_edited_in_the_admin_shows_the_new_words(client, seeded):
    from pages.models import HomePage

    home_page = HomePage.load()
    home_page.title = "Skin clinics you can trust"
    home_page.body = "We remove moles."
    home_page.save()
    page = read_page(client.get("/"))

    assert page.h1s == ["Skin clinics you can trust"]
    assert "We remove moles." in client.get("/").content.decode()


def test_home_page_works_before_any_content_exists(client):
    response = client.get("/")

    assert response.status_code == 200
    assert read_page(response).h1s == [settings.CLINIC_NAME]


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


# --- Structured data (JSON-LD) -------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_structured_data_that_parses(client, seeded, path):
    page = read_page(client.get(path))

    assert page.json_ld, "no JSON-LD"
    for item in page.json_ld:
        assert item["@context"] == "https://schema.org"
    if path == "/":
        assert not page.json_ld_of_type("BreadcrumbList")
    else:
        assert len(page.json_ld_of_type("BreadcrumbList")) == 1


def test_home_page_describes_the_organisation_and_website(client, seeded):
    page = read_page(client.get("/"))
    (organisation,) = page.json_ld_of_type("MedicalOrganization")
    (website,) = page.json_ld_of_type("WebSite")

    assert organisation["name"] == settings.CLINIC_NAME
    assert organisation["telephone"] == "+44 20 7386 0464"
    assert organisation["url"] == "http://testserver/"
    assert website["inLanguage"] == "en-GB"


def test_article_structured_data_names_the_physician_and_the_dates(client, seeded):
    article = Article.objects.get()
    page = read_page(client.get(ARTICLE))
    (web_page,) = page.json_ld_of_type("MedicalWebPage")
    main = web_page["mainEntity"]

    assert main["@type"] == "Article"
    assert main["headline"] == article.title
    assert main["author"] == {
        "@type": "Physician",
        "name": "Dr Ross Perry",
        "description": "Founder and Medical Director, Cosmedics Skin Clinics",
    }
    assert main["datePublished"] == article.published_on.isoformat()
    assert main["dateModified"] == article.updated_at.isoformat()
    assert web_page["lastReviewed"] == article.last_reviewed_on.isoformat()
    assert web_page["reviewedBy"]["@type"] == "Physician"
    assert main["isBasedOn"]["publisher"] == "Glamour"
    about = {entity["name"]: entity["@type"] for entity in web_page["about"]}
    assert about["Milia"] == "MedicalCondition"
    assert about["Laser treatment"] == "MedicalProcedure"


def test_article_structured_data_leaves_out_a_review_date_that_is_not_known(client):
    make_article("Skin tags explained", slug="skin-tags-explained", expert=make_expert())
    page = read_page(client.get("/skin-advice/skin-tags-explained/"))
    (web_page,) = page.json_ld_of_type("MedicalWebPage")

    assert "lastReviewed" not in web_page
    assert web_page["mainEntity"]["author"]["name"] == "Dr Ross Perry"


def test_clinic_structured_data_gives_name_phone_and_only_the_address_known(client, seeded):
    page = read_page(client.get("/clinics/london/"))
    (clinic,) = page.json_ld_of_type("MedicalClinic")

    assert clinic["name"] == "Cosmedics Skin Clinics, London"
    assert clinic["telephone"] == "+44 20 7386 0464"
    assert clinic["url"] == "http://testserver/clinics/london/"
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "London",
        "addressCountry": "GB",
    }
    assert "email" not in clinic and "hasMap" not in clinic


def test_clinic_structured_data_includes_the_full_address_once_staff_add_it(client):
    make_clinic(
        "Harley Street",
        slug="harley-street",
        city="London",
        address="1 Example Street\nMarylebone",
        postcode="W1G 0AA",
        email="london@cosmedics.example",
        map_url="https://maps.example/harley",
    )
    page = read_page(client.get("/clinics/harley-street/"))
    (clinic,) = page.json_ld_of_type("MedicalClinic")

    assert clinic["address"]["streetAddress"] == "1 Example Street, Marylebone"
    assert clinic["address"]["postalCode"] == "W1G 0AA"
    assert clinic["email"] == "london@cosmedics.example"
    assert clinic["hasMap"] == "https://maps.example/harley"


def test_treatment_structured_data_says_condition_or_procedure(client, seeded):
    condition = read_page(client.get("/treatments/moles/")).json_ld_of_type("MedicalWebPage")
    procedure = read_page(client.get("/treatments/cryotherapy/")).json_ld_of_type("MedicalWebPage")

    assert condition[0]["about"]["@type"] == "MedicalCondition"
    assert condition[0]["about"]["name"] == "Moles"
    assert procedure[0]["about"]["@type"] == "MedicalProcedure"


def test_staff_text_cannot_break_out_of_the_structured_data(client):
    title = "Moles </script><script>alert(1)</script> & more"
    make_article(title, slug="hostile")
    response = client.get("/skin-advice/hostile/")
    html = response.content.decode()

    assert "<script>alert(1)</script>" not in html
    (web_page,) = read_page(response).json_ld_of_type("MedicalWebPage")
    assert web_page["name"] == title


# --- Articles ------------------------------------------------------------------


def test_article_shows_the_expert_source_dates_and_quotes_with_attribution(client, seeded):
    html = client.get(ARTICLE).content.decode()

    assert "As featured in Glamour" in html
    assert "Dr Ross Perry, Founder and Medical Director, Cosmedics Skin Clinics" in html
    assert "Last reviewed" in html
    assert '<figure class="quote"><blockquote>' in html
    assert "<figcaption>— Dr Ross Perry</figcaption>" in html


def test_article_links_to_the_original_feature_only_when_there_is_one(client, seeded):
    assert "Read the article in full" not in client.get(ARTICLE).content.decode()

    Article.objects.update(source_url="https://www.glamourmagazine.co.uk/article/milia")
    html = client.get(ARTICLE).content.decode()

    assert 'href="https://www.glamourmagazine.co.uk/article/milia"' in html


def test_article_links_its_published_treatments_only(client, seeded):
    Treatment.objects.filter(slug="microdermabrasion").update(is_published=False)
    html = client.get(ARTICLE).content.decode()

    assert 'href="/treatments/laser-treatment/"' in html
    assert 'href="/treatments/microdermabrasion/"' not in html


def test_article_about_one_condition_opens_the_booking_form_with_it_chosen(client, seeded):
    response = client.get(ARTICLE)

    assert response.context["article_condition"] == Treatment.objects.get(slug="milia")


def test_article_list_shows_published_articles_newest_first(client):
    from datetime import date

    make_article("Older advice", published_on=date(2025, 1, 1))
    make_article("Newer advice", published_on=date(2026, 1, 1))
    make_article("Draft advice", is_published=False)
    html = client.get("/skin-advice/").content.decode()

    assert html.index("Newer advice") < html.index("Older advice")
    assert "Draft advice" not in html


def test_article_list_is_paginated_with_its_own_canonical_address(client):
    for number in range(25):
        make_article(f"Advice {number:02d}")
    second = client.get("/skin-advice/?page=2")

    assert second.status_code == 200
    assert read_page(second).links["canonical"] == "http://testserver/skin-advice/?page=2"
    assert "(page 2)" in read_page(second).title
    assert client.get("/skin-advice/?page=9").status_code == 404


# --- Treatments ----------------------------------------------------------------


def test_treatment_list_separates_conditions_from_procedures(client, seeded):
    html = client.get("/treatments/").content.decode()
    conditions = html[html.index("Conditions we treat") : html.index(">Procedures<")]
    procedures = html[html.index(">Procedures<") :]

    assert 'href="/treatments/moles/"' in conditions
    assert 'href="/treatments/cryotherapy/"' not in conditions
    assert 'href="/treatments/cryotherapy/"' in procedures


def test_condition_lists_its_procedures_and_a_procedure_the_conditions_it_treats(client, seeded):
    milia = client.get("/treatments/milia/").content.decode()
    laser = client.get("/treatments/laser-treatment/").content.decode()

    for procedure in ["laser-treatment", "cryotherapy", "microcautery", "chemical-peels"]:
        assert f'href="/treatments/{procedure}/"' in milia
    assert 'href="/treatments/milia/"' in laser
    assert 'href="/treatments/moles/"' in laser


def test_treatment_page_links_its_articles(client, seeded):
    html = client.get("/treatments/milia/").content.decode()

    assert f'href="{ARTICLE}"' in html


def test_treatment_facts_are_shown_only_when_filled_in(client):
    make_treatment("Moles", slug="moles")
    bare = client.get("/treatments/moles/").content.decode()

    assert "Procedure time" not in bare
    assert "Anaesthetic" not in bare
    assert "Recovery" not in bare
    assert "£" not in bare

    Treatment.objects.update(procedure_time="About 30 minutes", price_from="1250.00")
    filled = client.get("/treatments/moles/").content.decode()

    assert "Procedure time" in filled and "About 30 minutes" in filled
    assert "From £1,250" in filled
    assert "Anaesthetic" not in filled


def test_medical_advice_note_is_shown_only_when_filled_in(client, seeded):
    moles = client.get("/treatments/moles/").content.decode()
    warts = client.get("/treatments/warts/").content.decode()

    assert "When to get medical advice" in moles
    assert "If a mole changes, bleeds or becomes itchy, please see your GP" in moles
    assert "When to get medical advice" not in warts


def test_awaiting_clinical_review_is_not_shown_to_patients(client, seeded):
    assert Treatment.objects.get(slug="moles").awaiting_clinical_review
    html = client.get("/treatments/moles/").content.decode().lower()

    assert "awaiting" not in html
    assert "review" not in html


# --- Clinics -------------------------------------------------------------------


def test_clinic_page_shows_only_the_facts_that_are_known(client, seeded):
    html = client.get("/clinics/london/").content.decode()
    content = html[html.index("<main") : html.index('class="col-lg-4 layout-sidebar"')]

    assert "<dt>Phone</dt>" in content
    assert 'href="tel:+442073860464"' in content
    for unknown in ["<dt>Address</dt>", "<dt>Opening hours</dt>", "<dt>Email</dt>", "mailto:"]:
        assert unknown not in content
    assert "on a map" not in content


def test_clinic_page_shows_each_fact_staff_fill_in(client):
    make_clinic(
        "Bristol clinic",
        slug="bristol",
        city="Bristol",
        phone="0117 496 0000",
        email="bristol@cosmedics.example",
        address="2 Example Road\nClifton",
        postcode="BS8 1AA",
        opening_hours="Monday to Friday: 9am to 5pm\nSaturday: 10am to 2pm",
        map_url="https://maps.example/bristol",
    )
    html = client.get("/clinics/bristol/").content.decode()

    assert 'href="tel:+441174960000">0117 496 0000</a>' in html
    assert 'href="mailto:bristol@cosmedics.example"' in html
    assert "2 Example Road<br>Clifton<br>BS8 1AA" in html
    assert "Monday to Friday: 9am to 5pm<br>Saturday: 10am to 2pm" in html
    assert 'href="https://maps.example/bristol"' in html


def test_clinic_page_opens_the_booking_form_with_the_clinic_chosen(client, seeded):
    response = client.get("/clinics/bristol/")

    assert response.context["clinic"] == Clinic.objects.get(slug="bristol")


# --- Simple pages --------------------------------------------------------------


def test_privacy_notice_shows_its_version_and_date(client):
    page = make_page("Privacy notice", body="We keep your data safe.")
    page.body = "We keep your data safe and for no longer than needed."
    page.save()
    html = client.get("/privacy/").content.decode()

    assert "Version 2" in html
    assert "for no longer than needed" in html


def test_a_page_address_that_is_no_page_answers_404(client, seeded):
    response = client.get("/not-a-page/")

    assert response.status_code == 404


# --- Drafts --------------------------------------------------------------------

DRAFTS = {
    "article": lambda: make_article("Draft article", slug="draft", is_published=False),
    "treatment": lambda: make_treatment("Draft treatment", slug="draft", is_published=False),
    "clinic": lambda: make_clinic("Draft clinic", slug="draft", is_published=False),
    "page": lambda: make_page("Draft page", slug="draft", is_published=False),
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
