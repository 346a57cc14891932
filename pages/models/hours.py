"""
A clinic's opening hours (one row per range on a weekday) and closures (dated days off, such
as bank holidays). What they mean and how "open now" is worked out: pages/opening_hours.py.
"""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models

from pages import opening_hours
from pages.querysets import ContentQuerySet


class Weekday(models.IntegerChoices):
    # Numbered as Python's date.weekday().
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """The clinic is open on `weekday` from `opens` to `closes` (00:00: midnight, day's end)."""

    clinic = models.ForeignKey(
        "pages.Clinic", on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField("day", choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField(help_text="Midnight (00:00) is the end of the day.")

    # Bulk writes also refresh the page cache (pages/querysets.py).
    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = "opening hours"
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")) | models.Q(closes=time(0)),
                name="opening_hours_close_after_open",
            )
        ]

    def __str__(self):
        return (
            f"{self.get_weekday_display()} {opening_hours.describe_range(self.opens, self.closes)}"
        )

    def clean(self):
        if self.opens is None or self.closes is None:
            return
        if not opening_hours.closes_after_opens(self.opens, self.closes):
            raise ValidationError(
                {
                    "closes": "The closing time must be after the opening time. For hours "
                    "past midnight, close this day at midnight (00:00) and add the rest to "
                    "the next day."
                }
            )


class Closure(models.Model):
    """The clinic is closed from `starts_on` to `ends_on` (both included), whatever its hours."""

    clinic = models.ForeignKey("pages.Clinic", on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField("closed from")
    ends_on = models.DateField(
        "closed until", null=True, blank=True, help_text="The last day closed. Empty: one day."
    )
    reason = models.CharField(
        max_length=100, blank=True, help_text="Shown to patients, for example “Bank holiday”."
    )

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="closure_ends_after_it_starts",
            )
        ]

    def __str__(self):
        dates = f"{self.starts_on:%d/%m/%Y}"
        if self.ends_on and self.ends_on != self.starts_on:
            dates += f" to {self.ends_on:%d/%m/%Y}"
        return f"{dates}: {self.reason}" if self.reason else dates

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": "The last day closed can't be before the first. Empty: one day."}
            )
