"""
Images staff upload once and use anywhere: an article's or treatment's hero, a clinic's photo,
a team member's portrait. Each is stored re-encoded, as renditions of a few widths in WebP and
JPEG (PNG when it has transparency), under names made from a hash of its content, so they can
be cached for ever (pages/image_services.py stores them, pages/imaging.py makes them).
"""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models

from pages.querysets import ContentQuerySet

ALT_TEXT_HELP = (
    "What the image shows, for patients who can’t see it (screen readers read it out): one "
    "short sentence, such as “Dr Ross Perry examining a patient’s cheek”. Don’t start with "
    "“Image of”."
)
DECORATIVE_HELP = (
    "Tick only if the image adds nothing a patient needs (a texture, a pattern): screen "
    "readers then skip it. Leave the alt text empty when you tick it."
)


class Image(models.Model):
    """One uploaded image: its description and the renditions made of it."""

    class Fallback(models.TextChoices):
        JPEG = "jpg", "JPEG"
        PNG = "png", "PNG (has transparency)"

    title = models.CharField(
        max_length=120,
        help_text="For staff: how you find it in lists, e.g. “Bristol clinic reception”. "
        "Patients don’t see it.",
    )
    alt_text = models.CharField("alt text", max_length=250, blank=True, help_text=ALT_TEXT_HELP)
    is_decorative = models.BooleanField("decorative", default=False, help_text=DECORATIVE_HELP)
    # Set from the uploaded file (pages/image_services.py), never typed in.
    content_hash = models.CharField(max_length=16, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    fallback_format = models.CharField(
        max_length=3, choices=Fallback.choices, default=Fallback.JPEG, editable=False
    )
    rendition_widths = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Bulk writes also refresh the page cache (pages/querysets.py).
    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_decorative=True, alt_text="")
                | (models.Q(is_decorative=False) & ~models.Q(alt_text="")),
                name="image_alt_text_or_decorative",
                violation_error_message="Write alt text, or tick “decorative” (not both).",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        self.alt_text = " ".join(self.alt_text.split())
        if self.is_decorative and self.alt_text:
            raise ValidationError(
                {
                    "alt_text": "A decorative image has no alt text: clear this box, or untick "
                    "“decorative” if the image shows something patients need to know."
                }
            )
        if not self.is_decorative and not self.alt_text:
            raise ValidationError(
                {
                    "alt_text": "Describe what the image shows, for patients who can’t see it. "
                    "If it adds nothing a patient needs (a texture, a pattern), tick "
                    "“decorative” instead."
                }
            )

    @property
    def alt(self):
        """The `alt` attribute: empty for a decorative image, so screen readers skip it."""
        return "" if self.is_decorative else self.alt_text

    def master_name(self):
        return f"images/{self.content_hash}/original.{self.fallback_format}"

    def rendition_name(self, width, extension):
        return f"images/{self.content_hash}/{width}.{extension}"

    def file_names(self):
        """Every file stored for this image: the full-size master and each rendition."""
        names = [self.master_name()]
        for width in self.rendition_widths:
            names += [
                self.rendition_name(width, "webp"),
                self.rendition_name(width, self.fallback_format),
            ]
        return names

    def url(self, width, extension):
        return default_storage.url(self.rendition_name(width, extension))

    def srcset(self, extension):
        """ "…/320.webp 320w, …/640.webp 640w, …" for a `srcset` attribute."""
        return ", ".join(f"{self.url(w, extension)} {w}w" for w in self.rendition_widths)

    def fallback_url(self, *, largest=False):
        """
        The fallback rendition for `src`: the largest when asked (structured data wants a big
        image), otherwise the largest up to 960 px, for browsers that ignore `srcset`.
        """
        widths = self.rendition_widths
        if not largest:
            widths = [w for w in widths if w <= 960] or widths[:1]
        return self.url(widths[-1], self.fallback_format)

    def thumbnail_url(self):
        return self.url(self.rendition_widths[0], "webp")


def image_field(*, related_name: str, help_text: str) -> models.ForeignKey:
    """An optional image on a page; an image in use can't be deleted."""
    return models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=help_text,
    )
