"""
The site's content: articles, treatments, clinics, simple pages and the home page's words.
Staff edit all of it in the admin; patients see only what is published.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from pages.markdown import render_markdown
from pages.querysets import ContentQuerySet


class PublishedQuerySet(ContentQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Everything for staff (so they can preview drafts), published items for everyone else."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()


class ReviewedText(models.Model):
    """What every page patients read shares: its review state and its search-engine text."""

    awaiting_clinical_review = models.BooleanField(
        default=False,
        help_text="Text that is not from clinically approved material and still needs a "
        "clinician to review it.",
    )
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="Defaults to the page's heading."
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=160,
        blank=True,
        help_text="Shown by search engines under the title.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Bulk writes also refresh the page cache (pages/querysets.py).
    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True


class Content(ReviewedText):
    """A public page with its own address that can be published or kept as a draft."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    is_published = models.BooleanField(
        "published",
        default=False,
        help_text="Unpublished items are hidden from the public; staff can preview them.",
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def page_title(self):
        return self.seo_title or self.title

    @property
    def meta_description(self):
        description = self.seo_description or " ".join(self.default_description().split())
        return Truncator(description).chars(160)

    def default_description(self):
        """
        The item's short text: shown under its title in lists, and what search engines
        are given when no SEO description is set.
        """
        return getattr(self, "summary", "")


class MarkdownBody(models.Model):
    """A Markdown body, stored with its sanitised HTML so pages never render Markdown."""

    body = models.TextField(
        blank=True,
        help_text="Markdown: “## ” starts a heading, “- ” a list item, “> ” a quote; end a "
        "quote with a line “> — Name, role” to name the speaker. Links: [words](https://…) or "
        "[words](/treatments/milia/).",
    )
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)


class Expert(models.Model):
    """A clinician who writes or is quoted in articles: shown as the article's author."""

    name = models.CharField(max_length=120, help_text="As patients should see it: “Dr Ross Perry”.")
    job_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="For example: “Founder and Medical Director, Cosmedics Skin Clinics”.",
    )

    # Bulk writes also refresh the page cache (pages/querysets.py).
    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Treatment(Content, MarkdownBody):
    """A condition the clinic treats, or a procedure it uses; each links to the other."""

    class Kind(models.TextChoices):
        CONDITION = "condition", "Condition we treat"
        PROCEDURE = "procedure", "Procedure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two plain sentences for lists and search."
    )
    procedures = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="conditions",
        limit_choices_to={"kind": Kind.PROCEDURE},
        help_text="For a condition: the procedures used to treat it.",
    )
    asks_about_changes = models.BooleanField(
        default=False,
        help_text="Ask patients booking for this whether it has changed, bled or itched.",
    )
    # Facts are shown only when filled in: leave them empty until a clinician approves them.
    procedure_time = models.CharField(
        max_length=100, blank=True, help_text="For example: “About 30 minutes”."
    )
    anaesthetic = models.CharField(
        max_length=100, blank=True, help_text="For example: “Local anaesthetic”."
    )
    recovery = models.CharField(max_length=200, blank=True)
    price_from = models.DecimalField(
        "from price (£)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    medical_advice_note = models.TextField(
        "when to get medical advice",
        blank=True,
        help_text="For example: a mole that changes, bleeds or itches should be seen by a GP.",
    )
    is_featured = models.BooleanField(
        "featured on the home page", default=False, help_text="Listed on the home page."
    )
    sort_order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are listed first."
    )

    class Meta:
        ordering = ["sort_order", "title"]

    def get_absolute_url(self):
        return reverse("pages:treatment_detail", kwargs={"slug": self.slug})

    @property
    def is_condition(self):
        return self.kind == self.Kind.CONDITION

    def related_treatments(self):
        """A condition's procedures, or the conditions a procedure treats."""
        return (self.procedures if self.is_condition else self.conditions).all()

    def is_related_expression(self):
        """For annotating a Treatment queryset: is the row one of related_treatments()?

        Lets a treatment page fetch every published treatment (the booking form's choices)
        and its cross-links in one query.
        """
        links = Treatment.procedures.through.objects
        if self.is_condition:
            links = links.filter(from_treatment=self, to_treatment=models.OuterRef("pk"))
        else:
            links = links.filter(to_treatment=self, from_treatment=models.OuterRef("pk"))
        return models.Exists(links)


class Article(Content, MarkdownBody):
    """Skin advice: the clinic's own articles and press features quoting its doctors."""

    standfirst = models.TextField(
        blank=True, help_text="The short introduction shown under the title and in lists."
    )
    expert = models.ForeignKey(
        Expert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="The doctor who wrote the advice or is quoted: shown as the author.",
    )
    source_publication = models.CharField(
        max_length=120, blank=True, help_text="For a press feature: the publication, e.g. Glamour."
    )
    source_url = models.URLField(
        blank=True, help_text="Link to the original feature, shown when filled in."
    )
    published_on = models.DateField(default=timezone.localdate)
    last_reviewed_on = models.DateField(
        null=True, blank=True, help_text="When a clinician last checked the advice."
    )
    related_treatments = models.ManyToManyField(Treatment, blank=True, related_name="articles")

    class Meta:
        ordering = ["-published_on", "title"]

    def get_absolute_url(self):
        return reverse("pages:article_detail", kwargs={"slug": self.slug})

    def default_description(self):
        return self.standfirst


class Clinic(Content):
    """One of the clinic's locations, where patients can book."""

    city = models.CharField(max_length=100)
    summary = models.CharField(max_length=300, blank=True)
    # Contact facts are shown only when filled in: never guess an address or hours.
    phone = models.CharField(
        max_length=30, blank=True, help_text="Empty: the main number is shown."
    )
    email = models.EmailField(blank=True, help_text="Shown to patients when filled in.")
    address = models.TextField(blank=True, help_text="Street address, one line per line.")
    postcode = models.CharField(max_length=10, blank=True)
    opening_hours = models.TextField(blank=True, help_text="One line per day or range of days.")
    map_url = models.URLField("map link", blank=True)
    notification_email = models.EmailField(
        blank=True,
        help_text="Inbox told about new consultation requests for this clinic. "
        "Empty: the site-wide staff inbox.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "title"]

    def get_absolute_url(self):
        return reverse("pages:clinic_detail", kwargs={"slug": self.slug})

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def opening_hours_lines(self):
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]


def comparable_wording(title: str, body: str) -> tuple[str, str]:
    """
    A page's words for comparing versions: without the spaces and line breaks around them, and
    with every line break alike, since the admin trims the text and browsers send CRLF line
    breaks. Saving a page unchanged never makes a new version.
    """
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return title.strip(), body.strip()


class Page(Content, MarkdownBody):
    """A simple editable page at /<slug>/: the privacy notice, terms."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up each time the title or text changes; consent receipts record it.",
    )
    text_changed_at = models.DateTimeField(
        "text last changed",
        default=timezone.now,
        editable=False,
        help_text="When this version's wording was made: shown as “last updated”.",
    )

    class Meta:
        ordering = ["title"]

    def save(self, *args, **kwargs):
        # The version identifies the exact text a patient agreed to, so any change to
        # the wording (not publishing or SEO edits) makes a new version.
        update_fields = kwargs.get("update_fields")
        saves_text = update_fields is None or {"title", "body"} & set(update_fields)
        if self.pk is not None and saves_text:
            stored = Page.objects.filter(pk=self.pk).values("title", "body", "version").first()
            now_reads = comparable_wording(self.title, self.body)
            if stored and comparable_wording(stored["title"], stored["body"]) != now_reads:
                self.version = stored["version"] + 1
                self.text_changed_at = timezone.now()
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "version", "text_changed_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:page_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        # Pages live at /<slug>/, beside the site's own sections: a page called
        # "treatments" could never be reached, so refuse it.
        if self.slug:
            try:
                match = resolve(f"/{self.slug}/")
            except Resolver404:
                match = None
            if match is None or match.view_name != "pages:page_detail":
                raise ValidationError({"slug": "This address is used by another part of the site."})

    def default_description(self):
        return strip_tags(self.body_html) if self.body_html else ""


class HomePage(ReviewedText, MarkdownBody):
    """
    The home page's own words: its headline and what the clinic does. One row, edited in
    the admin; the featured treatments, latest articles and clinics come from their own lists.
    """

    title = models.CharField(
        "headline", max_length=200, help_text="The page's main heading (its only <h1>)."
    )

    class Meta:
        verbose_name = "home page"
        verbose_name_plural = "home page"

    def __str__(self):
        return "Home page"

    def get_absolute_url(self):
        return reverse("pages:home")

    @classmethod
    def load(cls):
        """The home page's row, or an unsaved blank one before the seed has run."""
        return cls.objects.order_by("pk").first() or cls(title=settings.CLINIC_NAME)

    @property
    def meta_description(self):
        text = self.seo_description or " ".join(strip_tags(self.body_html).split())
        return Truncator(text).chars(160)
