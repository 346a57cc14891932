"""A request's history and its internal notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from booking.models.requests import ConsultationRequest


class RequestEvent(models.Model):
    """One entry in a request's history: a status change, an assignment, an erasure."""

    class Action(models.TextChoices):
        # Not the field's choices: other parts of the site (erasure) record their own actions.
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assignment"
        PRIORITY = "priority", "Clinical priority"
        CHANGE_REQUESTED = "change_requested", "Patient asked for a change"

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.request} {self.action}"

    def describe(self) -> str:
        """What happened, in words: "New → Contacted", "Assignment"."""
        if self.action == self.Action.STATUS:
            labels = dict(ConsultationRequest.Status.choices)
            before = labels.get(self.from_status, self.from_status)
            after = labels.get(self.to_status, self.to_status)
            if before == after:
                return f"{after} (changed)"
            return f"{before} → {after}"
        if self.action in self.Action.values:
            return self.Action(self.action).label
        return self.action.replace("_", " ").capitalize()


class RequestNote(models.Model):
    """An internal staff note: append-only, never edited."""

    request = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note on {self.request}"
