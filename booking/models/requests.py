"""A consultation request: what the patient sent, its triage state and its workflow rules."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from booking.models.insights_indexes import (
    INSIGHTS_COLUMNS,
    INSIGHTS_GROUPING_INDEXES,
    arrival_buckets,
)
from booking.models.staff import StaffProfile
from booking.working_hours import response_deadline

# How far either side of a request to look for others from the same email or phone.
DUPLICATE_WINDOW = timedelta(days=90)


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
        """
        {clinic id or None: {"new": n, "overdue": n, "priority": n, "change_requested": n}}
        for the admin home.
        """
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
                change_requested=Count("pk", filter=is_open & ~Q(change_request="")),
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
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"

    class RecentChange(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class ChangeRequest(models.TextChoices):
        # What a patient asked for through the link in their appointment emails.
        CANCEL = "cancel", "Cancel the appointment"
        NEW_TIME = "new_time", "Another time"

    class NotificationState(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"
        NOT_SENT = "not_sent", "Not sent"

    # The workflow, as data: each status and the statuses staff may move it to, checked by
    # check_transition(). docs/staff-guide.md has the table with the reasons.
    TRANSITIONS = {
        Status.NEW: (Status.CONTACTED, Status.BOOKED, Status.CLOSED, Status.SPAM),
        Status.CONTACTED: (Status.BOOKED, Status.CLOSED),
        # Booked to booked is a change of appointment; back to contacted cancels it and
        # leaves the request in the queue to agree another time.
        Status.BOOKED: (Status.BOOKED, Status.CONTACTED, Status.CLOSED),
        # Reopening a closed request puts it back in the queue as contacted.
        Status.CLOSED: (Status.CONTACTED,),
        # "Not spam": a request flagged by mistake goes back to the queue as new.
        Status.SPAM: (Status.NEW,),
    }
    # Statuses that take a request out of the queue.
    CLOSED_STATUSES = (Status.CLOSED, Status.SPAM)
    # Moving a new request to one of these is its first response (spam and back is not).
    RESPONSE_STATUSES = (Status.CONTACTED, Status.BOOKED, Status.CLOSED)
    # Outcomes that say what happened at the appointment, so only a booked request has them.
    APPOINTMENT_OUTCOMES = (Outcome.ATTENDED, Outcome.DID_NOT_ATTEND)

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
    # When the patient can usually come: comma-separated codes from booking.preferred_times
    # ("mon,sat", "morning,evening"); empty means any. Filtered with `contains`.
    preferred_days = models.CharField(max_length=30, blank=True)
    preferred_periods = models.CharField(max_length=30, blank=True)
    best_time_to_call = models.CharField("note about times", max_length=100, blank=True)
    recent_change = models.CharField(
        "changed, bled or itchy recently", max_length=10, choices=RecentChange.choices, blank=True
    )
    message = models.TextField(max_length=2000, blank=True)
    marketing_opt_in = models.BooleanField(default=False)
    confirmed_adult = models.BooleanField(default=False)
    # The consent receipt: when the patient agreed, and the exact texts they agreed to.
    consent_given_at = models.DateTimeField()
    consent_wording = models.ForeignKey(
        "booking.ConsentText",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "consent_wording"},
        editable=False,
    )
    privacy_notice = models.ForeignKey(
        "booking.ConsentText",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "privacy_notice"},
        editable=False,
        help_text="The privacy notice published when the patient agreed.",
    )
    source_path = models.CharField(max_length=500, blank=True)
    # NULL, not "", for requests without a token (e.g. rights-erased), so UNIQUE allows many.
    submission_token = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # When it arrived on London's clock, for Insights: set with created_at (set_arrival_buckets).
    arrival_week = models.DateField(editable=False)
    arrival_weekday = models.PositiveSmallIntegerField(editable=False)
    arrival_hour = models.PositiveSmallIntegerField(editable=False)

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
    appointment_with = models.ForeignKey(
        "pages.TeamMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    # The appointment's identity in the patient's calendar (iCalendar UID, new for each
    # booking made from scratch) and its version (SEQUENCE, one more for each change).
    appointment_uid = models.CharField(max_length=100, blank=True, editable=False)
    appointment_sequence = models.PositiveIntegerField(default=0, editable=False)
    # Set when the patient asks to cancel or change through their appointment link; cleared
    # when staff next change the request's status.
    change_request = models.CharField(max_length=10, choices=ChangeRequest.choices, blank=True)
    change_requested_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The first answer: when the request first left "new" for contacted, booked or closed, and
    # the working time that took (working_time_between), for the response figures in Insights.
    first_response_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # When the request first reached contacted (or booked), and first reached booked: kept when
    # it is reopened, so Insights counts what requests ever reached without reading history.
    contacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    booked_at = models.DateTimeField(null=True, blank=True, editable=False)

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
            ("view_insights", "Can view insights"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # Insights: every column the figures read, after the date range they filter on, so
            # SQLite answers them from this index alone instead of from the wide rows (about a
            # fifth faster with a year of 100,000 requests; PostgreSQL reads the table for a
            # long range either way). Response by clinic reads it; the other figures read
            # their own grouping index (INSIGHTS_GROUPING_INDEXES) when there is one.
            models.Index(fields=INSIGHTS_COLUMNS, name="booking_insights_cover_idx"),
            *INSIGHTS_GROUPING_INDEXES,
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self):
        return self.reference

    def set_arrival_buckets(self) -> None:
        """Store when the request arrived on London's clock (arrival_buckets): call it
        whenever created_at is set."""
        for field, value in arrival_buckets(self.created_at).items():
            setattr(self, field, value)

    # --- Response target ---------------------------------------------------------------

    def default_respond_by(self) -> datetime:
        """The response target for this request under the current rule (response_deadline)."""
        return response_deadline(
            self.created_at, clinical_priority=self.is_clinical_priority, clinic=self.clinic
        )

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

    def milestones_reached(self, status: str, at: datetime) -> dict:
        """The milestones (contacted_at, booked_at) a move to `status` at `at` reaches for the
        first time, as field values to save; booking a patient means someone contacted them."""
        reached = {}
        if status in (self.Status.CONTACTED, self.Status.BOOKED) and self.contacted_at is None:
            reached["contacted_at"] = at
        if status == self.Status.BOOKED and self.booked_at is None:
            reached["booked_at"] = at
        return reached

    def check_transition(
        self,
        status,
        *,
        outcome="",
        appointment_at=None,
        appointment_clinic=None,
        appointment_with=None,
    ) -> None:
        """
        Raise ValidationError (keyed by field) unless this request may move to `status`
        with these details: closing needs an outcome, booking needs a time and a clinic,
        and the team member seen, if named, must be published and (when their profile
        lists clinics) work at that clinic.
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
            elif outcome in self.APPOINTMENT_OUTCOMES and self.status != Status.BOOKED:
                label = self.Outcome(outcome).label.lower()
                errors["outcome"] = f"Only a booked request can be closed as “{label}”."
        elif outcome:
            errors["outcome"] = "Choose an outcome only when closing the request."
        if status == Status.BOOKED:
            if appointment_at is None:
                errors["appointment_at"] = "Enter the appointment date and time."
            elif timezone.localdate(appointment_at) < timezone.localdate():
                errors["appointment_at"] = "The appointment can’t be in the past."
            if appointment_clinic is None:
                errors["appointment_clinic"] = "Choose the clinic the appointment is at."
            if appointment_with is not None:
                if not appointment_with.is_published:
                    errors["appointment_with"] = (
                        f"{appointment_with} has no published profile: choose someone else "
                        "or nobody."
                    )
                elif appointment_clinic is not None and not appointment_with.works_at(
                    appointment_clinic
                ):
                    errors["appointment_with"] = (
                        f"{appointment_with} doesn’t work at {appointment_clinic}."
                    )
        elif appointment_at is not None or appointment_clinic is not None:
            errors["appointment_at"] = "Enter an appointment only when booking."
        elif appointment_with is not None:
            errors["appointment_with"] = "Choose a team member only when booking."
        if errors:
            raise ValidationError(errors)

    @property
    def may_be_emailed(self) -> bool:
        """Suspected spam and anonymised requests email nobody (see booking.notifications)."""
        return self.status != self.Status.SPAM and self.anonymised_at is None

    def notifications_in(self, state) -> list[str]:
        """Which of the request's emails (their state fields) are in `state`."""
        return [field for field in NOTIFICATION_FIELDS if getattr(self, field) == state]

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
