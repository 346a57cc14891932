"""Test data and readers the clinical team's tests share (tests/pages/test_team*.py)."""

from pages.models import Regulator
from tests.factories import make_clinic, make_team_member
from tests.pages.html import read_page

PROFILE = "/team/dr-jane-doe/"


def filled_in_profile(**fields):
    """A profile with every field filled in, working at a published clinic."""
    values = {
        "slug": "dr-jane-doe",
        "role": "Consultant Dermatologist",
        "qualifications": "MBBS, MRCP (Derm)",
        "regulator": Regulator.GMC,
        "registration_number": "7654321",
        "body": "Dr Doe trained in **dermatology** in Bristol.",
        "clinics": [make_clinic("Bristol clinic", slug="bristol", city="Bristol")],
    }
    values.update(fields)
    return make_team_member("Dr Jane Doe", **values)


def html_of(client, path):
    """The page's HTML, which must have been found."""
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def profile_person(client, path=PROFILE):
    """The Person that a profile page's ProfilePage JSON-LD is about."""
    (profile_page,) = read_page(client.get(path)).json_ld_of_type("ProfilePage")
    assert profile_page["@context"] == "https://schema.org"
    return profile_page["mainEntity"]
