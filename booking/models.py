from django.conf import settings
from django.db import models
from django.utils import timezone


class ConsultationRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        BOOKED = "booked", "Booked"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam"

    class Outcome(models.TextChoices):
        ATTENDED = "attended", "Attended"
        NOT_SUITABLE = "not_suitable", "Not suitable"
        NO_RESPONSE = "no_response", "No response"
        DUPLICATE = "duplicate", "Duplicate"
        DECLINED = "declined", "Patient declined"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"

    class RecentChange(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class NotificationState(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"
        NOT_SENT = "not_sent", "Not sent"

    # What the patient sent: read-only to staff.
    reference = models.CharField(max_length=10, unique=True, editable=False)
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +442073860464.")
    clinic = models.ForeignKey(
        "pages.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_requests",
        help_text="Preferred clinic; empty means no preference.",
    )
    treatment = models.ForeignKey(
        "pages.Treatment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_requests",
        help_text="Empty means the patient is not sure.",
    )
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    best_time_to_call = models.CharField(max_length=100, blank=True)
    recent_change = models.CharField(
        "changed, bled or itchy recently", max_length=10, choices=RecentChange.choices, blank=True
    )
    message = models.TextField(max_length=2000, blank=True)
    marketing_opt_in = models.BooleanField(default=False)
    confirmed_adult = models.BooleanField(default=False)
    consent_given_at = models.DateTimeField()
    consent_wording_version = models.CharField(max_length=20)
    privacy_notice_version = models.CharField(max_length=20)
    source_path = models.CharField(max_length=500, blank=True)
    submission_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    # Triage: what staff work with.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    spam_reason = models.CharField(max_length=100, blank=True)
    is_clinical_priority = models.BooleanField("clinical priority", default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_consultation_requests",
    )
    respond_by = models.DateTimeField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    appointment_clinic = models.ForeignKey(
        "pages.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    # Emails about the request, so staff can see a patient who never heard back.
    staff_notification = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    patient_notification = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )

    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-is_clinical_priority", "created_at"]
        permissions = [
            ("export_consultationrequest", "Can export consultation requests to CSV"),
            ("handle_rights_requests", "Can find, export and erase one person's data"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self):
        return self.reference


class RequestEvent(models.Model):
    """One entry in a request's history: a status change, an assignment, an erasure."""

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


class StaffProfile(models.Model):
    """Links a staff member to the clinics whose requests they handle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    clinics = models.ManyToManyField(
        "pages.Clinic",
        blank=True,
        help_text="Only these clinics' requests (and no-preference ones) are shown. "
        "Empty: all clinics.",
    )

    def __str__(self):
        return str(self.user)
