import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from pages.models import Article, HomePage, Page, Treatment
from tests.factories import make_article, make_page, make_staff, make_treatment

pytestmark = pytest.mark.django_db


def test_privacy_notice_version_goes_up_when_its_wording_changes():
    page = make_page("Privacy notice", body="Version one.")
    first_changed_at = page.text_changed_at
    assert page.version == 1

    page.body = "Version two."
    page.save()
    page.refresh_from_db()
    assert page.version == 2
    assert page.text_changed_at > first_changed_at

    page.title = "Our privacy notice"
    page.save()
    page.refresh_from_db()
    assert page.version == 3


def test_privacy_notice_version_stays_when_only_publishing_or_seo_changes():
    page = make_page("Privacy notice")

    page.is_published = False
    page.seo_description = "How we use your information."
    page.save()
    page.is_published = True
    page.save(update_fields=["is_published", "updated_at"])
    page.refresh_from_db()

    assert page.version == 1


def test_privacy_notice_version_goes_up_when_saved_with_update_fields():
    page = make_page("Privacy notice", body="Old.")

    page.body = "New."
    page.save(update_fields=["body"])
    page.refresh_from_db()

    assert page.version == 2
    assert page.body_html == "<p>New.</p>"


def test_version_comes_from_the_database_not_a_stale_copy():
    page = make_page("Privacy notice", body="One.")
    stale = Page.objects.get(pk=page.pk)
    page.body = "Two."
    page.save()

    stale.body = "Three."
    stale.save()
    stale.refresh_from_db()

    assert stale.version == 3


@pytest.mark.parametrize("slug", ["skin-advice", "treatments", "clinics", "book", "admin"])
def test_a_page_cannot_take_an_address_the_site_already_uses(slug):
    page = Page(title="Clash", slug=slug, body="x")

    with pytest.raises(ValidationError) as error:
        page.full_clean()

    assert "slug" in error.value.message_dict


def test_a_page_can_have_a_new_top_level_address():
    Page(title="Accessibility", slug="accessibility", body="x").full_clean()


def test_markdown_body_is_rendered_and_sanitised_on_save():
    article = make_article(body="Hello <script>alert(1)</script>**world**")

    assert article.body_html == "<p>Hello <strong>world</strong></p>"


def test_visible_to_shows_drafts_to_staff_only():
    published = make_treatment("Moles")
    draft = make_treatment("Warts", is_published=False)
    patient = get_user_model().objects.create_user("patient", password="x" * 12)
    inactive_staff = make_staff("left", is_active=False)

    assert list(Treatment.objects.visible_to(AnonymousUser())) == [published]
    assert list(Treatment.objects.visible_to(patient)) == [published]
    assert list(Treatment.objects.visible_to(inactive_staff)) == [published]
    assert set(Treatment.objects.visible_to(make_staff())) == {published, draft}


def test_meta_description_falls_back_to_the_summary_or_standfirst():
    treatment = make_treatment("Moles", summary="Mole removal is a speciality.")
    article = make_article(standfirst="Expert advice " * 30)

    assert treatment.meta_description == "Mole removal is a speciality."
    assert len(article.meta_description) <= 160
    assert article.meta_description.startswith("Expert advice Expert advice")

    treatment.seo_description = "Moles removed by doctors."
    assert treatment.meta_description == "Moles removed by doctors."


def test_condition_links_to_procedures_and_back():
    laser = make_treatment("Laser treatment", kind=Treatment.Kind.PROCEDURE)
    moles = make_treatment("Moles")
    moles.procedures.add(laser)

    assert list(moles.related_treatments()) == [laser]
    assert list(laser.related_treatments()) == [moles]


def test_home_page_load_works_before_the_seed_and_after():
    assert HomePage.load().pk is None

    HomePage.objects.create(title="Welcome", body="Hello")
    assert HomePage.load().title == "Welcome"


def test_article_ordering_is_newest_first():
    from datetime import date

    older = make_article("Older", published_on=date(2024, 1, 1))
    newer = make_article("Newer", published_on=date(2025, 1, 1))

    assert list(Article.objects.all()) == [newer, older]
