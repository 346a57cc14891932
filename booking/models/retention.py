"""Counts of what retention runs and erasures removed."""

from django.db import models
from django.utils import timezone

from booking.models.requests import ConsultationRequest


class RetentionRecord(models.Model):
    """How many requests one retention run or erasure removed: counts only, no personal data."""

    class Action(models.TextChoices):
        DELETED = "deleted", "Deleted"
        ANONYMISED = "anonymised", "Anonymised"

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam past its retention period"
        CLOSED = "closed", "Closed past its retention period"
        STALE_OPEN = "stale_open", "Open but untouched past its retention period"
        ERASURE = "erasure", "The person asked for erasure"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=30, choices=Reason.choices)
    status = models.CharField(
        max_length=20,
        choices=ConsultationRequest.Status.choices,
        help_text="The requests' status when removed.",
    )
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.count} {self.status} ({self.reason})"
