import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import dateformat, timezone

logger = logging.getLogger(__name__)

# How far either side of a request to look for others from the same email or phone.
DUPLICATE_WINDOW = timedelta(days=90)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except the dates in settings.BOOKING_CLOSED_DATES (bank holidays)."""
    return day.weekday() < 5 and day not in getattr(settings, "BOOKING_CLOSED_DATES", ())


def response_deadline(start: datetime, *, clinical_priority: bool = False) -> datetime:
    """
    When a request received at `start` should have been answered.

    BOOKING_RESPONSE_HOURS (BOOKING_PRIORITY_RESPONSE_HOURS for a clinical priority) are
    counted on working days only, in clinic time: hours that fall on a Saturday, Sunday or
    closed date don't count. With the default 24 hours, a request sent on Monday at 10:00 is
    due on Tuesday at 10:00, one sent on Friday at 16:00 is due on Monday at 16:00, and one
    sent at the weekend is due at the end of Monday.
    """
    if clinical_priority:
        hours = settings.BOOKING_PRIORITY_RESPONSE_HOURS
    else:
        hours = settings.BOOKING_RESPONSE_HOURS
    remaining = timedelta(hours=max(hours, 0))
    clinic_tz = timezone.get_default_timezone()
    # Arithmetic between datetimes sharing one tzinfo is wall-clock time, which is what a
    # "working day" means across the clock changes in March and October.
    current = timezone.localtime(start, clinic_tz)
    while True:
        next_midnight = datetime.combine(current.date() + timedelta(days=1), time.min, clinic_tz)
        if is_working_day(current.date()):
            available = next_midnight - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = next_midnight


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        """Requests someone still has to act on: not closed, not spam."""
        return self.exclude(status__in=ConsultationRequest.CLOSED_STATUSES)

    def overdue(self, now=None):
        """
        New requests past their respond-by time. The target is for the first answer: once
        staff have contacted, booked or closed a request, it can't be overdue.
        """
        return self.filter(
            status=ConsultationRequest.Status.NEW, respond_by__lt=now or timezone.now()
        )

    def not_overdue(self, now=None):
        return self.exclude(
            status=ConsultationRequest.Status.NEW, respond_by__lt=now or timezone.now()
        )

    def visible_to(self, user):
        """
        The requests `user` may see. Superusers see every request. Other staff see the
        requests for the clinics their StaffProfile links them to, plus those with no
        clinic preference. Staff linked to no clinic see nothing: an account set up
        without clinics fails closed instead of showing every clinic's patients.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        clinic_ids = StaffProfile.clinic_ids_for(user)
        if not clinic_ids:
            return self.none()
        return self.filter(Q(clinic_id__in=clinic_ids) | Q(clinic__isnull=True))

    def for_priority(self):
        """Clinical priority first, then oldest first: the order staff work through."""
        return self.order_by("-is_clinical_priority", "created_at", "pk")

    def counts_by_clinic(self, now=None):
        """{clinic id or None: {"new": n, "overdue": n, "priority": n}} for the admin home."""
        now = now or timezone.now()
        is_new = Q(status=ConsultationRequest.Status.NEW)
        is_open = ~Q(status__in=ConsultationRequest.CLOSED_STATUSES)
        rows = (
            self.order_by()
            .values("clinic")
            .annotate(
                new=Count("pk", filter=is_new),
                overdue=Count("pk", filter=is_new & Q(respond_by__lt=now)),
                priority=Count("pk", filter=is_open & Q(is_clinical_priority=True)),
            )
        )
        return {row.pop("clinic"): row for row in rows}


# The state fields of the two emails a request sends: to the clinic's staff and to the patient.
NOTIFICATION_FIELDS = ("staff_notification", "patient_notification")


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

    # The workflow, as data: each status and the statuses staff may move it to. Checked in
    # one place, check_transition(); the README has the table with the reasons.
    TRANSITIONS = {
        Status.NEW: (Status.CONTACTED, Status.BOOKED, Status.CLOSED, Status.SPAM),
        Status.CONTACTED: (Status.BOOKED, Status.CLOSED),
        # Booked to booked is a change of appointment.
        Status.BOOKED: (Status.BOOKED, Status.CLOSED),
        # Reopening a closed request puts it back in the queue as contacted.
        Status.CLOSED: (Status.CONTACTED,),
        # "Not spam": a request flagged by mistake goes back to the queue as new.
        Status.SPAM: (Status.NEW,),
    }
    # Statuses that take a request out of the queue.
    CLOSED_STATUSES = (Status.CLOSED, Status.SPAM)

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
    # NULL, not "", for requests without a token (e.g. rights-erased), so UNIQUE allows many.
    submission_token = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
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

    objects = ConsultationRequestQuerySet.as_manager()

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

    # --- Response target ---------------------------------------------------------------

    def default_respond_by(self) -> datetime:
        """The response target for this request under the current rule (response_deadline)."""
        return response_deadline(self.created_at, clinical_priority=self.is_clinical_priority)

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Still new after its respond-by time (see ConsultationRequestQuerySet.overdue)."""
        return (
            self.status == self.Status.NEW
            and self.respond_by is not None
            and self.respond_by < timezone.now()
        )

    # --- Workflow ----------------------------------------------------------------------

    def allowed_transitions(self) -> tuple[str, ...]:
        return self.TRANSITIONS.get(self.status, ())

    def check_transition(
        self, status, *, outcome="", appointment_at=None, appointment_clinic=None
    ) -> None:
        """
        Raise ValidationError (keyed by field) unless this request may move to `status`
        with these details: closing needs an outcome, booking needs a time and a clinic.
        """
        Status = self.Status
        if status not in Status.values:
            raise ValidationError({"status": f"“{status}” is not a status."})
        if status not in self.allowed_transitions():
            raise ValidationError(
                {
                    "status": f"A request that is {self.get_status_display().lower()} can’t be "
                    f"marked {Status(status).label.lower()}."
                }
            )
        errors = {}
        if status == Status.CLOSED:
            if not outcome:
                errors["outcome"] = "Choose an outcome to close the request."
            elif outcome not in self.Outcome.values:
                errors["outcome"] = f"“{outcome}” is not an outcome."
            elif outcome == self.Outcome.ATTENDED and self.status != Status.BOOKED:
                errors["outcome"] = "Only a booked request can be closed as attended."
        elif outcome:
            errors["outcome"] = "Choose an outcome only when closing the request."
        if status == Status.BOOKED:
            if appointment_at is None:
                errors["appointment_at"] = "Enter the appointment date and time."
            elif timezone.localdate(appointment_at) < timezone.localdate():
                errors["appointment_at"] = "The appointment can’t be in the past."
            if appointment_clinic is None:
                errors["appointment_clinic"] = "Choose the clinic the appointment is at."
        elif appointment_at is not None or appointment_clinic is not None:
            errors["appointment_at"] = "Enter an appointment only when booking."
        if errors:
            raise ValidationError(errors)

    def transition_to(
        self, status, *, by, note="", outcome="", appointment_at=None, appointment_clinic=None
    ) -> "RequestEvent":
        """
        Move the request to `status` if the workflow allows it, and record who did it.

        The row is locked and re-read first, so two people acting on one request at once
        can't both move it from the same status. Raises ValidationError, changing nothing,
        when the move or its details aren't allowed.
        """
        Status = self.Status
        with transaction.atomic():
            current = type(self)._default_manager.select_for_update().get(pk=self.pk)
            current.check_transition(
                status,
                outcome=outcome,
                appointment_at=appointment_at,
                appointment_clinic=appointment_clinic,
            )
            from_status = current.status
            now = timezone.now()
            changes = {"status": status, "status_changed_at": now}
            details = ""
            if status == Status.CLOSED:
                changes["outcome"] = outcome
                details = f"Outcome: {self.Outcome(outcome).label}."
            elif status == Status.BOOKED:
                changes["appointment_at"] = appointment_at
                changes["appointment_clinic"] = appointment_clinic
                when = dateformat.format(timezone.localtime(appointment_at), "D j M Y, H:i")
                details = f"Appointment: {when} at {appointment_clinic}."
            if from_status == Status.CLOSED:
                changes["outcome"] = ""
            if status == Status.SPAM:
                changes["spam_reason"] = current.spam_reason or "Marked as spam by staff"
            elif from_status == Status.SPAM:
                changes["spam_reason"] = ""
            for field, value in changes.items():
                setattr(self, field, value)
            self.save(update_fields=list(changes))
            event = RequestEvent.objects.create(
                request=self,
                actor=by,
                created_at=now,
                action=RequestEvent.Action.STATUS,
                from_status=from_status,
                to_status=status,
                note="\n".join(part for part in (details, note.strip()) if part),
            )
        logger.info(
            "Request %s moved from %s to %s by user %s", self.pk, from_status, status, by.pk
        )
        if from_status == Status.SPAM:
            self.send_emails_held_back_as_spam()
        return event

    def notifications_in(self, state) -> list[str]:
        """Which of the request's emails (their state fields) are in `state`."""
        return [field for field in NOTIFICATION_FIELDS if getattr(self, field) == state]

    def send_emails_held_back_as_spam(self):
        """A request rescued from spam gets the emails a real request gets, once."""
        from booking.notifications import resend_notifications

        held_back = self.notifications_in(self.NotificationState.NOT_SENT)
        if held_back:
            resend_notifications(self, fields=held_back)

    def assign(self, to, *, by) -> bool:
        """
        Assign the request to `to` (None to unassign). Returns False if nothing changed.
        The assignee must be active staff who can work on this request.
        """
        with transaction.atomic():
            current = type(self)._default_manager.select_for_update().get(pk=self.pk)
            if current.assigned_to_id == (to.pk if to else None):
                self.assigned_to = current.assigned_to
                return False
            if to is not None and not current.can_be_handled_by(to):
                raise ValidationError(
                    {"assigned_to": f"{staff_name(to)} can’t work on this clinic’s requests."}
                )
            previous = current.assigned_to
            self.assigned_to = to
            self.save(update_fields=["assigned_to"])
            if to is None:
                text = f"Unassigned (was {staff_name(previous)})."
            elif previous is None:
                text = f"Assigned to {staff_name(to)}."
            else:
                text = f"Assigned to {staff_name(to)} (was {staff_name(previous)})."
            RequestEvent.objects.create(
                request=self, actor=by, action=RequestEvent.Action.ASSIGNED, note=text
            )
        return True

    def can_be_handled_by(self, user) -> bool:
        """Whether `user` may be assigned this request: active staff who can change and see it."""
        return (
            user.is_active
            and user.is_staff
            and user.has_perm("booking.change_consultationrequest")
            and type(self)._default_manager.visible_to(user).filter(pk=self.pk).exists()
        )

    def assignable_staff(self):
        """
        The people this request can be assigned to, for the assignment menu: active staff
        who can change requests and whose clinics cover this one (can_be_handled_by, as a
        query), plus whoever holds it now.
        """
        User = get_user_model()
        perm = {"codename": "change_consultationrequest", "content_type__app_label": "booking"}
        can_change = (
            Q(is_superuser=True)
            | Q(**{f"user_permissions__{key}": value for key, value in perm.items()})
            | Q(**{f"groups__permissions__{key}": value for key, value in perm.items()})
        )
        if self.clinic_id:
            sees_it = Q(is_superuser=True) | Q(staff_profile__clinics=self.clinic_id)
        else:
            sees_it = Q(is_superuser=True) | Q(staff_profile__clinics__isnull=False)
        eligible = User._default_manager.filter(
            can_change, sees_it, is_active=True, is_staff=True
        ).values("pk")
        return User._default_manager.filter(
            Q(pk__in=eligible) | Q(pk=self.assigned_to_id)
        ).order_by("first_name", "last_name", User.USERNAME_FIELD)

    def set_clinical_priority(self, value: bool, *, by) -> bool:
        """Flag or unflag a clinical priority; the response target follows. False if unchanged."""
        with transaction.atomic():
            current = type(self)._default_manager.select_for_update().get(pk=self.pk)
            if current.is_clinical_priority == value:
                return False
            self.is_clinical_priority = value
            self.respond_by = response_deadline(self.created_at, clinical_priority=value)
            self.save(update_fields=["is_clinical_priority", "respond_by"])
            RequestEvent.objects.create(
                request=self,
                actor=by,
                action=RequestEvent.Action.PRIORITY,
                note="Marked as a clinical priority." if value else "Clinical priority removed.",
            )
        return True

    def add_note(self, text: str, *, by) -> "RequestNote":
        """Add an internal note. Notes are append-only: there is no way to edit one."""
        text = text.strip()
        limit = RequestNote._meta.get_field("text").max_length
        if not text:
            raise ValidationError({"text": "Write the note before saving it."})
        if len(text) > limit:
            raise ValidationError({"text": f"A note can be at most {limit} characters."})
        return RequestNote.objects.create(request=self, author=by, text=text)

    def possible_duplicates(self):
        """Other requests with the same email or phone sent within 90 days of this one."""
        same_person = Q()
        if self.email:
            same_person |= Q(email__iexact=self.email)
        if self.phone:
            same_person |= Q(phone=self.phone)
        if not same_person:
            return type(self)._default_manager.none()
        return (
            type(self)
            ._default_manager.filter(
                same_person,
                created_at__gte=self.created_at - DUPLICATE_WINDOW,
                created_at__lte=self.created_at + DUPLICATE_WINDOW,
            )
            .exclude(pk=self.pk)
            .order_by("-created_at")
        )


def staff_name(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


class RequestEvent(models.Model):
    """One entry in a request's history: a status change, an assignment, an erasure."""

    class Action(models.TextChoices):
        # Not the field's choices: other parts of the site (erasure) record their own actions.
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assignment"
        PRIORITY = "priority", "Clinical priority"

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


class StaffProfile(models.Model):
    """Links a staff member to the clinics whose requests they handle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    clinics = models.ManyToManyField(
        "pages.Clinic",
        blank=True,
        help_text="This person sees only these clinics' consultation requests (and those with "
        "no clinic preference). With no clinic ticked they see none. Superusers see all.",
    )

    def __str__(self):
        return str(self.user)

    @staticmethod
    def clinic_ids_for(user) -> frozenset[int]:
        """The ids of the clinics `user` is linked to, read once per user object (request)."""
        cached = getattr(user, "_booking_clinic_ids", None)
        if cached is None:
            cached = frozenset(
                StaffProfile.clinics.through.objects.filter(staffprofile__user=user).values_list(
                    "clinic_id", flat=True
                )
            )
            user._booking_clinic_ids = cached
        return cached


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
