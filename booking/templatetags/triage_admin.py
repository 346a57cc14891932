"""The consultation-request summary on the admin home page."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from booking.models import ConsultationRequest, StaffProfile
from pages.models import Clinic

register = template.Library()


@register.inclusion_tag("admin/booking/triage_summary.html", takes_context=True)
def triage_summary(context):
    """
    New, overdue, clinical-priority and change-request counts for each clinic the user
    covers (and for requests with no clinic preference), each linking to the queue filtered
    to match.
    """
    user = context["request"].user
    if not user.has_perm("booking.view_consultationrequest"):
        return {"rows": []}
    counts = ConsultationRequest.objects.visible_to(user).counts_by_clinic()
    clinics = Clinic.objects.all()
    if not user.is_superuser:
        clinic_ids = StaffProfile.clinic_ids_for(user)
        if not clinic_ids:
            return {"rows": [], "unlinked": True}
        clinics = clinics.filter(pk__in=clinic_ids)
    queue = reverse("admin:booking_consultationrequest_changelist")

    def row(label, clinic_param, numbers):
        base = {"clinic": clinic_param} if clinic_param else {}

        def url(**params):
            return f"{queue}?{urlencode({**base, **params})}"

        return {
            "label": label,
            "queue_url": url(),
            "new": numbers.get("new", 0),
            "new_url": url(status=ConsultationRequest.Status.NEW),
            "overdue": numbers.get("overdue", 0),
            "overdue_url": url(overdue="yes"),
            "priority": numbers.get("priority", 0),
            "priority_url": url(priority="yes"),
            "change_requested": numbers.get("change_requested", 0),
            "change_requested_url": url(change="any"),
        }

    rows = [row(str(clinic), str(clinic.pk), counts.get(clinic.pk, {})) for clinic in clinics]
    rows.append(row("No preference", "none", counts.get(None, {})))
    totals = {
        key: sum(numbers[key] for numbers in counts.values())
        for key in ("new", "overdue", "priority", "change_requested")
    }
    return {"rows": rows, "total": row("All", None, totals)}
