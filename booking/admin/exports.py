"""
The "Export selected to CSV" action: the columns staff need to work a list (call, book,
report), written so that a spreadsheet shows every cell as text.
"""

import csv
import logging

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from booking.admin.display import clinic_label, preferred_times_label, treatment_label
from booking.models import staff_name
from clinic_site.phones import phone_for_people

logger = logging.getLogger(__name__)

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The patient's message and health answers are left out on purpose.
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
    "Can come",
    "Note about times",
    "Assigned to",
    "Appointment",
    "Appointment clinic",
]


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_row(obj) -> list:
    """One request's values, in the order of EXPORT_COLUMNS."""

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        obj.reference,
        when(obj.created_at),
        obj.get_status_display(),
        obj.get_outcome_display() if obj.outcome else "",
        "Yes" if obj.is_clinical_priority else "No",
        when(obj.respond_by),
        clinic_label(obj),
        treatment_label(obj),
        obj.full_name,
        phone_for_people(obj.phone) if obj.phone else "",
        obj.email,
        obj.get_contact_method_display(),
        preferred_times_label(obj),
        obj.best_time_to_call,
        staff_name(obj.assigned_to, nobody=""),
        when(obj.appointment_at),
        str(obj.appointment_clinic) if obj.appointment_clinic_id else "",
    ]


@admin.action(description="Export selected to CSV", permissions=["export"])
def export_csv(modeladmin, request, queryset):
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
