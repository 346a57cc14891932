"""The clinic's locations."""

from django.db import models
from django.urls import reverse

from pages.models.base import Content


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
