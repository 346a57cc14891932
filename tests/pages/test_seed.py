"""`manage.py seed_content`: run on every `make run`, so it must be safe to run again."""

import shutil
from io import StringIO

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management import CommandError, call_command

from pages.management.commands import seed_content
from pages.management.commands.seed_content import SEED_DIR
from pages.models import FAQ, Article, Clinic, FeesAndTerms, HomePage, Page, TeamMember, Treatment

pytestmark = pytest.mark.django_db

MODELS = [Article, Clinic, TeamMember, HomePage, Page, Treatment, Redirect, Site]
LEGACY_PATH = "/glamour-milia-tiny-white-bumps-on-your-skin/"


def seed(*args):
    out = StringIO()
    call_command("seed_content", *args, stdout=out)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "procedure links": Treatment.procedures.through.objects.count(),
        "article links": Article.related_treatments.through.objects.count(),
    }


def test_seed_creates_the_starting_content():
    seed()

    assert row_counts() == {
        "Article": 1,
        "Clinic": 2,
        "TeamMember": 1,
        "HomePage": 1,
        "Page": 2,
        "Treatment": 13,
        "Redirect": 1,
        "Site": 1,
        "procedure links": 6 + 2 + 4 + 4 + 1 + 1,
        "article links": 7,
    }
    assert set(Treatment.objects.filter(kind="condition").values_list("slug", flat=True)) == {
        "milia",
        "moles",
        "skin-tags",
        "warts",
        "sebaceous-cysts",
        "lipoma",
    }
    assert set(Treatment.objects.filter(kind="procedure").values_list("slug", flat=True)) == {
        "laser-treatment",
        "cryotherapy",
        "microcautery",
        "surgical-excision",
        "chemical-peels",
        "microdermabrasion",
        "topical-retinoids",
    }
    assert set(Page.objects.values_list("slug", flat=True)) == {"privacy", "terms"}


def test_seed_run_twice_leaves_the_same_rows():
    seed()
    first = row_counts()
    output = seed()

    assert row_counts() == first
    assert "0 created, 0 updated" in output


def test_seed_never_overwrites_what_staff_edited():
    seed()
    Article.objects.update(title="Milia, edited by staff")
    Treatment.objects.filter(slug="moles").update(summary="Edited summary")
    Treatment.objects.get(slug="milia").procedures.clear()
    Redirect.objects.update(new_path="/somewhere-else/")

    seed()

    assert Article.objects.get().title == "Milia, edited by staff"
    assert Treatment.objects.get(slug="moles").summary == "Edited summary"
    assert Treatment.objects.get(slug="milia").procedures.count() == 0
    assert Redirect.objects.get().new_path == "/somewhere-else/"


def test_seed_recreates_only_what_is_missing():
    seed()
    Clinic.objects.filter(slug="bristol").delete()
    Article.objects.update(title="Kept")

    seed()

    assert Clinic.objects.filter(slug="bristol").exists()
    assert Article.objects.get().title == "Kept"


def test_overwrite_puts_the_seed_text_back_and_versions_the_privacy_notice():
    seed()
    Article.objects.update(title="Edited")
    privacy = Page.objects.get(slug="privacy")
    privacy.body = "Staff changed this."
    privacy.save()
    assert privacy.version == 2

    seed("--overwrite")

    assert Article.objects.get().title == "Milia: ‘Tiny White Bumps On Your Skin’"
    privacy.refresh_from_db()
    assert privacy.body == (SEED_DIR / "privacy-notice.md").read_text(encoding="utf-8")
    assert privacy.version == 3


def test_article_has_the_full_source_text_with_quotes_as_attributed_block_quotes():
    seed()
    article = Article.objects.get()

    # Sentences from ../shared/seed/milia-glamour-article.txt, the approved source.
    for sentence in [
        "Milia are also commonly known as milk spots.",
        "Milia are medically known as ‘milium cysts’ and it is important to understand that "
        "they are a tiny form of cyst rather than whiteheads",
        "Milia develop as a result of sweat glands in the skin becoming clogged with oil and "
        "keratin.",
        "There is also a risk of inflammation if they’re left untreated.",
        "Laser offers the ultimate treatment",
        "freezing (aka cryotherapy) using liquid nitrogen, or microcautery, which uses intense "
        "heat.",
        "intensive exfoliation treatments such as chemical peels or microdermabrasion can be "
        "helpful.",
        "These work by stripping away the outer surface and clearing blocked pores for "
        "fresher skin.",
        "For those looking for ‘at home’ treatments, a topical retinoid may be helpful.",
        "The recommended strengths are not available without a prescription",
        "I would advise against trying to purchase something on the internet, as there is a "
        "risk of scarring from inappropriate treatment.",
        "It is important to have the skin viewed by a doctor specialised in skin conditions in "
        "order to work out the best treatment plan.",
        "Mole removal is a particular speciality",
        "sebaceous cysts, skin tags, warts and lipoma",
    ]:
        assert sentence in article.body
    assert article.body_html.count('<figure class="quote">') == 5
    assert article.body_html.count("<figcaption>— Dr Ross Perry</figcaption>") == 5
    assert article.author.title == "Dr Ross Perry"
    assert article.author.role == "Founder and Medical Director"
    assert article.source_publication == "Glamour"
    assert article.slug == "milia-tiny-white-bumps-on-your-skin"
    assert article.is_published and not article.awaiting_clinical_review


def test_article_links_the_treatments_it_names():
    seed()

    assert set(Article.objects.get().related_treatments.values_list("slug", flat=True)) == {
        "milia",
        "laser-treatment",
        "cryotherapy",
        "microcautery",
        "chemical-peels",
        "microdermabrasion",
        "topical-retinoids",
    }


def test_treatments_are_cross_linked_as_the_source_says():
    seed()

    def procedures(slug):
        return set(Treatment.objects.get(slug=slug).procedures.values_list("slug", flat=True))

    assert procedures("milia") == {
        "laser-treatment",
        "cryotherapy",
        "microcautery",
        "chemical-peels",
        "microdermabrasion",
        "topical-retinoids",
    }
    assert procedures("moles") == {"laser-treatment", "surgical-excision"}
    assert procedures("skin-tags") == {
        "laser-treatment",
        "cryotherapy",
        "microcautery",
        "surgical-excision",
    }


def test_text_beyond_the_source_is_marked_awaiting_clinical_review():
    seed()

    assert not Treatment.objects.get(slug="milia").awaiting_clinical_review
    assert set(
        Treatment.objects.filter(awaiting_clinical_review=False).values_list("slug", flat=True)
    ) == {"milia"}
    assert all(Page.objects.values_list("awaiting_clinical_review", flat=True))


def test_moles_ask_about_changes_and_advise_seeing_a_gp():
    seed()
    moles = Treatment.objects.get(slug="moles")

    assert moles.asks_about_changes
    assert "see your GP" in moles.medical_advice_note
    assert not Treatment.objects.get(slug="milia").asks_about_changes


def test_seed_invents_no_prices_facts_addresses_or_hours():
    seed()

    for treatment in Treatment.objects.all():
        assert treatment.price_from is None
        assert not (treatment.procedure_time or treatment.anaesthetic or treatment.recovery)
        assert not (treatment.scarring or treatment.aftercare or treatment.urgent_advice)
        assert not treatment.price_includes
    # No fee, cancellation terms or questions: the source gives none.
    assert not (FeesAndTerms.objects.exists() or FAQ.objects.exists())
    for clinic in Clinic.objects.all():
        # One number for both clinics in the source: the main number, not a clinic's own.
        assert clinic.phone == ""
        assert not (clinic.address or clinic.postcode or clinic.email or clinic.notification_email)
        assert not (clinic.directions or clinic.parking or clinic.accessibility_note)
        assert clinic.access_facts() == []
        assert not (clinic.opening_hours.exists() or clinic.closures.exists())
        assert not clinic.treatments.exists()
    assert set(Clinic.objects.values_list("city", flat=True)) == {"London", "Bristol"}


def test_seed_sets_the_site_name_and_domain_from_site_url(settings):
    settings.SITE_URL = "https://www.cosmedics.example"
    seed()

    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.domain == "www.cosmedics.example"
    assert site.name == "Cosmedics Skin Clinics"


def test_seed_makes_the_legacy_path_redirect_staff_can_edit(client):
    seed()

    redirect = Redirect.objects.get(old_path=LEGACY_PATH)
    assert redirect.new_path == "/skin-advice/milia-tiny-white-bumps-on-your-skin/"


def test_each_treatment_text_is_its_seed_file_and_every_file_is_used():
    seed()
    files = {path.stem: path for path in (SEED_DIR / "treatments").glob("*.md")}

    assert set(files) == set(Treatment.objects.values_list("slug", flat=True))
    for treatment in Treatment.objects.all():
        assert treatment.body == files[treatment.slug].read_text(encoding="utf-8")


def test_a_misspelt_field_in_the_treatment_seed_stops_the_seed(tmp_path, monkeypatch):
    shutil.copytree(SEED_DIR, tmp_path / "seed")
    toml = tmp_path / "seed" / "treatments.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("is_featured =", "is_feature =", 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(seed_content, "SEED_DIR", tmp_path / "seed")

    with pytest.raises(CommandError, match="milia: no field called is_feature"):
        seed()
    assert not Treatment.objects.exists()
