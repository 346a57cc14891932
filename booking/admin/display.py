"""Small formatting helpers shared by the queue, the request page and the CSV export."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from booking.models import ConsultationRequest
from booking.preferred_times import preferences_in_words

Status = ConsultationRequest.Status


JUST_NOW = "just now"


def age_in_words(delta) -> str:
    """ "just now", "12 min", "3 h", "2 d": how long a patient has been waiting, at a glance."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return JUST_NOW
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def time_ago(delta) -> str:
    """ "just now", "12 min ago", "3 h ago": how long ago something happened."""
    age = age_in_words(delta)
    return age if age == JUST_NOW else f"{age} ago"


def local_time(value) -> str:
    return date_format(timezone.localtime(value), "D j M Y, H:i")


def clinic_label(obj) -> str:
    return str(obj.clinic) if obj.clinic_id else "No preference"


def treatment_label(obj) -> str:
    return str(obj.treatment) if obj.treatment_id else "Not sure"


@admin.display(description="can come")
def preferred_times_label(obj) -> str:
    """ "Mondays and Saturdays, mornings"; "Any time" when the patient chose none."""
    return preferences_in_words(obj.preferred_days, obj.preferred_periods)


def status_badge(obj) -> str:
    # The label is always written out: the colour only repeats what the text says.
    label = obj.get_status_display()
    if obj.status == Status.CLOSED and obj.outcome:
        label = f"{label}: {obj.get_outcome_display()}"
    return format_html('<span class="triage-badge triage-badge--{}">{}</span>', obj.status, label)


def flag(kind: str, text: str) -> str:
    """A priority or overdue marker; like the badges, it says its meaning in words."""
    return format_html('<span class="triage-flag triage-flag--{}">{}</span>', kind, text)


def other_requests_list(obj, others) -> str:
    """The request page's list of `others` (requests from the same email or phone), each
    linked, and saying which of the two it shares with `obj`."""
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
                    clinic_label(other),
                    "email" if other.email.lower() == obj.email.lower() else "phone",
                )
                for other in others
            ),
        ),
    )


# What the patient asked through their appointment link, as the queue and request page say it.
CHANGE_REQUEST_FLAGS = {
    ConsultationRequest.ChangeRequest.CANCEL: "Patient asked to cancel",
    ConsultationRequest.ChangeRequest.NEW_TIME: "Patient asked for another time",
}


def change_request_flag(obj) -> str:
    """The patient's pending change request as a flag, or "" when there is none."""
    if not obj.change_request:
        return ""
    return flag("change", CHANGE_REQUEST_FLAGS[obj.change_request])
