"""The building blocks every content model shares: publishing, clinical review, SEO fields
and a Markdown body rendered to safe HTML."""

from django.db import models
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


class ClinicallyReviewed(models.Model):
    """Text a clinician may still need to check: staff see the flag, patients never do."""

    awaiting_clinical_review = models.BooleanField(
        default=False,
        help_text="Text that is not from clinically approved material and still needs a "
        "clinician to review it.",
    )

    class Meta:
        abstract = True


class ReviewedText(ClinicallyReviewed):
    """What every page patients read shares: its review state and its search-engine text."""

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

    # False for text shown under a heading of the page's own (an FAQ's answer).
    markdown_headings = True

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body, headings=self.markdown_headings)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
