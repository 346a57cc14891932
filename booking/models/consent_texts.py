"""The exact texts patients agreed to: each version of the consent wording and privacy notice."""

from django.db import models
from django.utils import timezone


class ConsentTextQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(ConsentText.IMMUTABLE)


class ConsentText(models.Model):
    """
    One version of a text a patient agrees to when they send a request, stored the first time
    someone agrees to it and never changed afterwards: requests point to it (PROTECT), so the
    clinic can always show what a patient agreed to. booking.consent stores them.
    """

    IMMUTABLE = "A consent text is a record of what patients agreed to and can't be changed."

    class Kind(models.TextChoices):
        CONSENT_WORDING = "consent_wording", "Consent wording"
        PRIVACY_NOTICE = "privacy_notice", "Privacy notice"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.CharField(
        max_length=20,
        help_text="The wording's short hash, or the privacy notice's version number.",
    )
    title = models.CharField(max_length=200, blank=True, help_text="The privacy notice's title.")
    text = models.TextField(help_text="The wording, or the privacy notice's text (Markdown).")
    text_changed_at = models.DateTimeField(
        "last updated",
        null=True,
        blank=True,
        help_text="The privacy notice's “last updated” time for this version.",
    )
    created_at = models.DateTimeField(
        "first agreed to", default=timezone.now, help_text="When a patient first agreed to it."
    )

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="one_consent_text_per_version")
        ]

    def __str__(self):
        if self.kind == self.Kind.PRIVACY_NOTICE:
            return f"Privacy notice, version {self.version}"
        return f"Consent wording, version {self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(self.IMMUTABLE)
        super().save(*args, **kwargs)
