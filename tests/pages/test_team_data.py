"""What the clinical team gives search engines (JSON-LD, sitemap) and what the seed adds."""

from io import StringIO

import pytest
from django.core.management import call_command

from pages.models import Regulator, TeamMember
from tests.factories import make_article, make_team_member
from tests.pages.html import read_page
from tests.pages.public_pages import ARTICLE
from tests.pages.team import filled_in_profile, html_of, profile_person

pytestmark = pytest.mark.django_db


# --- Structured data -------------------------------------------------------------


def test_profile_structured_data_describes_the_person_and_their_registration(client):
    filled_in_profile()
    person = profile_person(client)

    assert person["@type"] == "Person"
    assert person["@id"] == "http://testserver/team/dr-jane-doe/#person"
    assert person["url"] == "http://testserver/team/dr-jane-doe/"
    assert person["name"] == "Dr Jane Doe"
    assert person["jobTitle"] == "Consultant Dermatologist"
    assert person["honorificSuffix"] == "MBBS, MRCP (Derm)"
    assert person["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "GMC number",
        "value": "7654321",
    }
    credential = person["hasCredential"]
    assert credential["@type"] == "EducationalOccupationalCredential"
    assert credential["recognizedBy"]["name"] == "General Medical Council"
    assert credential["url"] == "https://www.gmc-uk.org/registrants/7654321"
    assert person["sameAs"] == ["https://www.gmc-uk.org/registrants/7654321"]
    organisation, clinic = person["worksFor"]
    assert organisation["@id"] == "http://testserver/#organization"
    assert clinic == {
        "@type": "MedicalClinic",
        "name": "Cosmedics Skin Clinics, Bristol",
        "url": "http://testserver/clinics/bristol/",
    }


def test_profile_structured_data_leaves_out_what_is_not_known(client):
    make_team_member("Dr Jane Doe", slug="dr-jane-doe", role="")
    person = profile_person(client)

    assert set(person) == {"@type", "@id", "name", "url", "worksFor"}
    assert [employer["@type"] for employer in person["worksFor"]] == ["MedicalOrganization"]


def test_search_page_registers_are_not_given_as_the_persons_own_page(client):
    filled_in_profile(regulator=Regulator.NMC, registration_number="12A3456E")
    person = profile_person(client)

    assert person["identifier"]["value"] == "12A3456E"
    assert "sameAs" not in person


def test_article_author_and_reviewer_are_the_profiles_people(client):
    author = make_team_member("Dr Ross Perry")
    reviewer = filled_in_profile()
    make_article("Moles", slug="moles", author=author, reviewer=reviewer)
    (web_page,) = read_page(client.get("/skin-advice/moles/")).json_ld_of_type("MedicalWebPage")

    assert (
        web_page["mainEntity"]["author"]["@id"]
        == profile_person(client, "/team/dr-ross-perry/")["@id"]
    )
    assert web_page["reviewedBy"]["@id"] == profile_person(client)["@id"]
    assert web_page["reviewedBy"]["url"] == "http://testserver/team/dr-jane-doe/"


# --- The sitemap -------------------------------------------------------------------


def test_team_pages_are_in_the_sitemap_and_drafts_are_not(client):
    filled_in_profile()
    make_team_member("Dr Draft", slug="dr-draft", is_published=False)
    xml = client.get("/sitemap.xml").content.decode()

    assert "<loc>http://testserver/team/</loc>" in xml
    assert "<loc>http://testserver/team/dr-jane-doe/</loc>" in xml
    assert "dr-draft" not in xml


# --- The seed ----------------------------------------------------------------------


def test_seed_adds_dr_ross_perry_with_only_what_the_source_says(client, seeded):
    member = TeamMember.objects.get()

    assert member.title == "Dr Ross Perry"
    assert member.role == "Founder and Medical Director"
    assert member.is_published and not member.awaiting_clinical_review
    # Nothing the source doesn't say: no registration, qualifications, biography or clinics.
    assert member.regulator == member.registration_number == ""
    assert member.qualifications == member.body == member.body_html == ""
    assert member.portrait is None
    assert not member.clinics.exists()
    assert not member.treatments.exists()
    assert not member.reviewed_articles.exists()
    assert [a.slug for a in member.authored_articles.all()] == [
        "milia-tiny-white-bumps-on-your-skin"
    ]
    html = html_of(client, "/team/dr-ross-perry/")
    assert 'href="/team/dr-ross-perry/"' in html_of(client, ARTICLE)
    assert "Skin advice written or reviewed by Dr Ross Perry" in html


def test_seed_keeps_staff_edits_to_the_profile(seeded):
    member = TeamMember.objects.get()
    member.role = "Medical Director"
    member.registration_number = "1234567"
    member.regulator = Regulator.GMC
    member.save()

    call_command("seed_content", stdout=StringIO())

    member.refresh_from_db()
    assert TeamMember.objects.count() == 1
    assert member.role == "Medical Director"
    assert member.registration_number == "1234567"
