"""The request page's internal notes (append-only), appointment emails and history (read-only)."""

from django import forms
from django.contrib import admin

from booking.admin.display import local_time
from booking.models import AppointmentEmail, RequestEvent, RequestNote, staff_name


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


class ReadOnlyInline(admin.TabularInline):
    """Rows staff see but never add, change or delete here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RequestEventInline(ReadOnlyInline):
    """The request's history: read-only, oldest first."""

    model = RequestEvent
    fields = ["when", "actor_name", "what", "note"]
    readonly_fields = fields
    verbose_name = "history entry"
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="when")
    def when(self, event):
        return local_time(event.created_at)

    @admin.display(description="by")
    def actor_name(self, event):
        return staff_name(event.actor, nobody="The website")

    @admin.display(description="what")
    def what(self, event):
        return event.describe()


class AppointmentEmailInline(ReadOnlyInline):
    """The emails about the request's appointment and what became of each: read-only."""

    model = AppointmentEmail
    fields = ["kind", "for_appointment_at", "state_and_reason", "due", "sent"]
    readonly_fields = fields
    verbose_name = "appointment email"
    verbose_name_plural = "appointment emails"

    @admin.display(description="for the appointment at")
    def for_appointment_at(self, email):
        return local_time(email.appointment_at) if email.appointment_at else "—"

    @admin.display(description="state")
    def state_and_reason(self, email):
        label = email.get_state_display()
        return f"{label}: {email.state_reason}" if email.state_reason else label

    @admin.display(description="due")
    def due(self, email):
        return local_time(email.due_at)

    @admin.display(description="sent")
    def sent(self, email):
        return local_time(email.sent_at) if email.sent_at else "—"
