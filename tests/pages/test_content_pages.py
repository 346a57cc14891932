"""What each kind of page shows: the home page, articles, treatments, clinics and simple pages."""

from datetime import date

import pytest
from django.conf import settings

from pages.models import Article, Clinic, HomePage, Treatment
from tests.factories import make_article, make_clinic, make_page, make_treatment
from tests.pages.html import read_page
from tests.pages.public_pages import ARTICLE

pytestmark = pytest.mark.django_db


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
    for day in range(1, 5):
        make_article(f"Advice {day}", published_on=date(2030, 1, day))
    html = client.get("/").content.decode()

    assert "Advice 4" in html and "Advice 3" in html and "Advice 2" in html
    assert "Advice 1" not in html


def test_home_page_edited_in_the_admin_shows_the_new_words(client, seeded):
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


# --- Articles ------------------------------------------------------------------


def test_article_shows_the_author_source_dates_and_quotes_with_attribution(client, seeded):
    html = client.get(ARTICLE).content.decode()

    assert "As featured in Glamour" in html
    assert '<a href="/team/dr-ross-perry/">Dr Ross Perry</a>, Founder and Medical Director' in html
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
    assert "Our main number, for all our clinics" in content
    unknown = ["<dt>Address</dt>", "Opening hours", "<dt>Email</dt>", "mailto:", "Getting here"]
    for heading in [*unknown, "Accessibility", "OpenStreetMap", "Open now", "Closed now"]:
        assert heading not in content


def test_clinic_page_shows_each_fact_staff_fill_in(client):
    make_clinic(
        "Bristol clinic",
        slug="bristol",
        city="Bristol",
        phone="0117 496 0000",
        email="bristol@cosmedics.example",
        address="2 Example Road\nClifton",
        postcode="BS8 1AA",
    )
    html = client.get("/clinics/bristol/").content.decode()

    assert 'href="tel:+441174960000">0117 496 0000</a>' in html
    assert "Our main number" not in html
    assert 'href="mailto:bristol@cosmedics.example"' in html
    assert "2 Example Road<br>Clifton<br>BS8 1AA" in html
    assert (
        'href="https://www.openstreetmap.org/search?query=2+Example+Road%2C+Clifton%2C+BS8+1AA"'
        in html
    )


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
