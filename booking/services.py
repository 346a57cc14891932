"""Writes to consultation requests that have consequences: history, emails, other rows."""

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone

from booking.consent import current_texts
from booking.models import (
    NOTIFICATION_FIELDS,
    AppointmentEmail,
    ConsultationRequest,
    RequestEvent,
    RequestNote,
    staff_name,
)
from booking.notifications import (
    appointment_email_kind,
    next_appointment_version,
    schedule_appointment_email,
    schedule_appointment_emails,
    schedule_failed_appointment_emails_again,
    schedule_failed_notifications_again,
    schedule_new_request_notifications,
    schedule_rescued_request_notifications,
    supersede_appointment_emails,
)
from booking.preferred_times import Day, TimeOfDay, joined_codes, preferences_in_words
from booking.working_hours import response_deadline, working_time_between
from pages.models import Clinic, TeamMember, Treatment

logger = logging.getLogger(__name__)

Status = ConsultationRequest.Status

# No look-alikes: no 0/O, no 1/I/L. 31 characters, six of them: about 887 million references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "CSC-"
REFERENCE_LENGTH = 6
# A clash is a one-in-hundreds-of-millions event; a few tries make a failure vanishingly rare.
REFERENCE_ATTEMPTS = 5


class ReferenceUnavailable(Exception):
    """Every attempt to find an unused reference clashed (something is badly wrong)."""


def new_reference() -> str:
    """A random reference like CSC-7K3M9Q."""
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
    )


def consultation_request_create(
    *,
    full_name: str,
    email: str,
    phone: str,
    contact_method: str,
    confirmed_adult: bool,
    clinic: Clinic | None = None,
    treatment: Treatment | None = None,
    preferred_days: str = "",
    preferred_periods: str = "",
    best_time_to_call: str = "",
    recent_change: str = "",
    message: str = "",
    marketing_opt_in: bool = False,
    source_path: str = "",
    submission_token: str | None = None,
    spam_reason: str = "",
) -> ConsultationRequest:
    """
    Store a patient's consultation request and schedule the emails about it.

    - The patient's consent is recorded with the time and the exact wording and privacy
      notice on show (booking.consent.current_texts(), which stores a new version's text).
    - `preferred_days` / `preferred_periods` are codes from booking.preferred_times, joined
      (preferred_times.joined_codes); checking them against the clinic's hours is the form's.
    - A "yes" to "changed, bled or become itchy" makes it a clinical priority, with the
      shorter response target; the target counts the clinic's opening hours and closures
      (prefetch them on `clinic` to save their queries).
    - With a `spam_reason` (honeypot, time-trap) the request is stored with status spam, so
      staff can rescue a false positive; its emails are held back (booking.notifications).
    - `submission_token` makes sending the same rendered form twice safe: the second call
      returns the request the first one stored, even when both arrive at once.

    Each attempt is one transaction: the insert, and the notifications that are enqueued when
    it commits. A clash of references (or of tokens) rolls back only that attempt.
    """
    if not confirmed_adult:
        raise ValidationError({"confirmed_adult": "The patient must confirm they are 18 or over."})
    agreed = current_texts()
    now = timezone.now()
    consultation_request = ConsultationRequest(
        full_name=full_name,
        email=email,
        phone=phone,
        clinic=clinic,
        treatment=treatment,
        contact_method=contact_method,
        preferred_days=preferred_days,
        preferred_periods=preferred_periods,
        best_time_to_call=best_time_to_call,
        recent_change=recent_change,
        message=message,
        marketing_opt_in=marketing_opt_in,
        confirmed_adult=confirmed_adult,
        consent_given_at=now,
        consent_wording_id=agreed.consent_wording_id,
        privacy_notice_id=agreed.privacy_notice_id,
        source_path=source_path,
        submission_token=submission_token or None,
        created_at=now,
        status=(ConsultationRequest.Status.SPAM if spam_reason else ConsultationRequest.Status.NEW),
        spam_reason=spam_reason,
        is_clinical_priority=recent_change == ConsultationRequest.RecentChange.YES,
        reference=new_reference(),
    )
    consultation_request.set_arrival_buckets()
    consultation_request.respond_by = consultation_request.default_respond_by()
    # Uniqueness is the database's job (the retry below), and the clinic, treatment and
    # consent texts arrive as rows already loaded: skipping those checks saves their queries.
    consultation_request.full_clean(
        exclude=["clinic", "treatment", "consent_wording", "privacy_notice"],
        validate_unique=False,
    )

    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                consultation_request.save(force_insert=True)
                schedule_new_request_notifications(consultation_request)
        except IntegrityError:
            if submission_token:
                existing = ConsultationRequest.objects.filter(
                    submission_token=submission_token
                ).first()
                if existing is not None:
                    logger.info("Booking form sent twice; kept request %s", existing.reference)
                    return existing
            if not ConsultationRequest.objects.filter(
                reference=consultation_request.reference
            ).exists():
                raise
            consultation_request.pk = None
            consultation_request.reference = new_reference()
            continue
        # No clinical-priority flag here: it would tie a health answer to a reference in logs.
        logger.info(
            "Consultation request %s stored (status %s)",
            consultation_request.reference,
            consultation_request.status,
        )
        return consultation_request
    raise ReferenceUnavailable(f"No free reference after {REFERENCE_ATTEMPTS} attempts")


# --- Staff workflow ---------------------------------------------------------------------------


def _locked(consultation_request: ConsultationRequest) -> ConsultationRequest:
    """The request's row, locked and re-read, so two people can't act on one stale copy."""
    return ConsultationRequest.objects.select_for_update().get(pk=consultation_request.pk)


def _save(consultation_request: ConsultationRequest, changes: dict) -> None:
    for field, value in changes.items():
        setattr(consultation_request, field, value)
    consultation_request.save(update_fields=list(changes))


def consultation_request_transition(
    *,
    consultation_request: ConsultationRequest,
    status: str,
    by,
    note: str = "",
    outcome: str = "",
    appointment_at: datetime | None = None,
    appointment_clinic: Clinic | None = None,
    appointment_with: TeamMember | None = None,
    email_patient: bool = True,
) -> RequestEvent:
    """
    Move the request to `status` if the workflow allows it, and record who did it.

    Raises ValidationError (keyed by field), changing nothing, when the move or its details
    aren't allowed. A request rescued from spam gets the emails it was held back from. The
    first move from new to contacted, booked or closed records the first response, and the
    first move to contacted or booked the request's milestones (Insights).

    Booking, rebooking and cancelling an appointment write the emails about it
    (AppointmentEmail rows; booking.notifications): a confirmation, an update or a
    cancellation, and a reminder before a booked time. With `email_patient=False` the
    patient gets none of them: the rows are written as "not sent" ("staff chose not to
    email"), so the request shows what the patient was not told. Any change of status
    answers the patient's change request, so it is cleared.
    """
    with transaction.atomic():
        current = _locked(consultation_request)
        current.check_transition(
            status,
            outcome=outcome,
            appointment_at=appointment_at,
            appointment_clinic=appointment_clinic,
            appointment_with=appointment_with,
        )
        from_status = current.status
        now = timezone.now()
        changes = {
            "status": status,
            "status_changed_at": now,
            "change_request": "",
            "change_requested_at": None,
        }
        details = ""
        if status == Status.CLOSED:
            changes["outcome"] = outcome
            details = f"Outcome: {ConsultationRequest.Outcome(outcome).label}."
        elif status == Status.BOOKED:
            changes["appointment_at"] = appointment_at
            changes["appointment_clinic"] = appointment_clinic
            changes["appointment_with"] = appointment_with
            when = dateformat.format(timezone.localtime(appointment_at), "D j M Y, H:i")
            with_whom = f" with {appointment_with}" if appointment_with else ""
            details = f"Appointment: {when} at {appointment_clinic}{with_whom}."
        if from_status == Status.CLOSED:
            changes["outcome"] = ""
        if (
            from_status == Status.NEW
            and status in ConsultationRequest.RESPONSE_STATUSES
            and current.first_response_at is None
        ):
            changes["first_response_at"] = now
            changes["first_response_minutes"] = working_time_between(
                current.created_at, now, clinic=current.clinic
            ) // timedelta(minutes=1)
        changes.update(current.milestones_reached(status, now))
        if status == Status.SPAM:
            changes["spam_reason"] = current.spam_reason or "Marked as spam by staff"
        elif from_status == Status.SPAM:
            changes["spam_reason"] = ""
        email_kind = appointment_email_kind(
            current,
            status,
            outcome=outcome,
            appointment=(appointment_at, appointment_clinic, appointment_with),
        )
        if email_kind:
            changes.update(next_appointment_version(current, email_kind))
            if not email_patient:
                details = " ".join(filter(None, (details, "The patient was not emailed.")))
        _save(consultation_request, changes)
        event = RequestEvent.objects.create(
            request=consultation_request,
            actor=by,
            created_at=now,
            action=RequestEvent.Action.STATUS,
            from_status=from_status,
            to_status=status,
            note="\n".join(part for part in (details, note.strip()) if part),
        )
        if from_status == Status.SPAM:
            for field in NOTIFICATION_FIELDS:
                setattr(consultation_request, field, getattr(current, field))
            schedule_rescued_request_notifications(consultation_request)
        if from_status == Status.BOOKED:
            supersede_appointment_emails(consultation_request)
        if email_kind:
            schedule_appointment_emails(
                consultation_request, email_kind, email_patient=email_patient
            )
    logger.info(
        "Request %s moved from %s to %s by user %s",
        consultation_request.pk,
        from_status,
        status,
        by.pk,
    )
    return event


def consultation_request_assign(*, consultation_request: ConsultationRequest, to, by) -> bool:
    """
    Assign the request to `to` (None to unassign). Returns False if nothing changed.
    The assignee must be active staff who can work on this request.
    """
    with transaction.atomic():
        current = _locked(consultation_request)
        if current.assigned_to_id == (to.pk if to else None):
            consultation_request.assigned_to = current.assigned_to
            return False
        if to is not None and not current.can_be_handled_by(to):
            raise ValidationError(
                {"assigned_to": f"{staff_name(to)} can’t work on this clinic’s requests."}
            )
        previous = current.assigned_to
        _save(consultation_request, {"assigned_to": to})
        if to is None:
            text = f"Unassigned (was {staff_name(previous)})."
        elif previous is None:
            text = f"Assigned to {staff_name(to)}."
        else:
            text = f"Assigned to {staff_name(to)} (was {staff_name(previous)})."
        RequestEvent.objects.create(
            request=consultation_request, actor=by, action=RequestEvent.Action.ASSIGNED, note=text
        )
    return True


def consultation_request_set_priority(
    *, consultation_request: ConsultationRequest, is_clinical_priority: bool, by
) -> bool:
    """Flag or unflag a clinical priority; the response target follows. False if unchanged."""
    with transaction.atomic():
        current = _locked(consultation_request)
        if current.is_clinical_priority == is_clinical_priority:
            return False
        respond_by = response_deadline(
            consultation_request.created_at,
            clinical_priority=is_clinical_priority,
            clinic=consultation_request.clinic,
        )
        _save(
            consultation_request,
            {"is_clinical_priority": is_clinical_priority, "respond_by": respond_by},
        )
        RequestEvent.objects.create(
            request=consultation_request,
            actor=by,
            action=RequestEvent.Action.PRIORITY,
            note="Marked as a clinical priority."
            if is_clinical_priority
            else "Clinical priority removed.",
        )
    return True


def consultation_request_add_note(
    *, consultation_request: ConsultationRequest, text: str, by
) -> RequestNote:
    """Add an internal note. Notes are append-only: there is no way to edit one."""
    text = text.strip()
    limit = RequestNote._meta.get_field("text").max_length
    if not text:
        raise ValidationError({"text": "Write the note before saving it."})
    if len(text) > limit:
        raise ValidationError({"text": f"A note can be at most {limit} characters."})
    return RequestNote.objects.create(request=consultation_request, author=by, text=text)


def consultation_request_resend_failed_emails(
    *, consultation_request: ConsultationRequest
) -> list[str]:
    """
    Queue again the request's emails that failed: returns the request emails' state fields
    and the kinds of the appointment emails queued again (empty: nothing was queued).
    """
    with transaction.atomic():
        current = _locked(consultation_request)
        fields = schedule_failed_notifications_again(current)
        appointment_emails = schedule_failed_appointment_emails_again(current)
    return [*fields, *(email.kind for email in appointment_emails)]


# --- The patient's appointment link -----------------------------------------------------------


def consultation_request_request_change(
    *,
    consultation_request: ConsultationRequest,
    kind: str,
    preferred_days: Sequence[str] = (),
    preferred_periods: Sequence[str] = (),
) -> RequestEvent:
    """
    Record that the patient asked, through their appointment link, to cancel (`kind` CANCEL)
    or to move (NEW_TIME, with the days and times of day they can come) their appointment.

    The request is flagged for staff ("change requested") and keeps its status: staff still
    rebook or cancel, and their next status change clears the flag. The clinic's inbox hears
    once per version of the appointment; asking again before staff act updates the flag, the
    preferred times and the history, and the email (which carries no details) links to them.

    Raises ValidationError, changing nothing, unless the appointment `consultation_request`
    was read with is still booked and still to come.
    """
    ChangeRequest = ConsultationRequest.ChangeRequest
    if kind not in ChangeRequest.values:
        raise ValidationError({"change_request": f"“{kind}” is not a change a patient can ask."})
    with transaction.atomic():
        current = _locked(consultation_request)
        now = timezone.now()
        if (
            current.status != Status.BOOKED
            or current.appointment_uid != consultation_request.appointment_uid
            or current.appointment_at is None
            or current.appointment_at <= now
        ):
            raise ValidationError("This appointment can no longer be changed online.")
        changes = {"change_request": kind, "change_requested_at": now}
        if kind == ChangeRequest.CANCEL:
            note = "Patient asked to cancel."
        else:
            changes["preferred_days"] = joined_codes(preferred_days, Day)
            changes["preferred_periods"] = joined_codes(preferred_periods, TimeOfDay)
            note = "Patient asked for another time: " + preferences_in_words(
                changes["preferred_days"], changes["preferred_periods"]
            )
            note += "."
        _save(current, changes)
        event = RequestEvent.objects.create(
            request=current,
            actor=None,
            created_at=now,
            action=RequestEvent.Action.CHANGE_REQUESTED,
            note=note,
        )
        already_told = current.appointment_emails.filter(
            kind=AppointmentEmail.Kind.CHANGE_REQUEST,
            appointment_uid=current.appointment_uid,
            sequence=current.appointment_sequence,
        ).exists()
        if not already_told:
            schedule_appointment_email(current, AppointmentEmail.Kind.CHANGE_REQUEST)
    logger.info("Request %s: the patient asked for a change (%s)", current.reference, kind)
    return event
