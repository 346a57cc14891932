"""
The booking form's clinic choice for a treatment only some clinics offer: the note under
"Preferred clinic" on the page for that treatment, and the message for a clinic that doesn't
offer it. A clinic with no treatments ticked (not known yet) is never ruled out, and "No
preference" is always fine.
"""

import re

import pytest
from django.utils.html import escape

from booking.models import ConsultationRequest
from tests.factories import booking_form_data, make_clinic, make_treatment

pytestmark = pytest.mark.django_db


@pytest.fixture
def moles_in_london_only():
    """Moles treated in London; Bristol lists what it offers and moles isn't among it."""
    moles = make_treatment("Moles")
    warts = make_treatment("Warts")
    make_clinic("London clinic", slug="london").treatments.set([moles, warts])
    make_clinic("Bristol clinic", slug="bristol").treatments.set([warts])
    return moles


def clinic_hint(html):
    match = re.search(r'<div id="id_clinic_helptext"[^>]*>(.*?)</div>', html, re.S)
    return match[1].strip() if match else None


def clinic_options(html):
    select = re.search(r'<select name="clinic".*?</select>', html, re.S)[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def book(client, **fields):
    return client.post("/book/", booking_form_data(**fields))


# --- What the form says before it is sent ----------------------------------------------------


@pytest.mark.parametrize("path", ["/treatments/moles/", "/book/?treatment=moles"])
def test_form_for_a_treatment_only_some_clinics_offer_says_where(
    client, moles_in_london_only, path
):
    html = client.get(path).content.decode()

    assert clinic_hint(html) == "We treat moles at: London clinic."
    assert 'aria-describedby="id_clinic_helptext"' in html
    # Every clinic can still be chosen: the note says which suits, the server checks.
    assert clinic_options(html) == ["No preference", "Bristol clinic", "London clinic"]


def test_a_procedure_is_offered_rather_than_treated(client):
    laser = make_treatment("Laser treatment", kind="procedure")
    make_clinic("London clinic", slug="london").treatments.add(laser)
    make_clinic("Bristol clinic", slug="bristol").treatments.add(make_treatment("Warts"))
    make_clinic("Leeds clinic", slug="leeds")  # not known: may offer it

    html = client.get("/book/?treatment=laser-treatment").content.decode()

    assert clinic_hint(html) == "We offer laser treatment at: Leeds clinic and London clinic."


def test_no_note_when_every_clinic_offers_it_or_lists_nothing(client):
    moles = make_treatment("Moles")
    make_clinic("London clinic", slug="london").treatments.add(moles)
    make_clinic("Bristol clinic", slug="bristol")

    for path in ["/treatments/moles/", "/book/?treatment=moles", "/book/"]:
        assert clinic_hint(client.get(path).content.decode()) is None


def test_no_note_on_a_form_without_a_treatment_chosen(client, moles_in_london_only):
    for path in ["/book/", "/clinics/bristol/"]:
        assert clinic_hint(client.get(path).content.decode()) is None


# --- What the server accepts -------------------------------------------------------------


def test_a_clinic_that_does_not_offer_the_treatment_is_refused_with_a_clear_message(
    client, moles_in_london_only
):
    response = book(client, clinic="bristol", treatment="moles")
    html = response.content.decode()

    assert response.status_code == 200
    message = "Bristol clinic doesn't treat moles. Choose London clinic, or No preference"
    assert response.context["form"].errors["clinic"] == [message]
    assert f'<a href="#id_clinic">{escape(message)}</a>' in html
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("clinic", "treatment"), [("london", "moles"), ("", "moles"), ("bristol", "")]
)
def test_a_clinic_that_offers_it_no_preference_or_no_treatment_is_accepted(
    client, moles_in_london_only, clinic, treatment
):
    response = book(client, clinic=clinic, treatment=treatment)

    assert response.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_a_clinic_with_no_treatments_ticked_is_never_ruled_out(client):
    make_treatment("Moles")
    make_clinic("Bristol clinic", slug="bristol")

    assert book(client, clinic="bristol", treatment="moles").status_code == 302


def test_when_no_clinic_offers_it_only_no_preference_is_suggested(client):
    make_treatment("Moles")
    make_clinic("Bristol clinic", slug="bristol").treatments.add(make_treatment("Warts"))

    html = client.get("/book/?treatment=moles").content.decode()
    response = book(client, clinic="bristol", treatment="moles")

    assert clinic_hint(html) == (
        "None of our clinics lists moles yet: choose No preference and we will advise you."
    )
    assert response.context["form"].errors["clinic"] == [
        "Bristol clinic doesn't treat moles. Choose No preference"
    ]
