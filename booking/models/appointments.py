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
    # The emails that describe the appointment as booked: a later version supersedes them.
    BOOKED_KINDS = (Kind.CONFIRMATION, Kind.UPDATE, Kind.REMINDER)

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

    def reason_not_to_send(self, now=None) -> str:
        """
        Why this email should no longer go, as staff read it; "" if it should. Asked at
        send time (booking.tasks), so a reminder written weeks ago follows what happened
        since: rebooked, cancelled, closed, anonymised.
        """
        consultation_request = self.request
        now = now or timezone.now()
        if not consultation_request.may_be_emailed:
            return "the request emails nobody (spam or anonymised)"
        if (
            self.kind == self.Kind.CANCELLATION
            and consultation_request.appointment_uid != self.appointment_uid
        ):
            # Booked afresh since: the email would show the new booking's clinic with the
            # old time, and the new confirmation tells the patient where they stand.
            return "superseded by a new booking"
        if self.kind in self.BOOKED_KINDS:
            if consultation_request.status != ConsultationRequest.Status.BOOKED:
                return "the appointment was cancelled or the request closed"
            if (
                consultation_request.appointment_uid,
                consultation_request.appointment_sequence,
            ) != (
                self.appointment_uid,
                self.sequence,
            ):
                return "superseded by a later change"
            if self.kind == self.Kind.REMINDER and consultation_request.appointment_at <= now:
                return "the appointment time has passed"
        return ""
