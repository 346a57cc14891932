"""The emails about a booked appointment: confirmation, update, cancellation and reminder."""

from django.db import models
from django.utils import timezone

from booking.models.requests import ConsultationRequest


class AppointmentEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(state__in=AppointmentEmail.UNSENT_STATES)


class AppointmentEmail(models.Model):
    """
    One email about one version of a request's appointment, and what became of it.

    A row is written in the transaction that books, changes or cancels the appointment (or
    takes the patient's change request) and the task that sends it reads it back: staff see
    every appointment email's state on the request. A reminder waits until `due_at`; it is
    sent only while the appointment is still the version (`appointment_uid`, `sequence`) it
    was made for, and claiming it (`pending` → `sending`, one UPDATE) makes sure no two
    workers send it.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        UPDATE = "update", "Updated appointment"
        CANCELLATION = "cancellation", "Cancellation"
        REMINDER = "reminder", "Reminder"
        # To the clinic's inbox, when the patient asks to cancel or change through their link.
        CHANGE_REQUEST = "change_request", "Change request (to the clinic)"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"
        NOT_SENT = "not_sent", "Not sent"

    UNSENT_STATES = (State.PENDING, State.RETRYING)

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="appointment_emails"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    appointment_uid = models.CharField(max_length=100)
    sequence = models.PositiveIntegerField()
    # The appointment as this email describes it (the request may have moved on since).
    appointment_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Why a "not sent" email wasn't sent: superseded, request closed, anonymised…
    state_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When it should go: now for most, the configured time before the appointment for reminders.
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentEmailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One email of each kind per version of an appointment: a second copy of a
            # reminder can't even be written.
            models.UniqueConstraint(
                fields=["request", "kind", "appointment_uid", "sequence"],
                name="one_appointment_email_per_kind_and_version",
            )
        ]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.request}"
