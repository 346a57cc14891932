"""
`manage.py seed_content`: the site's starting content, from the clinic's one clinically
approved text (Dr Ross Perry's milia article, see ../shared/seed/).

Safe to run on every start (`make run` does): it creates what is missing, matched by slug,
and leaves every existing row exactly as staff last saved it. `--overwrite` puts the seed
text back over rows that already exist (for example after pages/seed/privacy-notice.md
changes); a privacy notice whose text changes gets a new version.

Text that is not in the approved source is short, neutral, and marked awaiting clinical
review. Facts the source does not give (addresses, hours, prices) are left empty.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from pages.models import Article, Clinic, Expert, HomePage, Page, Treatment

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"

CONDITION = Treatment.Kind.CONDITION
PROCEDURE = Treatment.Kind.PROCEDURE

MILIA_ARTICLE_SLUG = "milia-tiny-white-bumps-on-your-skin"
# Where the article lived on the clinic's old site; it must keep working (301).
MILIA_ARTICLE_LEGACY_PATH = "/glamour-milia-tiny-white-bumps-on-your-skin/"

EXPERT = {
    "name": "Dr Ross Perry",
    "job_title": "Founder and Medical Director, Cosmedics Skin Clinics",
}

ASSESS = "Our doctors will assess {what} at a consultation and explain the options."
SKIN_BLEMISHES = (
    "Alongside mole removal, our team treat other skin blemishes, including sebaceous "
    "cysts, skin tags, warts and lipoma. A variety of procedures are available, including "
    "laser treatment, microcautery, surgery and cryotherapy/freezing."
)
GENERAL_PROCEDURES = ["laser-treatment", "cryotherapy", "microcautery", "surgical-excision"]

# Each treatment: its fields, and (for a condition) the slugs of its procedures.
TREATMENTS = [
    {
        "slug": "milia",
        "title": "Milia",
        "kind": CONDITION,
        "summary": "Milia, also commonly known as milk spots, are a tiny form of cyst rather "
        "than whiteheads, which they are sometimes confused with.",
        "body": """\
Glamour describes milia as ‘tiny white bumps on your skin’. Milia are also commonly known as \
milk spots.

> Milia are medically known as ‘milium cysts’ and it is important to understand that they \
are a tiny form of cyst rather than whiteheads, which they are sometimes confused with.
>
> — Dr Ross Perry, Founder and Medical Director, Cosmedics Skin Clinics

Milia develop as a result of sweat glands in the skin becoming clogged with oil and keratin. \
They can last a very long time if untreated and may become inflamed.

## How milia can be treated

Milia may be treated in a number of ways depending on the nature of the problem:

- laser treatment;
- freezing (cryotherapy) using liquid nitrogen, or microcautery, which uses intense heat;
- for less established cases, intensive exfoliation treatments such as chemical peels or \
microdermabrasion;
- at home, a topical retinoid may be helpful, but the recommended strengths are not \
available without a prescription and it is advisable to be seen by a doctor first.

All of these treatments should be carried out in a proper skin clinic by trained and \
experienced professionals.
""",
        # Every sentence above is from the approved source.
        "awaiting_clinical_review": False,
        "asks_about_changes": False,
        "is_featured": True,
        "sort_order": 10,
        "procedures": [
            "laser-treatment",
            "cryotherapy",
            "microcautery",
            "chemical-peels",
            "microdermabrasion",
            "topical-retinoids",
        ],
    },
    {
        "slug": "moles",
        "title": "Moles",
        "kind": CONDITION,
        "summary": "Mole removal is a particular speciality of our clinics.",
        "body": "Mole removal is a particular speciality; with trained doctors and surgeons "
        "using the latest surgical techniques including laser mole removal.\n\n"
        + ASSESS.format(what="your mole"),
        "medical_advice_note": "If a mole changes, bleeds or becomes itchy, please see your "
        "GP so they can check it.",
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "is_featured": True,
        "sort_order": 20,
        # The source: "laser mole removal" and "surgical techniques".
        "procedures": ["laser-treatment", "surgical-excision"],
    },
    {
        "slug": "skin-tags",
        "title": "Skin tags",
        "kind": CONDITION,
        "summary": "Our team treat skin tags at our clinics in London and Bristol.",
        "body": SKIN_BLEMISHES + "\n\n" + ASSESS.format(what="your skin tags"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "is_featured": True,
        "sort_order": 30,
        "procedures": GENERAL_PROCEDURES,
    },
    {
        "slug": "warts",
        "title": "Warts",
        "kind": CONDITION,
        "summary": "Our team treat warts at our clinics in London and Bristol.",
        "body": SKIN_BLEMISHES + "\n\n" + ASSESS.format(what="your warts"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "is_featured": True,
        "sort_order": 40,
        "procedures": GENERAL_PROCEDURES,
    },
    {
        "slug": "sebaceous-cysts",
        "title": "Sebaceous cysts",
        "kind": CONDITION,
        "summary": "Our team treat sebaceous cysts at our clinics in London and Bristol.",
        "body": SKIN_BLEMISHES + "\n\n" + ASSESS.format(what="your cyst"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "is_featured": True,
        "sort_order": 50,
        # Only surgery: freezing or laser for a cyst is not something to suggest unreviewed.
        "procedures": ["surgical-excision"],
    },
    {
        "slug": "lipoma",
        "title": "Lipoma",
        "kind": CONDITION,
        "summary": "Our team treat lipoma at our clinics in London and Bristol.",
        "body": SKIN_BLEMISHES + "\n\n" + ASSESS.format(what="your lipoma"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "is_featured": True,
        "sort_order": 60,
        "procedures": ["surgical-excision"],
    },
    {
        "slug": "laser-treatment",
        "title": "Laser treatment",
        "kind": PROCEDURE,
        "summary": "Laser treatment is one of the procedures available at our clinics, "
        "including laser mole removal.",
        "body": "A variety of procedures are available at our clinics, including laser "
        "treatment. Our trained doctors and surgeons use the latest surgical techniques, "
        "including laser mole removal.\n\n"
        "Dr Ross Perry says that for milia, laser offers the ultimate treatment, as it not only "
        "destroys the cysts but also stimulates the skin’s healing and cell renewal, so the "
        "skin looks healthier.\n\n"
        + ASSESS.format(what="whether laser treatment is suitable for you"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "sort_order": 110,
    },
    {
        "slug": "cryotherapy",
        "title": "Cryotherapy (freezing)",
        "kind": PROCEDURE,
        "summary": "Cryotherapy, also known as freezing, uses liquid nitrogen.",
        "body": "Cryotherapy, also known as freezing, uses liquid nitrogen. It is one of the "
        "options for the medical treatment of milia, and one of the procedures available at "
        "our clinics.\n\n" + ASSESS.format(what="whether cryotherapy is suitable for you"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "sort_order": 120,
    },
    {
        "slug": "microcautery",
        "title": "Microcautery",
        "kind": PROCEDURE,
        "summary": "Microcautery uses intense heat.",
        "body": "Microcautery uses intense heat. It is one of the options for the medical "
        "treatment of milia, and one of the procedures available at our clinics.\n\n"
        + ASSESS.format(what="whether microcautery is suitable for you"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "sort_order": 130,
    },
    {
        "slug": "surgical-excision",
        "title": "Surgical excision",
        "kind": PROCEDURE,
        "summary": "Surgery is one of the procedures available at our clinics, carried out by "
        "trained doctors and surgeons.",
        "body": "Mole removal is a particular speciality of our clinics, with trained doctors "
        "and surgeons using the latest surgical techniques. Surgery is also one of the "
        "procedures available for other skin blemishes.\n\n"
        + ASSESS.format(what="whether surgery is suitable for you"),
        "awaiting_clinical_review": True,
        "asks_about_changes": True,
        "sort_order": 140,
    },
    {
        "slug": "chemical-peels",
        "title": "Chemical peels",
        "kind": PROCEDURE,
        "summary": "An intensive exfoliation treatment that can be helpful for less "
        "established cases of milia.",
        "body": """\
For less established cases of milia, intensive exfoliation treatments such as chemical peels \
can be helpful. Dr Ross Perry explains:

> These work by stripping away the outer surface and clearing blocked pores for fresher skin. \
Exfoliation also stimulates cell renewal for clearer, healthier skin.
>
> — Dr Ross Perry

They should be carried out in a proper skin clinic by trained and experienced professionals.
""",
        "awaiting_clinical_review": True,
        "asks_about_changes": False,
        "sort_order": 150,
    },
    {
        "slug": "microdermabrasion",
        "title": "Microdermabrasion",
        "kind": PROCEDURE,
        "summary": "An intensive exfoliation treatment that can be helpful for less "
        "established cases of milia.",
        "body": """\
For less established cases of milia, intensive exfoliation treatments such as \
microdermabrasion can be helpful. Dr Ross Perry explains:

> These work by stripping away the outer surface and clearing blocked pores for fresher skin. \
Exfoliation also stimulates cell renewal for clearer, healthier skin.
>
> — Dr Ross Perry

It should be carried out in a proper skin clinic by trained and experienced professionals.
""",
        "awaiting_clinical_review": True,
        "asks_about_changes": False,
        "sort_order": 160,
    },
    {
        "slug": "topical-retinoids",
        "title": "Prescription topical retinoids",
        "kind": PROCEDURE,
        "summary": "For treating milia at home, a topical retinoid may be helpful; the "
        "recommended strengths need a prescription.",
        "body": """\
For those looking for ‘at home’ treatments for milia, a topical retinoid may be helpful. \
However, as Dr Ross Perry explains:

> The recommended strengths are not available without a prescription and it is advisable to \
be seen by the doctor first.
>
> — Dr Ross Perry

This is to ensure the treatment is appropriate. Dr Perry adds:

> I would advise against trying to purchase something on the internet, as there is a risk of \
scarring from inappropriate treatment.
>
> — Dr Ross Perry
""",
        "awaiting_clinical_review": True,
        "asks_about_changes": False,
        "sort_order": 170,
    },
]

# The source names the two cities and one phone number: nothing else is known, so the
# address, postcode, hours, email and map link stay empty and the pages don't show them.
CLINICS = [
    {
        "slug": "london",
        "title": "London clinic",
        "city": "London",
        "summary": "Private treatment for common skin lesions in London, including mole removal.",
        "phone": settings.CLINIC_PHONE,
        "sort_order": 10,
    },
    {
        "slug": "bristol",
        "title": "Bristol clinic",
        "city": "Bristol",
        "summary": "Private treatment for common skin lesions in Bristol, including mole removal.",
        "phone": settings.CLINIC_PHONE,
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
        expert = self.seed_expert()
        treatments = self.seed_treatments()
        article = self.seed_article(expert, treatments)
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

    def seed_expert(self):
        expert, _ = self.save(Expert, {"name": EXPERT["name"]}, EXPERT)
        return expert

    def seed_treatments(self):
        treatments, changed = {}, set()
        for data in TREATMENTS:
            fields = {key: value for key, value in data.items() if key != "procedures"}
            fields.setdefault("medical_advice_note", "")
            fields["is_published"] = True
            treatment, was_changed = self.save(Treatment, {"slug": data["slug"]}, fields)
            treatments[data["slug"]] = treatment
            if was_changed:
                changed.add(data["slug"])
        for data in TREATMENTS:
            if data["slug"] in changed:
                treatments[data["slug"]].procedures.set(
                    [treatments[slug] for slug in data.get("procedures", [])]
                )
        return treatments

    def seed_article(self, expert, treatments):
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
                "expert": expert,
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
            article.related_treatments.set(
                [treatments[slug] for slug in TREATMENTS[0]["procedures"] + ["milia"]]
            )
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
    return (SEED_DIR / name).read_text(encoding="utf-8")
