"""The queue's bulk actions. Each calls the same booking service as the request page."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from booking.models import ConsultationRequest
from booking.services import (
    consultation_request_assign,
    consultation_request_resend_failed_emails,
    consultation_request_transition,
)

Status = ConsultationRequest.Status

# How many per-row failures an action lists before summarising the rest.
MAX_LISTED_FAILURES = 10


def apply_to_each(modeladmin, request, queryset, change, done: str) -> None:
    """
    Run `change(obj)` on each selected request, then report how many changed (`done`, e.g.
    "marked as spam"), how many were already so (`change` returned False) and which failed.
    """
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
        modeladmin.message_user(request, f"{changed} {noun} {done}.", messages.SUCCESS)
    if unchanged:
        modeladmin.message_user(request, f"{unchanged} already {done}.", messages.INFO)
    if failures:
        listed = failures[:MAX_LISTED_FAILURES]
        more = len(failures) - len(listed)
        text = "Not changed: " + "; ".join(listed)
        if more:
            text += f"; and {more} more"
        modeladmin.message_user(request, text + ".", messages.ERROR)


def transition_action(
    status: str, *, name: str, description: str, done: str, not_from: dict[str, str] | None = None
):
    """
    An admin action, called `name`, that moves each selected request to `status`. `not_from`
    maps statuses the action leaves alone, though the workflow allows the move, to the reason.
    """
    not_from = not_from or {}

    def change(obj, user):
        if obj.status in not_from:
            raise ValidationError(not_from[obj.status])
        return consultation_request_transition(consultation_request=obj, status=status, by=user)

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        apply_to_each(modeladmin, request, queryset, lambda obj: change(obj, request.user), done)

    # Django names an action after its function: the name is what the queue's form posts.
    action.__name__ = action.__qualname__ = name
    return action


@admin.action(description="Assign to me", permissions=["change"])
def assign_to_me(modeladmin, request, queryset):
    apply_to_each(
        modeladmin,
        request,
        queryset,
        lambda obj: consultation_request_assign(
            consultation_request=obj, to=request.user, by=request.user
        ),
        "assigned to you",
    )


mark_contacted = transition_action(
    Status.CONTACTED,
    name="mark_contacted",
    description="Mark as contacted",
    done="marked as contacted",
    # Booked to contacted cancels the appointment and emails the patient: one at a time.
    not_from={Status.BOOKED: "A request that is booked has an appointment: cancel it on its page."},
)
mark_spam = transition_action(
    Status.SPAM,
    name="mark_spam",
    description="Mark as spam",
    done="marked as spam",
)
mark_not_spam = transition_action(
    Status.NEW,
    name="mark_not_spam",
    description="Not spam: put back in the queue",
    done="put back in the queue",
)


@admin.action(description="Send failed emails again", permissions=["change"])
def resend_failed_emails(modeladmin, request, queryset):
    # The service leaves out requests that email nobody (suspected spam).
    resent = sum(
        bool(consultation_request_resend_failed_emails(consultation_request=obj))
        for obj in queryset
    )
    if resent:
        modeladmin.message_user(
            request, f"Emails queued again for {resent} request(s).", messages.SUCCESS
        )
    else:
        modeladmin.message_user(request, "None of the selected requests had a failed email.")
