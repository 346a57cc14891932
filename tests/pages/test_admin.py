"""Staff edit the site's content in the admin and see it on the site."""

import datetime

import pytest
from django.contrib.redirects.models import Redirect
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pages.models import Article, Clinic, HomePage, Page, TeamMember, Treatment
from tests.factories import make_article, make_clinic, make_page, make_treatment

pytestmark = pytest.mark.django_db

ARTICLE = "/skin-advice/milia-tiny-white-bumps-on-your-skin/"


def change_url(obj):
    return reverse(f"admin:pages_{obj._meta.model_name}_change", args=[obj.pk])


def form_data(response, **changes):
    """The admin change form's current values as POST data, with `changes` applied."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(item, "pk", item)) for item in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    # Inlines (a treatment's FAQs): their management forms, as the browser sends them.
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data["_save"] = "Save"
    return data


def test_staff_edit_the_milia_article_and_see_the_change_on_the_site(admin_client, seeded):
    article = Article.objects.get()
    response = admin_client.get(change_url(article))
    assert response.status_code == 200

    response = admin_client.post(
        change_url(article),
        form_data(
            response,
            title="Milia: what those tiny white bumps are",
            body=article.body + "\n\nA new paragraph added by staff.",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    page = admin_client.get(ARTICLE).content.decode()
    assert "<h1>Milia: what those tiny white bumps are</h1>" in page
    assert "<p>A new paragraph added by staff.</p>" in page


def test_dates_are_british_for_staff_and_patients(admin_client, seeded):
    # The site runs without Django's translation machinery (USE_I18N off, for speed): dates
    # must still be day/month/year, as LANGUAGE_CODE en-gb says.
    article = Article.objects.get()
    response = admin_client.get(change_url(article))
    assert f'value="{article.published_on:%d/%m/%Y}"' in response.content.decode()

    response = admin_client.post(
        change_url(article), form_data(response, published_on="03/02/2026")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.published_on == datetime.date(2026, 2, 3)
    assert (
        '<time datetime="2026-02-03">3 February 2026</time>'
        in admin_client.get(ARTICLE).content.decode()
    )


def test_changes_show_to_the_public_too(admin_client, client, seeded):
    article = Article.objects.get()
    response = admin_client.get(change_url(article))
    admin_client.post(
        change_url(article), form_data(response, standfirst="Updated standfirst from staff.")
    )

    assert "Updated standfirst from staff." in client.get(ARTICLE).content.decode()


def test_staff_cannot_put_script_on_a_page_through_the_admin(admin_client, client, seeded):
    article = Article.objects.get()
    response = admin_client.get(change_url(article))
    admin_client.post(
        change_url(article),
        form_data(response, body='<script>alert(1)</script><img src=x onerror="alert(2)">Hi'),
    )
    html = client.get(ARTICLE).content.decode()

    assert "alert(1)" not in html
    assert "onerror" not in html


def test_changing_a_published_slug_keeps_the_old_address_working(admin_client, client, seeded):
    treatment = Treatment.objects.get(slug="moles")
    response = admin_client.get(change_url(treatment))
    admin_client.post(change_url(treatment), form_data(response, slug="mole-removal"))

    old = client.get("/treatments/moles/")
    assert old.status_code == 301
    assert old["Location"] == "/treatments/mole-removal/"
    assert client.get("/treatments/mole-removal/").status_code == 200


def test_moving_the_article_again_updates_the_legacy_redirect_without_a_chain(
    admin_client, client, seeded
):
    article = Article.objects.get()
    response = admin_client.get(change_url(article))
    admin_client.post(change_url(article), form_data(response, slug="milia"))

    legacy = client.get("/glamour-milia-tiny-white-bumps-on-your-skin/")
    assert legacy.status_code == 301
    assert legacy["Location"] == "/skin-advice/milia/"
    assert client.get(ARTICLE)["Location"] == "/skin-advice/milia/"


def test_moving_a_draft_makes_no_redirect(admin_client):
    draft = make_treatment("Draft", slug="draft", is_published=False)
    response = admin_client.get(change_url(draft))
    admin_client.post(change_url(draft), form_data(response, slug="draft-2"))

    assert not Redirect.objects.exists()


@pytest.mark.parametrize("model", [Article, Treatment, Clinic, Page, TeamMember, HomePage])
def test_every_content_list_and_form_opens_in_the_admin(admin_client, seeded, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:pages_{opts.model_name}_changelist"))
    change = admin_client.get(change_url(model.objects.first()))

    assert changelist.status_code == 200
    assert change.status_code == 200


@pytest.mark.parametrize("model", [Article, Treatment, Clinic, Page])
def test_staff_can_list_what_is_awaiting_clinical_review(admin_client, seeded, model):
    url = reverse(f"admin:pages_{model._meta.model_name}_changelist")
    awaiting = admin_client.get(url, {"review": "awaiting"}).context["cl"].queryset
    reviewed = admin_client.get(url, {"review": "reviewed"}).context["cl"].queryset

    assert set(awaiting) == set(model.objects.filter(awaiting_clinical_review=True))
    assert set(reviewed) == set(model.objects.filter(awaiting_clinical_review=False))


def test_treatments_awaiting_review_are_the_ones_beyond_the_source(admin_client, seeded):
    url = reverse("admin:pages_treatment_changelist")
    awaiting = admin_client.get(url, {"review": "awaiting"}).context["cl"].queryset

    assert "moles" in {t.slug for t in awaiting}
    assert "milia" not in {t.slug for t in awaiting}


def test_staff_can_filter_by_published(admin_client):
    make_article("Live")
    make_article("Draft", is_published=False)
    url = reverse("admin:pages_article_changelist")

    drafts = admin_client.get(url, {"is_published__exact": "0"}).context["cl"].queryset

    assert [a.title for a in drafts] == ["Draft"]


def test_view_on_site_opens_a_draft_as_a_preview_for_staff(admin_client):
    draft = make_article("Draft advice", slug="draft-advice", is_published=False)
    response = admin_client.get(change_url(draft))

    assert 'href="/skin-advice/draft-advice/"' in response.content.decode()
    preview = admin_client.get("/skin-advice/draft-advice/")
    assert preview.status_code == 200
    assert "Preview: this page is not published." in preview.content.decode()


def test_publish_action_makes_drafts_public(admin_client, client):
    draft = make_clinic("Leeds clinic", slug="leeds", city="Leeds", is_published=False)
    admin_client.post(
        reverse("admin:pages_clinic_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    assert client.get("/clinics/leeds/").status_code == 200


def test_unpublish_action_hides_pages_from_the_public(admin_client, client):
    clinic = make_clinic("Leeds clinic", slug="leeds", city="Leeds")
    admin_client.post(
        reverse("admin:pages_clinic_changelist"),
        {"action": "unpublish", "_selected_action": [clinic.pk]},
    )

    assert client.get("/clinics/leeds/").status_code == 404


def test_marking_an_article_reviewed_records_the_review_date(admin_client):
    article = make_article("Advice", awaiting_clinical_review=True, last_reviewed_on=None)
    admin_client.post(
        reverse("admin:pages_article_changelist"),
        {"action": "mark_clinically_reviewed", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()

    assert not article.awaiting_clinical_review
    assert article.last_reviewed_on is not None


def test_a_procedure_cannot_be_given_procedures(admin_client):
    laser = make_treatment("Laser", kind=Treatment.Kind.PROCEDURE)
    freezing = make_treatment("Freezing", kind=Treatment.Kind.PROCEDURE)
    response = admin_client.get(change_url(laser))
    response = admin_client.post(
        change_url(laser), form_data(response, procedures=[str(freezing.pk)])
    )

    assert response.status_code == 200
    assert "Only a condition lists procedures" in response.content.decode()
    assert not laser.procedures.exists()


def test_procedure_form_shows_the_conditions_it_treats(admin_client, seeded):
    laser = Treatment.objects.get(slug="laser-treatment")
    html = admin_client.get(change_url(laser)).content.decode()

    assert "Milia, Moles" in html


def test_editing_the_privacy_notice_shows_its_new_version(admin_client, seeded):
    privacy = Page.objects.get(slug="privacy")
    response = admin_client.get(change_url(privacy))
    admin_client.post(change_url(privacy), form_data(response, body="A new privacy notice."))
    privacy.refresh_from_db()

    assert privacy.version == 2
    assert "Version 2" in admin_client.get("/privacy/").content.decode()


def test_a_page_at_an_address_the_site_uses_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:pages_page_add"),
        {"title": "Treatments", "slug": "treatments", "body": "x", "_save": "Save"},
    )

    assert response.status_code == 200
    assert "This address is used by another part of the site." in response.content.decode()
    assert not Page.objects.exists()


def test_there_is_only_ever_one_home_page(admin_client, seeded):
    assert admin_client.get(reverse("admin:pages_homepage_add")).status_code == 403
    home = HomePage.objects.get()
    assert (
        admin_client.post(reverse("admin:pages_homepage_delete", args=[home.pk])).status_code == 403
    )


@pytest.mark.parametrize("model", [Article, Treatment, Clinic, Page])
def test_admin_lists_use_the_same_number_of_queries_however_long(admin_client, seeded, model):
    url = reverse(f"admin:pages_{model._meta.model_name}_changelist")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    queries()  # warm up: the session, content types
    before = queries()
    for number in range(8):
        make_article(f"Advice {number}", author=TeamMember.objects.first())
        make_treatment(f"Treatment {number}").procedures.add(Treatment.objects.last())
        make_clinic(f"Clinic {number}")
        make_page(f"Page {number}", slug=f"page-{number}")

    assert queries() == before
