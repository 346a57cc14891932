"""The queue's filters. The status filter's default is the useful view: open requests."""

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.db.models import Q

from booking.models import ConsultationRequest, StaffProfile, staff_name
from booking.preferred_times import Day, TimeOfDay
from pages.models import Clinic, Treatment

Status = ConsultationRequest.Status
User = get_user_model()


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


class YesNoFilter(admin.SimpleListFilter):
    """Two choices, "yes" and "no"; subclasses say what each keeps."""

    yes_label = no_label = ""

    def lookups(self, request, model_admin):
        return [("yes", self.yes_label), ("no", self.no_label)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return self.keep_yes(queryset)
        if self.value() == "no":
            return self.keep_no(queryset)
        return queryset


class PriorityFilter(YesNoFilter):
    title = "clinical priority"
    parameter_name = "priority"
    yes_label, no_label = "Clinical priority", "Routine"

    def keep_yes(self, queryset):
        return queryset.filter(is_clinical_priority=True)

    def keep_no(self, queryset):
        return queryset.filter(is_clinical_priority=False)


class OverdueFilter(YesNoFilter):
    title = "response target"
    parameter_name = "overdue"
    yes_label, no_label = "Overdue", "Not overdue"

    def keep_yes(self, queryset):
        return queryset.overdue()

    def keep_no(self, queryset):
        return queryset.not_overdue()


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


class RelatedFilter(admin.SimpleListFilter):
    """One related row by its id, or "none" for requests without one."""

    field = ""  # the ForeignKey's name

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(**{f"{self.field}__isnull": True})
        if pk := id_from_filter(value):
            return queryset.filter(**{f"{self.field}_id": pk})
        return queryset


class AssigneeFilter(RelatedFilter):
    title = "assigned to"
    parameter_name = "assignee"
    field = "assigned_to"

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
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        return super().queryset(request, queryset)


class ClinicFilter(RelatedFilter):
    title = "preferred clinic"
    parameter_name = "clinic"
    field = "clinic"

    def lookups(self, request, model_admin):
        clinics = Clinic.objects.all()
        if not request.user.is_superuser:
            clinics = clinics.filter(pk__in=StaffProfile.clinic_ids_for(request.user))
        return [*((str(clinic.pk), str(clinic)) for clinic in clinics), ("none", "No preference")]


class TreatmentFilter(RelatedFilter):
    title = "treatment"
    parameter_name = "treatment"
    field = "treatment"

    def lookups(self, request, model_admin):
        return [
            *((str(treatment.pk), str(treatment)) for treatment in Treatment.objects.all()),
            ("none", "Not sure"),
        ]


class PreferredTimesFilter(admin.SimpleListFilter):
    """
    Requests from patients who can come on a day (or at a time of day): those who chose it,
    and those who left the question blank, which means any.
    """

    field = ""  # preferred_days or preferred_periods
    codes: type = Day

    def lookups(self, request, model_admin):
        return self.codes.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value in self.codes.values:
            # The codes are never part of one another ("mon", "morning"), so `contains` is exact.
            return queryset.filter(Q(**{f"{self.field}__contains": value}) | Q(**{self.field: ""}))
        return queryset


class PreferredDayFilter(PreferredTimesFilter):
    title = "can come on"
    parameter_name = "day"
    field = "preferred_days"
    codes = Day


class PreferredTimeOfDayFilter(PreferredTimesFilter):
    title = "time of day"
    parameter_name = "time_of_day"
    field = "preferred_periods"
    codes = TimeOfDay


class ChangeRequestFilter(admin.SimpleListFilter):
    """Requests whose patient asked, through their appointment link, to cancel or move it."""

    title = "patient asked"
    parameter_name = "change"

    def lookups(self, request, model_admin):
        return [("any", "Any change"), *ConsultationRequest.ChangeRequest.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.exclude(change_request="")
        if value in ConsultationRequest.ChangeRequest.values:
            return queryset.filter(change_request=value)
        return queryset
