"""The clinical team's pages (/team/, /team/<slug>/) and clinicians named on other pages."""

import re

import pytest
from django.core.exceptions import ValidationError

from pages.models import Regulator, TeamMember
from tests.factories import (
    image_upload,
    make_article,
    make_clinic,
    make_image,
    make_team_member,
    make_treatment,
)
from tests.pages.html import read_page
from tests.pages.team import PROFILE, filled_in_profile, html_of, profile_person

pytestmark = pytest.mark.django_db


# --- The profile page ------------------------------------------------------------


def test_profile_shows_every_detail_that_is_filled_in(client):
    filled_in_profile()
    html = html_of(client, PROFILE)
    page = read_page(client.get(PROFILE))

    assert page.h1s == ["Dr Jane Doe"]
    assert page.title.startswith("Dr Jane Doe | ")
    assert page.meta["description"] == "Consultant Dermatologist"
    assert "Consultant Dermatologist" in html
    assert "<dt>Qualifications</dt><dd>MBBS, MRCP (Derm)</dd>" in html
    assert "GMC number 7654321" in html
    assert 'href="https://www.gmc-uk.org/registrants/7654321"' in html
    assert "<strong>dermatology</strong>" in html
    assert '<dt>Sees patients at</dt><dd><a href="/clinics/bristol/">Bristol clinic</a>' in html


def test_profile_with_only_a_name_shows_no_empty_details(client):
    make_team_member("Dr Jane Doe", slug="dr-jane-doe", role="")
    html = html_of(client, PROFILE)

    assert read_page(client.get(PROFILE)).meta["description"] == (
        "Dr Jane Doe, Cosmedics Skin Clinics."
    )

    assert "<h1>Dr Jane Doe</h1>" in html
    for absent in [
        'class="facts"',
        "Qualifications",
        "Registration",
        "Sees patients at",
        'class="prose"',
        'class="lead"',
        "<picture",
        "Treatments Dr Jane Doe performs",
        "Skin advice written or reviewed by",
    ]:
        assert absent not in html, absent


def test_portrait_is_shown_first_on_the_profile_and_lazily_on_the_team_page(client):
    portrait = make_image(
        "Dr Doe", upload=image_upload(size=(600, 750)), alt_text="Dr Jane Doe, smiling"
    )
    filled_in_profile(portrait=portrait)
    profile = html_of(client, PROFILE)
    team = html_of(client, "/team/")

    assert '<picture class="responsive-image portrait">' in profile
    assert 'alt="Dr Jane Doe, smiling"' in profile
    assert 'fetchpriority="high"' in profile
    assert '<link rel="preload" as="image"' in profile
    (card_image,) = re.findall(r"<img\b[^>]*>", team)
    assert 'alt="Dr Jane Doe, smiling"' in card_image
    assert 'loading="lazy"' in card_image
    person = profile_person(client)
    assert person["image"].startswith("http://testserver/")
    assert person["image"].endswith(".jpg")


def test_registration_needs_both_the_regulator_and_the_number_to_show(client):
    make_team_member("Dr Jane Doe", slug="dr-jane-doe", regulator=Regulator.GMC)

    assert "Registration" not in html_of(client, PROFILE)


def test_biography_is_sanitised_markdown(client):
    filled_in_profile(body="Trained in Bristol.<script>alert(1)</script> [x](javascript:alert(1))")
    html = html_of(client, PROFILE)

    assert "<p>Trained in Bristol." in html
    assert "alert(1)" not in html


def test_profile_lists_the_published_clinics_treatments_and_articles_that_are_theirs(client):
    member = filled_in_profile()
    make_clinic("Closed clinic", slug="closed", is_published=False).team_members.add(member)
    make_clinic("London clinic", slug="london")
    make_treatment("Laser treatment", kind="procedure").performed_by.add(member)
    make_treatment("Draft treatment", is_published=False).performed_by.add(member)
    make_treatment("Cryotherapy", kind="procedure")
    make_article("Mole checks", slug="mole-checks", author=member)
    make_article("Skin tags", slug="skin-tags", reviewer=member)
    make_article("Warts", slug="warts")
    html = html_of(client, PROFILE)

    assert 'href="/clinics/bristol/"' in html
    assert "Closed clinic" not in html
    # London is in the footer and the booking form, but not in the profile's facts.
    assert '<a href="/clinics/london/">London clinic</a><br>' not in html
    assert "Treatments Dr Jane Doe performs" in html
    assert 'href="/treatments/laser-treatment/"' in html
    assert 'href="/treatments/draft-treatment/"' not in html
    assert html.count('href="/treatments/cryotherapy/"') == 0
    assert 'href="/skin-advice/mole-checks/"' in html
    assert 'href="/skin-advice/skin-tags/"' in html
    assert 'href="/skin-advice/warts/"' not in html


def test_profile_of_a_clinician_at_one_clinic_opens_the_booking_form_with_it_chosen(client):
    filled_in_profile()
    response = client.get(PROFILE)

    assert response.context["booking_clinic"].slug == "bristol"


def test_draft_profiles_are_not_found(client):
    make_team_member("Dr Jane Doe", slug="dr-jane-doe", is_published=False)

    assert client.get(PROFILE).status_code == 404


# --- The register link, per regulator ----------------------------------------------


@pytest.mark.parametrize(
    ("regulator", "number", "link"),
    [
        (Regulator.GMC, "7654321", "https://www.gmc-uk.org/registrants/7654321"),
        (
            Regulator.GDC,
            "123456",
            "https://olr.gdc-uk.org/SearchRegister/SearchResult?RegistrationNumber=123456",
        ),
        (
            Regulator.GPHC,
            "2012345",
            "https://www.pharmacyregulation.org/registers/pharmacist/registrationnumber/2012345",
        ),
        # No stable address for one registrant: the search page, with the number shown.
        (Regulator.NMC, "12A3456E", "https://www.nmc.org.uk/registration/search-the-register/"),
        (Regulator.HCPC, "PA12345", "https://www.hcpc-uk.org/check-the-register/"),
    ],
)
def test_registration_links_to_the_regulators_public_register(client, regulator, number, link):
    member = filled_in_profile(regulator=regulator, registration_number=number)
    html = html_of(client, PROFILE)

    assert f"{member.register.short_name} number {number}" in html
    assert f'href="{link}"' in html
    if member.register_links_to_entry:
        assert "Check this on the" in html
    else:
        assert "Search for this number on the" in html


@pytest.mark.parametrize(
    ("regulator", "number"),
    [
        (Regulator.GMC, "765432"),
        (Regulator.GMC, "PA12345"),
        (Regulator.NMC, "7654321"),
        (Regulator.HCPC, "12345"),
        (Regulator.GDC, "GDC123"),
        (Regulator.GPHC, "20123"),
        ("", "7654321"),
    ],
)
def test_a_number_that_is_not_the_regulators_format_is_refused(regulator, number):
    member = TeamMember(
        title="Dr Jane Doe", slug="dr-jane-doe", regulator=regulator, registration_number=number
    )

    with pytest.raises(ValidationError):
        member.full_clean()


def test_registration_number_is_stored_without_spaces_in_capitals():
    member = TeamMember(
        title="Nurse Ann Lee",
        slug="ann-lee",
        regulator=Regulator.NMC,
        registration_number=" 12a 3456e ",
    )
    member.full_clean()

    assert member.registration_number == "12A3456E"


# --- The team page ---------------------------------------------------------------


def test_team_page_lists_published_profiles_in_order_with_their_details(client):
    filled_in_profile(sort_order=2)
    make_team_member("Dr Ann Lee", slug="dr-ann-lee", role="Skin Surgeon", sort_order=1)
    make_team_member("Dr Draft", slug="dr-draft", is_published=False)
    html = html_of(client, "/team/")

    assert html.index("Dr Ann Lee") < html.index("Dr Jane Doe")
    assert 'href="/team/dr-jane-doe/"' in html
    assert "Dr Draft" not in html
    assert "MBBS, MRCP (Derm)" in html
    assert "Sees patients in Bristol" in html
    assert read_page(client.get("/team/")).h1s == ["Our clinical team"]


def test_team_page_shows_no_empty_details(client):
    make_team_member("Dr Jane Doe", slug="dr-jane-doe", role="")
    html = html_of(client, "/team/")

    assert "Sees patients in" not in html
    assert '<p class="byline">' not in html
    assert "<picture" not in html


def test_team_page_before_anyone_is_published_says_so(client):
    assert "Our clinical team will be introduced here soon." in html_of(client, "/team/")


def test_team_pages_have_breadcrumbs(client):
    filled_in_profile()
    html = html_of(client, PROFILE)

    assert '<li class="breadcrumb-item"><a href="/team/">Our team</a></li>' in html
    assert '<li class="breadcrumb-item active" aria-current="page">Dr Jane Doe</li>' in html


# --- Clinicians named on other pages -----------------------------------------------


def test_article_names_its_author_and_reviewer_each_linking_to_their_profile(client):
    author = make_team_member("Dr Ross Perry", role="Founder and Medical Director")
    reviewer = filled_in_profile()
    make_article("Moles", slug="moles", author=author, reviewer=reviewer)
    html = html_of(client, "/skin-advice/moles/")

    assert (
        '<dt>Expert advice from</dt><dd><a href="/team/dr-ross-perry/">Dr Ross Perry</a>, '
        "Founder and Medical Director</dd>"
    ) in html
    assert (
        '<dt>Clinically reviewed by</dt><dd><a href="/team/dr-jane-doe/">Dr Jane Doe</a>, '
        "Consultant Dermatologist</dd>"
    ) in html


def test_article_without_author_or_reviewer_names_nobody(client):
    make_article("Moles", slug="moles")
    html = html_of(client, "/skin-advice/moles/")

    assert "Expert advice from" not in html
    assert "Clinically reviewed by" not in html


def test_a_draft_profile_is_named_but_not_linked(client):
    author = make_team_member("Dr Ross Perry", role="", is_published=False)
    make_article("Moles", slug="moles", author=author)
    html = html_of(client, "/skin-advice/moles/")

    assert "<dd>Dr Ross Perry</dd>" in html
    assert 'href="/team/dr-ross-perry/"' not in html


def test_treatment_names_who_performs_it_only_when_anyone_does(client):
    laser = make_treatment("Laser treatment", kind="procedure")
    assert "Who performs" not in html_of(client, "/treatments/laser-treatment/")

    laser.performed_by.add(filled_in_profile())
    laser.performed_by.add(make_team_member("Dr Draft", slug="dr-draft", is_published=False))
    html = html_of(client, "/treatments/laser-treatment/")

    assert "Who performs laser treatment" in html
    assert '<a href="/team/dr-jane-doe/">Dr Jane Doe</a>' in html
    assert "Dr Draft" not in html


def test_clinic_lists_who_works_there_only_when_anyone_does(client):
    filled_in_profile()
    make_clinic("London clinic", slug="london")

    assert "Who you can see here" not in html_of(client, "/clinics/london/")
    html = html_of(client, "/clinics/bristol/")
    assert "Who you can see here" in html
    assert '<a href="/team/dr-jane-doe/">Dr Jane Doe</a>' in html
