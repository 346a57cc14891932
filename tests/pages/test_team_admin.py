"""Staff keep the clinical team's profiles in the admin, and name clinicians on other pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pages.models import Regulator, TeamMember
from tests.factories import make_article, make_clinic, make_team_member, make_treatment
from tests.pages.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:pages_teammember_changelist")


def listed(admin_client, **params):
    return set(admin_client.get(CHANGELIST, params).context["cl"].queryset)


def test_team_list_filters_by_clinic_and_published(admin_client):
    bristol = make_clinic("Bristol clinic", slug="bristol", city="Bristol")
    at_bristol = make_team_member("Dr Jane Doe", slug="dr-jane-doe", clinics=[bristol])
    draft = make_team_member("Dr Draft", slug="dr-draft", is_published=False)

    assert listed(admin_client, clinics__id__exact=bristol.pk) == {at_bristol}
    assert listed(admin_client, is_published__exact="0") == {draft}


def test_team_list_finds_a_clinician_by_registration_number(admin_client):
    member = make_team_member(regulator=Regulator.GMC, registration_number="7654321")
    make_team_member("Dr Ann Lee", slug="dr-ann-lee")

    assert listed(admin_client, q="7654321") == {member}


def test_clinics_are_chosen_with_a_two_list_widget(admin_client):
    member = make_team_member()
    html = admin_client.get(change_url(member)).content.decode()

    assert 'name="clinics"' in html
    assert 'class="selectfilter"' in html
    assert 'data-field-name="clinics"' in html


def test_staff_fill_in_a_profile_and_patients_see_it(admin_client, client):
    bristol = make_clinic("Bristol clinic", slug="bristol", city="Bristol")
    member = make_team_member()
    response = admin_client.get(change_url(member))
    data = form_data(
        response,
        regulator=Regulator.GMC,
        registration_number="765 4321",
        qualifications="MBBS",
        body="Trained in Bristol.",
        clinics=[str(bristol.pk)],
    )

    saved = admin_client.post(change_url(member), data)

    assert saved.status_code == 302
    member.refresh_from_db()
    assert member.registration_number == "7654321"
    html = client.get(member.get_absolute_url()).content.decode()
    assert 'href="https://www.gmc-uk.org/registrants/7654321"' in html
    assert "<p>Trained in Bristol.</p>" in html
    assert 'href="/clinics/bristol/"' in html


def test_a_registration_number_in_the_wrong_format_is_refused_with_the_right_one(admin_client):
    member = make_team_member()
    response = admin_client.get(change_url(member))

    refused = admin_client.post(
        change_url(member),
        form_data(response, regulator=Regulator.GMC, registration_number="12345"),
    )

    assert refused.status_code == 200
    assert "A GMC number is seven digits" in refused.content.decode()
    member.refresh_from_db()
    assert member.registration_number == ""


def test_article_admin_names_author_and_reviewer(admin_client):
    author = make_team_member()
    reviewer = make_team_member("Dr Jane Doe", slug="dr-jane-doe")
    article = make_article(author=author)
    response = admin_client.get(change_url(article))

    saved = admin_client.post(change_url(article), form_data(response, reviewer=str(reviewer.pk)))

    assert saved.status_code == 302
    article.refresh_from_db()
    assert (article.author, article.reviewer) == (author, reviewer)
    changelist = admin_client.get(reverse("admin:pages_article_changelist"))
    assert "Dr Jane Doe" in changelist.content.decode()


def test_treatment_admin_names_who_performs_it(admin_client):
    member = make_team_member()
    laser = make_treatment("Laser treatment", kind="procedure")
    response = admin_client.get(change_url(laser))
    assert 'data-field-name="performed by"' in response.content.decode()

    saved = admin_client.post(change_url(laser), form_data(response, performed_by=[str(member.pk)]))

    assert saved.status_code == 302
    assert list(laser.performed_by.all()) == [member]


def test_team_list_uses_the_same_number_of_queries_however_long(admin_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(captured)

    make_team_member()
    queries()  # warm up: the session, content types
    before = queries()
    clinics = [make_clinic(f"Clinic {number}") for number in range(3)]
    for number in range(8):
        make_team_member(f"Dr Number {number}", slug=f"dr-{number}", clinics=clinics)

    assert queries() == before
    assert TeamMember.objects.count() == 9
