from django.db import models
from django.urls import reverse
from django.utils import timezone

from pages.markdown import render_markdown


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Content(models.Model):
    """Fields every public page shares: its address, its SEO text and its review state."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    is_published = models.BooleanField(
        "published",
        default=False,
        help_text="Unpublished items are hidden from the public; staff can preview them.",
    )
    awaiting_clinical_review = models.BooleanField(
        default=False,
        help_text="Text that is not from clinically approved material and still needs a "
        "clinician to review it.",
    )
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="Defaults to the title."
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=160,
        blank=True,
        help_text="Shown by search engines under the title.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def page_title(self):
        return self.seo_title or self.title


class MarkdownBody(models.Model):
    """A Markdown body, stored with its sanitised HTML so pages never render Markdown."""

    body = models.TextField(blank=True, help_text="Markdown. Quotes start with “>”.")
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class Expert(models.Model):
    name = models.CharField(max_length=120)
    job_title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Treatment(Content, MarkdownBody):
    class Kind(models.TextChoices):
        CONDITION = "condition", "Condition we treat"
        PROCEDURE = "procedure", "Procedure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300, blank=True)
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
    procedure_time = models.CharField(max_length=100, blank=True)
    anaesthetic = models.CharField(max_length=100, blank=True)
    recovery = models.CharField(max_length=200, blank=True)
    price_from = models.DecimalField(
        "from price (£)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    medical_advice_note = models.TextField(
        "when to get medical advice",
        blank=True,
        help_text="For example: a mole that changes, bleeds or itches should be seen by a GP.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "title"]

    def get_absolute_url(self):
        return reverse("pages:treatment_detail", kwargs={"slug": self.slug})


class Article(Content, MarkdownBody):
    standfirst = models.TextField(blank=True)
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, null=True, blank=True)
    source_publication = models.CharField(max_length=120, blank=True)
    source_url = models.URLField(blank=True)
    published_on = models.DateField(default=timezone.localdate)
    last_reviewed_on = models.DateField(null=True, blank=True)
    related_treatments = models.ManyToManyField(
        Treatment, blank=True, related_name="articles"
    )

    class Meta:
        ordering = ["-published_on", "title"]

    def get_absolute_url(self):
        return reverse("pages:article_detail", kwargs={"slug": self.slug})


class Clinic(Content):
    city = models.CharField(max_length=100)
    summary = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    opening_hours = models.TextField(blank=True)
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


class Page(Content, MarkdownBody):
    """A simple editable page: the privacy notice, terms."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up each time the text changes; consent receipts record it.",
    )

    def get_absolute_url(self):
        return reverse("pages:page_detail", kwargs={"slug": self.slug})
