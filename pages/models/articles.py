"""Skin advice: articles and the clinicians who write or are quoted in them."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from pages.models.base import Content, MarkdownBody
from pages.models.treatments import Treatment
from pages.querysets import ContentQuerySet


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
