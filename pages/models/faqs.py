"""Frequently asked questions: on a treatment's page, or general ones on /faqs/."""

from django.db import models
from django.urls import reverse

from pages.models.base import ClinicallyReviewed, MarkdownBody
from pages.models.treatments import Treatment
from pages.querysets import ContentQuerySet


class FAQQuerySet(ContentQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def general(self):
        """The questions not about one treatment: the FAQs page's."""
        return self.filter(treatment=None)


class FAQ(ClinicallyReviewed, MarkdownBody):
    """A question and its answer, shown in order on its treatment's page or on /faqs/."""

    treatment = models.ForeignKey(
        Treatment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="faqs",
        help_text="The treatment page it is shown on. Empty: a general question, shown on "
        "the FAQs page (/faqs/).",
    )
    question = models.CharField(max_length=255, help_text="As a patient would ask it.")
    body = models.TextField(
        "answer",
        help_text="Markdown, as in page bodies (lists, links, bold), without headings: the "
        "question is the heading.",
    )
    is_published = models.BooleanField(
        "published", default=False, help_text="Unpublished questions are never shown."
    )
    sort_order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are listed first."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FAQQuerySet.as_manager()

    # The question is the answer's heading: headings typed in an answer become paragraphs.
    markdown_headings = False

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        page = self.treatment.get_absolute_url() if self.treatment_id else reverse("pages:faq_list")
        return f"{page}#{self.anchor}"

    @property
    def anchor(self):
        """The id of the question's heading, so a link can point at it."""
        return f"faq-{self.pk}"
