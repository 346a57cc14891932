"""
`manage.py seed_content`: the site's starting content, from the clinic's one clinically
approved text (Dr Ross Perry's milia article; docs/content.md says more).

The longer texts are files in pages/seed/: the article, home page, privacy notice and terms
as Markdown, and each treatment as treatments/<slug>.md beside its short fields in
treatments.toml. The rest (the clinician, clinics, titles) is short enough to stay below.

Safe to run on every start (`make run` does): it creates what is missing, matched by slug,
and leaves every existing row exactly as staff last saved it. `--overwrite` puts the seed
text back over rows that already exist (for example after pages/seed/privacy-notice.md
changes); a privacy notice whose text changes gets a new version.

Text that is not in the approved source is short, neutral, and marked awaiting clinical
review. Facts the source does not give (addresses, hours, prices) are left empty.
"""

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pages.models import Article, Clinic, HomePage, Page, TeamMember, Treatment

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"

MILIA_ARTICLE_SLUG = "milia-tiny-white-bumps-on-your-skin"
# Where the article lived on the clinic's old site; it must keep working (301).
MILIA_ARTICLE_LEGACY_PATH = "/glamour-milia-tiny-white-bumps-on-your-skin/"

# The source names him and his role, nothing more: no registration, qualifications,
# biography, portrait or clinics, so the profile shows none until staff add them.
TEAM_MEMBER = {
    "slug": "dr-ross-perry",
    "title": "Dr Ross Perry",
    "role": "Founder and Medical Director",
}

# The source names the two cities and one phone number for both: nothing else is known, so
# each clinic's own phone, address, hours, access and treatments stay empty and the pages
# don't show them (a clinic page shows the main number, called that).
CLINICS = [
    {
        "slug": "london",
        "title": "London clinic",
        "city": "London",
        "summary": "Private treatment for common skin lesions in London, including mole removal.",
        "sort_order": 10,
    },
    {
        "slug": "bristol",
        "title": "Bristol clinic",
        "city": "Bristol",
        "summary": "Private treatment for common skin lesions in Bristol, including mole removal.",
        "sort_order": 20,
    },
]

PAGES = [
    {"slug": "privacy", "title": "Privacy notice", "file": "privacy-notice.md"},
    {"slug": "terms", "title": "Terms of use", "file": "terms.md"},
]

HOME_PAGE = {
    "title": "Skin Surgery Laser Clinics in London and Bristol",
    "file": "home.md",
    "seo_title": "Mole removal and skin lesion treatment in London and Bristol",
    "seo_description": "Private treatment for common skin lesions in London and Bristol: "
    "moles, milia, skin tags, warts, sebaceous cysts and lipoma. Book a consultation.",
}


class Command(BaseCommand):
    help = (
        "Create the starting content (the milia article, treatments, clinics, privacy notice "
        "and terms) where it is missing. Existing rows are left as staff edited them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Put the seed text back over content that already exists (staff edits to "
            "seeded items are lost).",
        )

    @transaction.atomic
    def handle(self, *args, overwrite=False, **options):
        self.overwrite = overwrite
        self.counts = {"created": 0, "updated": 0, "kept": 0}
        self.seed_site()
        author = self.seed_team_member()
        treatment_seeds = read_treatment_seeds()
        treatments = self.seed_treatments(treatment_seeds)
        # The article is about milia and names each way to treat it.
        article_treatments = ["milia", *treatment_seeds["milia"]["procedures"]]
        article = self.seed_article(author, [treatments[slug] for slug in article_treatments])
        self.seed_clinics()
        self.seed_pages()
        self.seed_home_page()
        self.seed_legacy_redirect(article)
        self.stdout.write(
            self.style.SUCCESS(
                "Seed content: {created} created, {updated} updated, {kept} left as they "
                "were.".format(**self.counts)
            )
        )

    def save(self, model, lookup, fields):
        """Create the row if missing; with --overwrite, reset an existing one to `fields`."""
        instance = model.objects.filter(**lookup).first()
        if instance is not None and not self.overwrite:
            self.counts["kept"] += 1
            return instance, False
        result = "created" if instance is None else "updated"
        instance = instance or model(**lookup)
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        self.counts[result] += 1
        return instance, True

    def seed_site(self):
        # The Site row names the site in the admin and in links built without a request.
        domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.CLINIC_NAME}
        )

    def seed_team_member(self):
        member, _ = self.save(
            TeamMember,
            {"slug": TEAM_MEMBER["slug"]},
            {**TEAM_MEMBER, "is_published": True, "awaiting_clinical_review": False},
        )
        return member

    def seed_treatments(self, seeds):
        """Each treatment, then the links of each one created (or overwritten)."""
        treatments, changed = {}, set()
        for data in seeds.values():
            fields = {key: value for key, value in data.items() if key != "procedures"}
            fields.setdefault("medical_advice_note", "")
            fields["is_published"] = True
            treatment, was_changed = self.save(Treatment, {"slug": data["slug"]}, fields)
            treatments[data["slug"]] = treatment
            if was_changed:
                changed.add(data["slug"])
        for data in seeds.values():
            if data["slug"] in changed:
                treatments[data["slug"]].procedures.set(
                    [treatments[slug] for slug in data.get("procedures", [])]
                )
        return treatments

    def seed_article(self, author, related_treatments):
        existing = Article.objects.filter(slug=MILIA_ARTICLE_SLUG).first()
        today = timezone.localdate()
        published_on = existing.published_on if existing else today
        article, changed = self.save(
            Article,
            {"slug": MILIA_ARTICLE_SLUG},
            {
                "title": "Milia: ‘Tiny White Bumps On Your Skin’",
                "standfirst": "Expert skin advice from Dr Ross Perry.",
                "body": read_seed_file("milia-article.md"),
                "author": author,
                "source_publication": "Glamour",
                "is_published": True,
                # The source is the clinic's approved text, approved as the site starts.
                "awaiting_clinical_review": False,
                "published_on": published_on,
                "last_reviewed_on": today,
                "seo_title": "Milia (milk spots): expert advice from Dr Ross Perry",
                "seo_description": "What milia (milk spots) are and how they can be treated: "
                "expert advice from Dr Ross Perry of Cosmedics Skin Clinics, as featured in "
                "Glamour.",
            },
        )
        if changed:
            article.related_treatments.set(related_treatments)
        return article

    def seed_clinics(self):
        for data in CLINICS:
            self.save(
                Clinic,
                {"slug": data["slug"]},
                {**data, "is_published": True, "awaiting_clinical_review": False},
            )

    def seed_pages(self):
        for data in PAGES:
            self.save(
                Page,
                {"slug": data["slug"]},
                {
                    "title": data["title"],
                    "body": read_seed_file(data["file"]),
                    "is_published": True,
                    "awaiting_clinical_review": True,
                },
            )

    def seed_home_page(self):
        existing = HomePage.objects.order_by("pk").first()
        lookup = {"pk": existing.pk} if existing else {}
        self.save(
            HomePage,
            lookup,
            {
                "title": HOME_PAGE["title"],
                "body": read_seed_file(HOME_PAGE["file"]),
                "seo_title": HOME_PAGE["seo_title"],
                "seo_description": HOME_PAGE["seo_description"],
                "awaiting_clinical_review": False,
            },
        )

    def seed_legacy_redirect(self, article):
        # A Redirect row, not code, so staff can see and change it in the admin.
        redirect, created = Redirect.objects.get_or_create(
            site_id=settings.SITE_ID,
            old_path=MILIA_ARTICLE_LEGACY_PATH,
            defaults={"new_path": article.get_absolute_url()},
        )
        if not created and self.overwrite:
            redirect.new_path = article.get_absolute_url()
            redirect.save()
        self.counts["created" if created else "updated" if self.overwrite else "kept"] += 1


def read_seed_file(name):
    """A seed file's text exactly as it is, so the row matches the file."""
    return (SEED_DIR / name).read_text(encoding="utf-8")


def read_treatment_seeds():
    """
    Each treatment's fields from treatments.toml, with its `body` from treatments/<slug>.md,
    by slug in the file's order. A misspelt field name stops the seed rather than being
    silently ignored.
    """
    with (SEED_DIR / "treatments.toml").open("rb") as file:
        seeds = tomllib.load(file)["treatment"]
    known = {field.name for field in Treatment._meta.concrete_fields} | {"procedures"}
    for data in seeds:
        unknown = set(data) - known
        if unknown:
            raise CommandError(
                f"treatments.toml, {data.get('slug')}: no field called {', '.join(sorted(unknown))}"
            )
        data["body"] = read_seed_file(f"treatments/{data['slug']}.md")
    return {data["slug"]: data for data in seeds}
