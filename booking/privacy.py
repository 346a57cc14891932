"""
Patients' data rights and retention: anonymise, purge, export and erase consultation requests.

What anonymising a request keeps and removes (the same for retention and for erasure):

- removed: name, email, phone, the days and times they can come and the note about times, the
  changed/bled/itchy answer, the message, the page it was sent from, the appointment time,
  every internal note, and the free-text note on each history event;
- kept, for anonymous counts: reference, status and outcome, clinic, treatment, the clinical
  priority flag, the consent receipt (the texts agreed to, and the month consent was given), the
  month it was created, and the history events (who on the staff did what, and when).

Open requests are closed when anonymised (nobody can be contacted any more), with an event
saying why. These are system operations, so they set the status directly rather than through
the staff workflow's transition rules: an erasure must succeed whatever state a request is in.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone

from booking.models import (
    ConsultationRequest,
    RequestEvent,
    RequestNote,
    RetentionRecord,
    staff_name,
)
from booking.preferred_times import Day, TimeOfDay, stored_codes

logger = logging.getLogger(__name__)

Status = ConsultationRequest.Status
OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.BOOKED)

# The blank values anonymisation writes over the patient's answers.
ANONYMISED_VALUES = {
    "full_name": "",
    "email": "",
    "phone": "",
    "preferred_days": "",
    "preferred_periods": "",
    "best_time_to_call": "",
    "recent_change": "",
    "message": "",
    "source_path": "",
    "submission_token": None,
    "appointment_at": None,
    "respond_by": None,
    "marketing_opt_in": False,
}


def requests_for_email(email: str) -> QuerySet:
    """Every request sent with this email address, whatever its case or surrounding spaces."""
    email = email.strip()
    if not email:
        return ConsultationRequest.objects.none()
    return (
        ConsultationRequest.objects.filter(email__iexact=email)
        .select_related("clinic", "treatment", "appointment_clinic", "assigned_to")
        .order_by("created_at", "pk")
    )


def _anonymise(
    consultation_requests: QuerySet,
    *,
    now: datetime,
    action: str,
    note: str,
    actor=None,
    closed_outcome: str,
) -> dict[str, int]:
    """Anonymise the given requests; return how many there were of each status."""
    rows = list(consultation_requests.values_list("pk", "status"))
    if not rows:
        return {}
    ids = [pk for pk, _status in rows]
    counts: dict[str, int] = {}
    events = []
    for pk, status in rows:
        counts[status] = counts.get(status, 0) + 1
        closing = status in OPEN_STATUSES
        events.append(
            RequestEvent(
                request_id=pk,
                actor=actor,
                created_at=now,
                action=action,
                from_status=status if closing else "",
                to_status=Status.CLOSED if closing else "",
                note=note,
            )
        )
    RequestNote.objects.filter(request_id__in=ids).delete()
    RequestEvent.objects.filter(request_id__in=ids).update(note="")
    ConsultationRequest.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).update(
        status=Status.CLOSED, outcome=closed_outcome, status_changed_at=now
    )
    ConsultationRequest.objects.filter(pk__in=ids).update(
        # The month (in UTC, which every database truncates alike) is enough for counts.
        **ANONYMISED_VALUES,
        created_at=TruncMonth("created_at", tzinfo=UTC),
        consent_given_at=TruncMonth("consent_given_at", tzinfo=UTC),
        anonymised_at=now,
    )
    RequestEvent.objects.bulk_create(events)
    return counts


# --- Retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    reason: str  # a RetentionRecord.Reason
    action: str  # a RetentionRecord.Action
    description: str
    queryset: QuerySet


def retention_rules(*, now: datetime) -> list[RetentionRule]:
    """What the retention settings remove today, rule by rule."""
    changed_at = Coalesce("status_changed_at", "created_at")
    live = ConsultationRequest.objects.filter(anonymised_at__isnull=True)
    spam_days = settings.BOOKING_RETENTION_SPAM_DAYS
    closed_days = settings.BOOKING_RETENTION_CLOSED_DAYS
    stale_days = settings.BOOKING_RETENTION_STALE_DAYS
    last_activity = Greatest(
        changed_at,
        Coalesce(Max("events__created_at"), F("created_at")),
        Coalesce(Max("notes__created_at"), F("created_at")),
    )
    return [
        RetentionRule(
            reason=RetentionRecord.Reason.SPAM,
            action=RetentionRecord.Action.DELETED,
            description=f"spam for more than {spam_days} days: deleted",
            # Not spam that was erased: its "erased" event is the audit trail of the erasure.
            queryset=live.alias(changed=changed_at).filter(
                status=Status.SPAM, changed__lt=now - timedelta(days=spam_days)
            ),
        ),
        RetentionRule(
            reason=RetentionRecord.Reason.CLOSED,
            action=RetentionRecord.Action.ANONYMISED,
            description=f"closed for more than {closed_days} days: anonymised",
            queryset=live.alias(changed=changed_at).filter(
                status=Status.CLOSED, changed__lt=now - timedelta(days=closed_days)
            ),
        ),
        RetentionRule(
            reason=RetentionRecord.Reason.STALE_OPEN,
            action=RetentionRecord.Action.ANONYMISED,
            description=f"open with no activity for more than {stale_days} days: "
            "closed and anonymised",
            queryset=live.filter(status__in=OPEN_STATUSES)
            .alias(last_activity=last_activity)
            .filter(last_activity__lt=now - timedelta(days=stale_days)),
        ),
    ]


def _counts_by_status(queryset: QuerySet) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in queryset.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def purge_requests(*, now: datetime | None = None, dry_run: bool = False) -> list[dict]:
    """
    Apply the retention rules. Return one summary per rule and status:
    {"reason", "action", "status", "count", "description"}; counts only, never personal data.
    """
    now = now or timezone.now()
    summaries = []
    for rule in retention_rules(now=now):
        with transaction.atomic():
            ids = list(rule.queryset.values_list("pk", flat=True))
            matching = ConsultationRequest.objects.filter(pk__in=ids)
            if dry_run:
                counts = _counts_by_status(matching)
            elif rule.action == RetentionRecord.Action.DELETED:
                counts = _counts_by_status(matching)
                matching.delete()
            else:
                counts = _anonymise(
                    matching,
                    now=now,
                    action="anonymised",
                    note=f"Retention policy: {rule.description}.",
                    closed_outcome=ConsultationRequest.Outcome.NO_RESPONSE,
                )
            for status, count in sorted(counts.items()):
                if not dry_run:
                    RetentionRecord.objects.create(
                        created_at=now,
                        action=rule.action,
                        reason=rule.reason,
                        status=status,
                        count=count,
                    )
                    logger.info(
                        "Retention: %s %d %s request(s) (%s)",
                        rule.action,
                        count,
                        status,
                        rule.reason,
                    )
                summaries.append(
                    {
                        "reason": rule.reason,
                        "action": rule.action,
                        "status": status,
                        "count": count,
                        "description": rule.description,
                    }
                )
    return summaries


# --- Rights requests ------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _request_as_dict(item: ConsultationRequest) -> dict:
    return {
        "reference": item.reference,
        "received_at": _iso(item.created_at),
        "your_answers": {
            "full_name": item.full_name,
            "email": item.email,
            "phone": item.phone,
            "preferred_clinic": item.clinic.title if item.clinic else "No preference",
            "treatment_or_concern": item.treatment.title if item.treatment else "Not sure",
            "how_to_contact": item.get_contact_method_display(),
            "days_you_can_come": [Day(day).label for day in stored_codes(item.preferred_days, Day)],
            "times_of_day_you_can_come": [
                TimeOfDay(period).label
                for period in stored_codes(item.preferred_periods, TimeOfDay)
            ],
            "note_about_times": item.best_time_to_call,
            "changed_bled_or_itchy_recently": item.get_recent_change_display(),
            "message": item.message,
            "marketing_emails": item.marketing_opt_in,
            "confirmed_18_or_over": item.confirmed_adult,
            "sent_from_page": item.source_path,
        },
        "consent": {
            "given_at": _iso(item.consent_given_at),
            "consent_wording_version": item.consent_wording.version,
            "consent_wording": item.consent_wording.text,
            "privacy_notice_version": item.privacy_notice.version,
            "privacy_notice": {
                "title": item.privacy_notice.title,
                "last_updated": _iso(item.privacy_notice.text_changed_at),
                "text": item.privacy_notice.text,
            },
        },
        "handling": {
            "status": item.get_status_display(),
            "outcome": item.get_outcome_display() if item.outcome else "",
            "clinical_priority": item.is_clinical_priority,
            "assigned_to": staff_name(item.assigned_to, nobody=""),
            "respond_by": _iso(item.respond_by),
            "appointment_at": _iso(item.appointment_at),
            "appointment_clinic": item.appointment_clinic.title if item.appointment_clinic else "",
            "staff_email": item.get_staff_notification_display(),
            "acknowledgement_email": item.get_patient_notification_display(),
            "anonymised_at": _iso(item.anonymised_at),
        },
        "staff_notes": [
            {
                "written_at": _iso(note.created_at),
                "by": staff_name(note.author, nobody=""),
                "text": note.text,
            }
            for note in item.notes.all()
        ],
        "history": [
            {
                "at": _iso(event.created_at),
                "by": staff_name(event.actor, nobody=""),
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
            }
            for event in item.events.all()
        ],
    }


def person_export(*, email: str, actor) -> dict:
    """
    A subject access request: everything held about one email address, as a JSON-ready dict.
    Each request gets a "data_exported" history event naming the member of staff.
    """
    consultation_requests = list(
        requests_for_email(email)
        .select_related("consent_wording", "privacy_notice")
        .prefetch_related("notes__author", "events__actor")
    )
    now = timezone.now()
    export = {
        "controller": settings.CLINIC_NAME,
        "contact_phone": settings.CLINIC_PHONE,
        "email_searched": email.strip(),
        "generated_at": _iso(now),
        "generated_by": staff_name(actor, nobody=""),
        "consultation_requests": [_request_as_dict(item) for item in consultation_requests],
        "not_included": (
            "We keep no other record of you in this system. The website's server logs and "
            "emails hold only request references, never your details."
        ),
    }
    RequestEvent.objects.bulk_create(
        RequestEvent(request=item, actor=actor, created_at=now, action="data_exported")
        for item in consultation_requests
    )
    logger.info("Rights request: exported %d request(s)", len(consultation_requests))
    return export


@transaction.atomic
def person_erase(*, email: str, actor) -> list[str]:
    """
    Erase one person: anonymise every request sent with their email address and keep, on
    each, an "erased" event naming the member of staff. Returns the references erased.
    """
    # Locked so a staff edit cannot write details back in halfway through.
    consultation_requests = requests_for_email(email).select_related(None).select_for_update()
    references = list(consultation_requests.values_list("reference", flat=True))
    now = timezone.now()
    counts = _anonymise(
        consultation_requests,
        now=now,
        action="erased",
        note="Erased at the person's request.",
        actor=actor,
        closed_outcome=ConsultationRequest.Outcome.DECLINED,
    )
    for status, count in sorted(counts.items()):
        RetentionRecord.objects.create(
            created_at=now,
            action=RetentionRecord.Action.ANONYMISED,
            reason=RetentionRecord.Reason.ERASURE,
            status=status,
            count=count,
        )
    logger.info("Rights request: erased %d request(s)", len(references))
    return references
