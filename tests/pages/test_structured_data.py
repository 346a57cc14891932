"""The schema.org structured data (JSON-LD) each page gives search engines."""

import pytest
from django.conf import settings

from pages.models import Article
from tests.factories import make_article, make_clinic, make_team_member
from tests.pages.html import read_page
from tests.pages.public_pages import ARTICLE, PUBLIC_PAGES

pytestmark = pytest.mark.django_db


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


def test_article_structured_data_names_the_author_and_the_dates(client, seeded):
    article = Article.objects.get()
    page = read_page(client.get(ARTICLE))
    (web_page,) = page.json_ld_of_type("MedicalWebPage")
    main = web_page["mainEntity"]

    assert main["@type"] == "Article"
    assert main["headline"] == article.title
    assert main["author"] == {
        "@type": "Person",
        "@id": "http://testserver/team/dr-ross-perry/#person",
        "name": "Dr Ross Perry",
        "jobTitle": "Founder and Medical Director",
        "url": "http://testserver/team/dr-ross-perry/",
    }
    assert main["datePublished"] == article.published_on.isoformat()
    assert main["dateModified"] == article.updated_at.isoformat()
    assert web_page["lastReviewed"] == article.last_reviewed_on.isoformat()
    # The seed names no clinical reviewer (the source doesn't say who approved it).
    assert "reviewedBy" not in web_page
    assert main["isBasedOn"]["publisher"] == "Glamour"
    about = {entity["name"]: entity["@type"] for entity in web_page["about"]}
    assert about["Milia"] == "MedicalCondition"
    assert about["Laser treatment"] == "MedicalProcedure"


def test_article_structured_data_leaves_out_a_review_date_that_is_not_known(client):
    make_article("Skin tags explained", slug="skin-tags-explained", author=make_team_member())
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
    )
    page = read_page(client.get("/clinics/harley-street/"))
    (clinic,) = page.json_ld_of_type("MedicalClinic")

    assert clinic["address"]["streetAddress"] == "1 Example Street, Marylebone"
    assert clinic["address"]["postalCode"] == "W1G 0AA"
    assert clinic["email"] == "london@cosmedics.example"
    assert clinic["hasMap"] == (
        "https://www.openstreetmap.org/search?query=1+Example+Street%2C+Marylebone%2C+W1G+0AA"
    )


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
