"""Skin advice: articles, each naming the clinician who wrote it and the one who reviewed it."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from pages.models.base import Content, MarkdownBody
from pages.models.images import image_field
from pages.models.team import TeamMember
from pages.models.treatments import Treatment


class Article(Content, MarkdownBody):
    """Skin advice: the clinic's own articles and press features quoting its doctors."""

    standfirst = models.TextField(
        blank=True, help_text="The short introduction shown under the title and in lists."
    )
    hero_image = image_field(
        related_name="article_heroes",
        help_text="Shown large at the top of the article. Optional.",
    )
    author = models.ForeignKey(
        TeamMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authored_articles",
        help_text="The clinician who wrote the advice or is quoted: shown as the author.",
    )
    reviewer = models.ForeignKey(
        TeamMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_articles",
        verbose_name="clinical reviewer",
        help_text="The clinician who checked the advice: shown as its clinical reviewer.",
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
