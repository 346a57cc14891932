"""Simple editable pages (the privacy notice, terms) and the home page's own words."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from pages.models.base import Content, MarkdownBody, ReviewedText


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
