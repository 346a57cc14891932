"""
Staff triage of consultation requests in the Django admin.

The admin is thin: every change goes through the model's workflow methods
(transition_to, assign, set_clinical_priority, add_note), which enforce the rules and
write the history. Every view starts from get_queryset(), which only holds the
requests the signed-in person's clinics cover.
"""

import csv
import logging
import re

import phonenumbers
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from booking.models import (
    NOTIFICATION_FIELDS,
    ConsultationRequest,
    RequestEvent,
    RequestNote,
    StaffProfile,
    staff_name,
)
from booking.notifications import resend_notifications
from pages.models import Clinic, Treatment

logger = logging.getLogger(__name__)

Status = ConsultationRequest.Status
NotificationState = ConsultationRequest.NotificationState
User = get_user_model()

# Only terms that look like a phone number are parsed as one: phonenumbers would otherwise
# read letters as keypad digits ("CSC-7K3M9Q").
PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,}$")
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# How many per-row failures an action lists before summarising the rest.
MAX_LISTED_FAILURES = 10


# --- Small display helpers ------------------------------------------------------------


def phone_search_value(term: str) -> str | None:
    """The E.164 form of a phone number typed in any format, or None if it isn't one."""
    term = term.strip()
    if not PHONE_LIKE.match(term):
        return None
    try:
        number = phonenumbers.parse(term, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_people(e164: str) -> str:
    """UK numbers as staff dial them ("07700 900123"), others internationally."""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def age_in_words(delta) -> str:
    """ "now", "12 min", "3 h", "2 d": how long a patient has been waiting, at a glance."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "now"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def local_time(value) -> str:
    return date_format(timezone.localtime(value), "D j M Y, H:i")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def status_badge(obj) -> str:
    # The label is always written out: the colour only repeats what the text says.
    label = obj.get_status_display()
    if obj.status == Status.CLOSED and obj.outcome:
        label = f"{label}: {obj.get_outcome_display()}"
    return format_html('<span class="triage-badge triage-badge--{}">{}</span>', obj.status, label)


# --- Queue filters -----------------------------------------------------------------------


def id_from_filter(value):
    """A filter's id from the query string, or None for anything else ("²", 10**30, "abc")."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


class StatusFilter(admin.SimpleListFilter):
    """Status, defaulting to "Open" (new, contacted or booked). A search looks in every status,
    so a patient calling back about a closed request is still found."""

    title = "status"
    parameter_name = "status"

    def __init__(self, request, params, model, model_admin):
        self.searching = bool(request.GET.get(SEARCH_VAR, "").strip())
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("open", "Open"), *Status.choices, ("all", "All")]

    def effective_value(self):
        value = self.value()
        if value in {"open", "all", *Status.values}:
            return value
        return "all" if self.searching else "open"

    def choices(self, changelist):
        selected = self.effective_value()
        for value, label in self.lookup_choices:
            yield {
                "selected": selected == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.effective_value()
        if value == "open":
            return queryset.open()
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class PriorityFilter(admin.SimpleListFilter):
    title = "clinical priority"
    parameter_name = "priority"

    def lookups(self, request, model_admin):
        return [("yes", "Clinical priority"), ("no", "Routine")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_clinical_priority=True)
        if self.value() == "no":
            return queryset.filter(is_clinical_priority=False)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "response target"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


class EmailProblemFilter(admin.SimpleListFilter):
    """Requests whose staff or patient email failed or is still being retried."""

    title = "emails"
    parameter_name = "emails"

    def lookups(self, request, model_admin):
        return [("failed", "An email failed"), ("retrying", "An email is being retried")]

    def queryset(self, request, queryset):
        state = self.value()
        if state in {"failed", "retrying"}:
            return queryset.filter(Q(staff_notification=state) | Q(patient_notification=state))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        # Only people who hold requests this user can see: no list of every staff account.
        assignees = (
            User.objects.filter(
                assigned_consultation_requests__in=model_admin.get_queryset(request)
            )
            .exclude(pk=request.user.pk)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        return [
            ("me", "Assigned to me"),
            ("none", "Unassigned"),
            *((str(user.pk), staff_name(user)) for user in assignees),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if pk := id_from_filter(value):
            return queryset.filter(assigned_to_id=pk)
        return queryset


class ClinicFilter(admin.SimpleListFilter):
    title = "preferred clinic"
    parameter_name = "clinic"

    def lookups(self, request, model_admin):
        clinics = Clinic.objects.all()
        if not request.user.is_superuser:
            clinics = clinics.filter(pk__in=StaffProfile.clinic_ids_for(request.user))
        return [*((str(clinic.pk), str(clinic)) for clinic in clinics), ("none", "No preference")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(clinic__isnull=True)
        if pk := id_from_filter(value):
            return queryset.filter(clinic_id=pk)
        return queryset


class TreatmentFilter(admin.SimpleListFilter):
    title = "treatment"
    parameter_name = "treatment"

    def lookups(self, request, model_admin):
        return [
            *((str(treatment.pk), str(treatment)) for treatment in Treatment.objects.all()),
            ("none", "Not sure"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(treatment__isnull=True)
        if pk := id_from_filter(value):
            return queryset.filter(treatment_id=pk)
        return queryset


# --- The request page's form ---------------------------------------------------------


class TriageForm(forms.ModelForm):
    """
    Assignment, the clinical-priority flag and a status change. Nothing here is saved by
    the form itself: ConsultationRequestAdmin.save_model calls the workflow methods.
    """

    new_status = forms.ChoiceField(label="Change status to", required=False)
    close_outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "---------"), *ConsultationRequest.Outcome.choices],
        help_text="Needed to close the request.",
    )
    appointment_time = forms.SplitDateTimeField(
        label="Appointment",
        required=False,
        widget=AdminSplitDateTime,
        help_text="Needed to book: the date and time of the appointment.",
    )
    booked_clinic = forms.ModelChoiceField(
        label="Appointment clinic",
        queryset=Clinic.objects.all(),
        required=False,
        help_text="Needed to book.",
    )
    status_note = forms.CharField(
        label="Note for the history",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Optional: what happened, e.g. “Spoke to the patient, will call back”.",
    )

    # Which form field shows an error the workflow reports against a model field.
    ERROR_FIELDS = {
        "status": "new_status",
        "outcome": "close_outcome",
        "appointment_at": "appointment_time",
        "appointment_clinic": "booked_clinic",
    }

    class Meta:
        model = ConsultationRequest
        fields = ["assigned_to", "is_clinical_priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "new_status" in self.fields:
            self.fields["new_status"].choices = [
                ("", "No change"),
                *((status, self.status_choice_label(status)) for status in self.allowed()),
            ]
        if "assigned_to" in self.fields:
            field = self.fields["assigned_to"]
            field.queryset = self.instance.assignable_staff()
            field.label_from_instance = staff_name
            field.empty_label = "Nobody"
        if "booked_clinic" in self.fields:
            self.fields["booked_clinic"].initial = (
                self.instance.appointment_clinic_id or self.instance.clinic_id
            )

    def allowed(self):
        return self.instance.allowed_transitions()

    def status_choice_label(self, status):
        current = self.instance.status
        if status == current == Status.BOOKED:
            return "Booked: change the appointment"
        if current == Status.CLOSED:
            return f"Reopen as {Status(status).label.lower()}"
        if current == Status.SPAM:
            return "Not spam: back to the queue as new"
        return Status(status).label

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("new_status")
        outcome = cleaned.get("close_outcome") or ""
        appointment_at = cleaned.get("appointment_time")
        appointment_clinic = cleaned.get("booked_clinic")
        if not status:
            if outcome:
                self.add_error("new_status", "Choose “Closed” to record an outcome.")
            if appointment_at:
                self.add_error("new_status", "Choose “Booked” to record an appointment.")
            return cleaned
        if status != Status.BOOKED:
            # The clinic is filled in for convenience; only a time means staff meant it.
            appointment_clinic = None
        try:
            self.instance.check_transition(
                status,
                outcome=outcome,
                appointment_at=appointment_at,
                appointment_clinic=appointment_clinic,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(self.ERROR_FIELDS.get(field), field_errors)
        cleaned["booked_clinic"] = appointment_clinic
        return cleaned


# --- Inlines --------------------------------------------------------------------------


class RequestNoteInline(admin.TabularInline):
    """Notes are append-only: new ones can be added; existing ones can't be edited or deleted."""

    model = RequestNote
    fields = ["written", "author_name", "text"]
    readonly_fields = ["written", "author_name"]
    extra = 1
    can_delete = False
    verbose_name = "internal note"
    verbose_name_plural = "internal notes (staff only, can’t be edited once saved)"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="written")
    def written(self, note):
        return local_time(note.created_at) if note.pk else ""

    @admin.display(description="by")
    def author_name(self, note):
        return staff_name(note.author) if note.pk else ""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(
                attrs={"rows": 2, "cols": 80, "aria-label": "New internal note"}
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class RequestEventInline(admin.TabularInline):
    """The request's history: read-only, oldest first."""

    model = RequestEvent
    fields = ["when", "actor_name", "what", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "history entry"
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="when")
    def when(self, event):
        return local_time(event.created_at)

    @admin.display(description="by")
    def actor_name(self, event):
        return staff_name(event.actor) if event.actor_id else "The website"

    @admin.display(description="what")
    def what(self, event):
        return event.describe()


# --- Consultation requests -----------------------------------------------------------


# The request page's layout; a tuple is one line. Everything the patient sent is read-only.
PATIENT_FIELDS = [
    ("reference", "received"),
    ("full_name", "phone_link", "email_link"),
    ("contact_method", "best_time_to_call"),
]
ASKED_FIELDS = [
    ("clinic_name", "treatment_name", "recent_change"),
    "message",
    ("confirmed_adult", "marketing_opt_in", "source_path"),
]
CONSENT_FIELDS = [("consent_given_at", "consent_wording_version", "privacy_notice_version")]
RECORD_FIELDS = [
    NOTIFICATION_FIELDS,
    ("status_changed_at", "spam_reason"),
]
TRIAGE_FIELDS = [("status_summary", "respond_by_summary"), ("assigned_to", "is_clinical_priority")]
STATUS_FORM_FIELDS = [
    ("new_status", "close_outcome"),
    ("appointment_time", "booked_clinic"),
    "status_note",
]
EDITABLE_FIELDS = {"assigned_to", "is_clinical_priority"}


def field_names(layout):
    for line in layout:
        yield from line if isinstance(line, tuple) else [line]


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "patient",
        "treatment_name",
        "clinic_name",
        "status_display",
        "age",
        "assignee",
        "priority_marker",
        "respond_by_display",
    ]
    list_filter = [
        StatusFilter,
        PriorityFilter,
        OverdueFilter,
        AssigneeFilter,
        EmailProblemFilter,
        ClinicFilter,
        TreatmentFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["reference", "full_name", "email", "phone"]
    search_help_text = "Search by reference, name, email or phone number (any format)."
    date_hierarchy = "created_at"
    readonly_fields = [
        *field_names(PATIENT_FIELDS),
        *field_names(ASKED_FIELDS),
        *field_names(CONSENT_FIELDS),
        *field_names(RECORD_FIELDS),
        *(name for name in field_names(TRIAGE_FIELDS) if name not in EDITABLE_FIELDS),
        "duplicates",
    ]
    fieldsets = [
        ("Patient", {"fields": PATIENT_FIELDS}),
        ("What they asked for", {"fields": ASKED_FIELDS}),
        ("Triage", {"fields": TRIAGE_FIELDS}),
        (
            "Update status",
            {
                "fields": STATUS_FORM_FIELDS,
                "description": "Closing needs an outcome; booking needs the appointment "
                "time and clinic. The change and your note go into the history below.",
            },
        ),
        ("Other requests from this patient", {"fields": ["duplicates"]}),
        ("Consent receipt", {"fields": CONSENT_FIELDS, "classes": ["collapse"]}),
        ("Emails and record", {"fields": RECORD_FIELDS, "classes": ["collapse"]}),
    ]
    form = TriageForm
    inlines = [RequestNoteInline, RequestEventInline]
    list_select_related = ["clinic", "treatment", "assigned_to"]
    ordering = ["-is_clinical_priority", "created_at"]
    actions = [
        "assign_to_me",
        "mark_contacted",
        "mark_spam",
        "mark_not_spam",
        "resend_failed_emails",
        "export_csv",
    ]
    list_per_page = 50
    empty_value_display = "—"

    # --- Scoping: one queryset for every view, search, action and export.

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        # Another clinic's request answers 404, the same as one that doesn't exist (Django's
        # default for both is a redirect to the admin home, which hides the page less plainly).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such consultation request.")
        obj.viewer = request.user
        return obj

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_search_value(search_term)
        if phone:
            results |= queryset.filter(phone=phone)
        return results, may_have_duplicates

    # --- Permissions

    def has_add_permission(self, request):
        # Requests come from patients through the website, with their own consent receipt.
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "assigned_to":
            # A plain menu of colleagues: no "add/change/delete user" icons beside it.
            formfield.widget = getattr(formfield.widget, "widget", formfield.widget)
        return formfield

    def has_export_permission(self, request):
        return request.user.has_perm("booking.export_consultationrequest")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            fieldsets = [fs for fs in fieldsets if fs[0] != "Update status"]
        return fieldsets

    # --- The queue's columns

    @admin.display(description="patient", ordering="full_name")
    def patient(self, obj):
        return obj.full_name

    @admin.display(description="treatment", ordering="treatment__title")
    def treatment_name(self, obj):
        return str(obj.treatment) if obj.treatment_id else "Not sure"

    @admin.display(description="clinic", ordering="clinic__title")
    def clinic_name(self, obj):
        return str(obj.clinic) if obj.clinic_id else "No preference"

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        return status_badge(obj)

    @admin.display(description="waiting", ordering="-created_at")
    def age(self, obj):
        return age_in_words(timezone.now() - obj.created_at)

    @admin.display(description="assigned to", ordering="assigned_to__first_name")
    def assignee(self, obj):
        return staff_name(obj.assigned_to) if obj.assigned_to_id else "—"

    @admin.display(description="priority", ordering="-is_clinical_priority")
    def priority_marker(self, obj):
        if not obj.is_clinical_priority:
            return ""
        return format_html('<span class="triage-flag triage-flag--priority">{}</span>', "Clinical")

    @admin.display(description="respond by", ordering="respond_by")
    def respond_by_display(self, obj):
        # The target is for the first answer: only new requests are waiting for one.
        if obj.status != Status.NEW or obj.respond_by is None:
            return "—"
        when = date_format(timezone.localtime(obj.respond_by), "D j M, H:i")
        if obj.is_overdue:
            return format_html(
                '<span class="triage-flag triage-flag--overdue">Overdue</span> {}', when
            )
        return when

    # --- The request page's read-only parts

    @admin.display(description="received")
    def received(self, obj):
        return format_html(
            "{} ({} ago)", local_time(obj.created_at), age_in_words(timezone.now() - obj.created_at)
        )

    @admin.display(description="phone")
    def phone_link(self, obj):
        if not obj.phone:
            return "—"
        return format_html('<a href="tel:{}">{}</a>', obj.phone, phone_for_people(obj.phone))

    @admin.display(description="email")
    def email_link(self, obj):
        if not obj.email:
            return "—"
        return format_html('<a href="mailto:{}">{}</a>', obj.email, obj.email)

    @admin.display(description="status")
    def status_summary(self, obj):
        parts = [status_badge(obj)]
        if obj.is_clinical_priority:
            parts.append(
                format_html(
                    ' <span class="triage-flag triage-flag--priority">{}</span>',
                    "Clinical priority",
                )
            )
        if obj.status == Status.BOOKED and obj.appointment_at:
            parts.append(
                format_html(
                    " {} at {}", local_time(obj.appointment_at), obj.appointment_clinic or "—"
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description="respond by")
    def respond_by_summary(self, obj):
        if obj.respond_by is None:
            return "—"
        if obj.status != Status.NEW:
            return format_html("Answered (the target was {})", local_time(obj.respond_by))
        if obj.is_overdue:
            return format_html(
                '<span class="triage-flag triage-flag--overdue">Overdue</span> since {}',
                local_time(obj.respond_by),
            )
        return local_time(obj.respond_by)

    @admin.display(description="within 90 days")
    def duplicates(self, obj):
        viewer = getattr(obj, "viewer", None)
        if viewer is None:
            return "—"
        others = (
            obj.possible_duplicates()
            .visible_to(viewer)
            .select_related("clinic")
            .only("pk", "reference", "created_at", "status", "outcome", "clinic", "email")[:20]
        )
        if not others:
            return "None found with the same email or phone."
        return format_html(
            '<ul class="triage-duplicates">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> {} · {} · {} · same {}</li>',
                (
                    (
                        reverse("admin:booking_consultationrequest_change", args=[other.pk]),
                        other.reference,
                        local_time(other.created_at),
                        status_badge(other),
                        str(other.clinic) if other.clinic_id else "No preference",
                        "email" if other.email.lower() == obj.email.lower() else "phone",
                    )
                    for other in others
                ),
            ),
        )

    # --- Saving: through the workflow only

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if "is_clinical_priority" in form.changed_data:
                obj.set_clinical_priority(data["is_clinical_priority"], by=request.user)
            if "assigned_to" in form.changed_data:
                obj.assign(data["assigned_to"], by=request.user)
            if data.get("new_status"):
                obj.transition_to(
                    data["new_status"],
                    by=request.user,
                    note=data.get("status_note", ""),
                    outcome=data.get("close_outcome") or "",
                    appointment_at=data.get("appointment_time"),
                    appointment_clinic=data.get("booked_clinic"),
                )
        except ValidationError as error:
            # Someone else changed the request between this form loading and being sent.
            self.message_user(request, "Not saved: " + " ".join(error.messages), messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RequestNote:
            return super().save_formset(request, form, formset, change)
        added = [
            form.instance.add_note(note.text, by=request.user)
            for note in formset.save(commit=False)
            if note.pk is None
        ]
        formset.new_objects = added
        return None

    # --- "Assign to me" button on the request page

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assign-to-me/",
                self.admin_site.admin_view(self.assign_to_me_view),
                name="booking_consultationrequest_assign_to_me",
            ),
            *super().get_urls(),
        ]

    def assign_to_me_view(self, request, object_id):
        return require_POST(self._assign_to_me)(request, object_id)

    def _assign_to_me(self, request, object_id):
        obj = self.get_object(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            changed = obj.assign(request.user, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            if changed:
                self.message_user(request, f"{obj.reference} is assigned to you.")
        return HttpResponseRedirect(
            reverse("admin:booking_consultationrequest_change", args=[obj.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        try:
            obj = self.get_object(request, object_id)
        except Http404:
            obj = None
        if obj is not None:
            extra_context["can_assign_to_me"] = (
                obj.assigned_to_id != request.user.pk
                and self.has_change_permission(request, obj)
                and obj.can_be_handled_by(request.user)
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # The queue needs the width more than a menu with one entry.
        extra_context = {
            "is_nav_sidebar_enabled": False,
            "title": "Consultation requests",
            **(extra_context or {}),
        }
        user = request.user
        if (
            request.method == "GET"
            and not user.is_superuser
            and not StaffProfile.clinic_ids_for(user)
        ):
            self.message_user(
                request,
                "Your account isn’t linked to a clinic yet, so no requests are shown. "
                "Ask a clinic manager to link it.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    # --- Actions: the same workflow methods as the request page

    def apply_to_each(self, request, queryset, change, done):
        """Run `change(obj)` on each selected request, then report successes and failures."""
        changed, unchanged, failures = 0, 0, []
        for obj in queryset.select_related(None).order_by("created_at"):
            try:
                if change(obj) is False:
                    unchanged += 1
                else:
                    changed += 1
            except ValidationError as error:
                failures.append(f"{obj.reference}: {' '.join(error.messages)}")
        if changed:
            noun = "request" if changed == 1 else "requests"
            self.message_user(request, f"{changed} {noun} {done}.", messages.SUCCESS)
        if unchanged:
            self.message_user(request, f"{unchanged} already {done}.", messages.INFO)
        if failures:
            listed = failures[:MAX_LISTED_FAILURES]
            more = len(failures) - len(listed)
            text = "Not changed: " + "; ".join(listed)
            if more:
                text += f"; and {more} more"
            self.message_user(request, text + ".", messages.ERROR)

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda obj: obj.assign(request.user, by=request.user),
            "assigned to you",
        )

    @admin.action(description="Mark as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda obj: obj.transition_to(Status.CONTACTED, by=request.user),
            "marked as contacted",
        )

    @admin.action(description="Mark as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda obj: obj.transition_to(Status.SPAM, by=request.user),
            "marked as spam",
        )

    @admin.action(description="Not spam: put back in the queue", permissions=["change"])
    def mark_not_spam(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda obj: obj.transition_to(Status.NEW, by=request.user),
            "put back in the queue",
        )

    @admin.action(description="Send failed emails again", permissions=["change"])
    def resend_failed_emails(self, request, queryset):
        resent = 0
        for obj in queryset.exclude(status=Status.SPAM):
            failed = obj.notifications_in(NotificationState.FAILED)
            if failed:
                resend_notifications(obj, fields=failed)
                resent += 1
        if resent:
            self.message_user(
                request, f"Emails queued again for {resent} request(s).", messages.SUCCESS
            )
        else:
            self.message_user(request, "None of the selected requests had a failed email.")

    @admin.action(description="Export selected to CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        rows = queryset.select_related(
            "clinic", "treatment", "assigned_to", "appointment_clinic"
        ).for_priority()
        filename = f"consultation-requests-{timezone.localdate().isoformat()}.csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # A byte-order mark so Excel reads names like "Zoë" as UTF-8.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(EXPORT_COLUMNS)
        count = 0
        for obj in rows.iterator(chunk_size=500):
            writer.writerow([csv_cell(value) for value in export_row(obj)])
            count += 1
        # Who exported how many: an audit line with no personal data.
        logger.info("User %s exported %s consultation requests to CSV", request.user.pk, count)
        return response


# The columns staff need to work a list (call, book, report); the patient's message and
# health answers are left out on purpose.
EXPORT_COLUMNS = [
    "Reference",
    "Received",
    "Status",
    "Outcome",
    "Clinical priority",
    "Respond by",
    "Preferred clinic",
    "Treatment",
    "Patient name",
    "Phone",
    "Email",
    "Contact by",
    "Best time to call",
    "Assigned to",
    "Appointment",
    "Appointment clinic",
]


def export_row(obj):
    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        obj.reference,
        when(obj.created_at),
        obj.get_status_display(),
        obj.get_outcome_display() if obj.outcome else "",
        "Yes" if obj.is_clinical_priority else "No",
        when(obj.respond_by),
        str(obj.clinic) if obj.clinic_id else "No preference",
        str(obj.treatment) if obj.treatment_id else "Not sure",
        obj.full_name,
        phone_for_people(obj.phone) if obj.phone else "",
        obj.email,
        obj.get_contact_method_display(),
        obj.best_time_to_call,
        staff_name(obj.assigned_to) if obj.assigned_to_id else "",
        when(obj.appointment_at),
        str(obj.appointment_clinic) if obj.appointment_clinic_id else "",
    ]


# --- Staff accounts: which clinics each person works for ---------------------------------


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    verbose_name = "clinics"
    verbose_name_plural = "clinics (which consultation requests this person sees)"
    formfield_overrides = {
        StaffProfile._meta.get_field("clinics").__class__: {"widget": forms.CheckboxSelectMultiple},
    }


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffProfileInline]
    list_display = [*UserAdmin.list_display, "clinic_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("staff_profile__clinics")

    @admin.display(description="clinics")
    def clinic_list(self, user):
        if user.is_superuser:
            return "All (superuser)"
        profile = getattr(user, "staff_profile", None)
        clinics = list(profile.clinics.all()) if profile else []
        return ", ".join(str(clinic) for clinic in clinics) or "None"
