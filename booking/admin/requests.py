"""
The consultation-request queue and request page. Every view, search, action and export
starts from get_queryset(), which holds only the requests the signed-in person's clinics
cover; every change goes through booking.services.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from booking.admin.actions import (
    assign_to_me,
    mark_contacted,
    mark_not_spam,
    mark_spam,
    resend_failed_emails,
)
from booking.admin.consent_texts import consent_wording_text, privacy_notice_text
from booking.admin.display import (
    age_in_words,
    change_request_flag,
    clinic_label,
    flag,
    local_time,
    other_requests_list,
    preferred_times_label,
    status_badge,
    time_ago,
    treatment_label,
)
from booking.admin.exports import export_csv
from booking.admin.filters import (
    AssigneeFilter,
    ChangeRequestFilter,
    ClinicFilter,
    EmailProblemFilter,
    OverdueFilter,
    PreferredDayFilter,
    PreferredTimeOfDayFilter,
    PriorityFilter,
    StatusFilter,
    TreatmentFilter,
)
from booking.admin.forms import TriageForm
from booking.admin.inlines import AppointmentEmailInline, RequestEventInline, RequestNoteInline
from booking.models import (
    NOTIFICATION_FIELDS,
    ConsultationRequest,
    RequestNote,
    StaffProfile,
    staff_name,
)
from booking.services import (
    consultation_request_add_note,
    consultation_request_assign,
    consultation_request_set_priority,
    consultation_request_transition,
)
from clinic_site.phones import phone_for_people, phone_search_value, tel_href

Status = ConsultationRequest.Status

# The request page's layout; a tuple is one line. Everything the patient sent is read-only.
PATIENT_FIELDS = [
    ("reference", "received"),
    ("full_name", "phone_link", "email_link"),
    ("contact_method", preferred_times_label, "best_time_to_call"),
]
ASKED_FIELDS = [
    ("clinic_name", "treatment_name", "recent_change"),
    "message",
    ("confirmed_adult", "marketing_opt_in", "source_path"),
]
CONSENT_FIELDS = ["consent_given_at", consent_wording_text, privacy_notice_text]
RECORD_FIELDS = [
    NOTIFICATION_FIELDS,
    ("status_changed_at", "spam_reason"),
]
TRIAGE_FIELDS = [("status_summary", "respond_by_summary"), ("assigned_to", "is_clinical_priority")]
STATUS_FORM_FIELDS = [
    ("new_status", "close_outcome"),
    ("appointment_time", "booked_clinic", "booked_team_member"),
    "email_patient",
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
        ChangeRequestFilter,
        AssigneeFilter,
        EmailProblemFilter,
        ClinicFilter,
        TreatmentFilter,
        PreferredDayFilter,
        PreferredTimeOfDayFilter,
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
                "time and clinic. Booking, changing or cancelling an appointment emails the "
                "patient unless you untick the box. The change and your note go into the "
                "history below.",
            },
        ),
        ("Other requests from this patient", {"fields": ["duplicates"]}),
        ("Consent receipt", {"fields": CONSENT_FIELDS, "classes": ["collapse"]}),
        ("Emails and record", {"fields": RECORD_FIELDS, "classes": ["collapse"]}),
    ]
    form = TriageForm
    inlines = [RequestNoteInline, AppointmentEmailInline, RequestEventInline]
    list_select_related = ["clinic", "treatment", "assigned_to"]
    ordering = ["-is_clinical_priority", "created_at"]
    actions = [
        assign_to_me,
        mark_contacted,
        mark_spam,
        mark_not_spam,
        resend_failed_emails,
        export_csv,
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

    # --- Permissions and the form

    def has_add_permission(self, request):
        # Requests come from patients through the website, with their own consent receipt.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("booking.export_consultationrequest")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "assigned_to":
            # A plain menu of colleagues: no "add/change/delete user" icons beside it.
            formfield.widget = getattr(formfield.widget, "widget", formfield.widget)
        return formfield

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
        return treatment_label(obj)

    @admin.display(description="clinic", ordering="clinic__title")
    def clinic_name(self, obj):
        return clinic_label(obj)

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        if obj.change_request:
            return format_html("{} {}", status_badge(obj), change_request_flag(obj))
        return status_badge(obj)

    @admin.display(description="waiting", ordering="-created_at")
    def age(self, obj):
        return age_in_words(timezone.now() - obj.created_at)

    @admin.display(description="assigned to", ordering="assigned_to__first_name")
    def assignee(self, obj):
        return staff_name(obj.assigned_to, nobody="—")

    @admin.display(description="priority", ordering="-is_clinical_priority")
    def priority_marker(self, obj):
        return flag("priority", "Clinical") if obj.is_clinical_priority else ""

    @admin.display(description="respond by", ordering="respond_by")
    def respond_by_display(self, obj):
        # The target is for the first answer: only new requests are waiting for one.
        if obj.status != Status.NEW or obj.respond_by is None:
            return "—"
        when = date_format(timezone.localtime(obj.respond_by), "D j M, H:i")
        if obj.is_overdue:
            return format_html("{} {}", flag("overdue", "Overdue"), when)
        return when

    # --- The request page's read-only parts

    @admin.display(description="received")
    def received(self, obj):
        return format_html(
            "{} ({})", local_time(obj.created_at), time_ago(timezone.now() - obj.created_at)
        )

    @admin.display(description="phone")
    def phone_link(self, obj):
        if not obj.phone:
            return "—"
        return format_html('<a href="{}">{}</a>', tel_href(obj.phone), phone_for_people(obj.phone))

    @admin.display(description="email")
    def email_link(self, obj):
        if not obj.email:
            return "—"
        return format_html('<a href="mailto:{}">{}</a>', obj.email, obj.email)

    @admin.display(description="status")
    def status_summary(self, obj):
        parts = [status_badge(obj)]
        if obj.is_clinical_priority:
            parts.append(format_html(" {}", flag("priority", "Clinical priority")))
        if obj.status == Status.BOOKED and obj.appointment_at:
            parts.append(
                format_html(
                    " {} at {}", local_time(obj.appointment_at), obj.appointment_clinic or "—"
                )
            )
        if obj.change_request:
            parts.append(
                format_html(
                    " {} on {}", change_request_flag(obj), local_time(obj.change_requested_at)
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
                "{} since {}", flag("overdue", "Overdue"), local_time(obj.respond_by)
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
        return other_requests_list(obj, others)

    # --- Saving: through booking.services only

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if "is_clinical_priority" in form.changed_data:
                consultation_request_set_priority(
                    consultation_request=obj,
                    is_clinical_priority=data["is_clinical_priority"],
                    by=request.user,
                )
            if "assigned_to" in form.changed_data:
                consultation_request_assign(
                    consultation_request=obj, to=data["assigned_to"], by=request.user
                )
            if data.get("new_status"):
                consultation_request_transition(
                    consultation_request=obj,
                    status=data["new_status"],
                    by=request.user,
                    note=data.get("status_note", ""),
                    outcome=data.get("close_outcome") or "",
                    appointment_at=data.get("appointment_time"),
                    appointment_clinic=data.get("booked_clinic"),
                    appointment_with=data.get("booked_team_member"),
                    email_patient=data.get("email_patient", True),
                )
        except ValidationError as error:
            # Someone else changed the request between this form loading and being sent.
            self.message_user(request, "Not saved: " + " ".join(error.messages), messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RequestNote:
            return super().save_formset(request, form, formset, change)
        added = [
            consultation_request_add_note(
                consultation_request=form.instance, text=note.text, by=request.user
            )
            for note in formset.save(commit=False)
            if note.pk is None
        ]
        formset.new_objects = added
        return None

    # --- The request page's "Assign to me" button

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
            changed = consultation_request_assign(
                consultation_request=obj, to=request.user, by=request.user
            )
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
