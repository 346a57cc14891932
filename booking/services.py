"""Operations on consultation requests that touch more than one thing."""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.models import ConsultationRequest
from booking.notifications import schedule_new_request_notifications
from pages.models import Clinic, Treatment

logger = logging.getLogger(__name__)

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
    consent_wording_version: str,
    privacy_notice_version: str,
    clinic: Clinic | None = None,
    treatment: Treatment | None = None,
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

    - The patient's consent is recorded with the wording and privacy-notice versions they
      agreed to and the time.
    - A "yes" to "changed, bled or become itchy" makes it a clinical priority, with the
      shorter response target.
    - With a `spam_reason` (honeypot, time-trap) the request is stored with status spam, so
      staff can rescue a false positive, and nobody is emailed.
    - `submission_token` makes sending the same rendered form twice safe: the second call
      returns the request the first one stored, even when both arrive at once.

    Each attempt is one transaction: the insert, and the notifications that are enqueued when
    it commits. A clash of references (or of tokens) rolls back only that attempt.
    """
    if not confirmed_adult:
        raise ValidationError({"confirmed_adult": "The patient must confirm they are 18 or over."})
    now = timezone.now()
    consultation_request = ConsultationRequest(
        full_name=full_name,
        email=email,
        phone=phone,
        clinic=clinic,
        treatment=treatment,
        contact_method=contact_method,
        best_time_to_call=best_time_to_call,
        recent_change=recent_change,
        message=message,
        marketing_opt_in=marketing_opt_in,
        confirmed_adult=confirmed_adult,
        consent_given_at=now,
        consent_wording_version=consent_wording_version,
        privacy_notice_version=privacy_notice_version,
        source_path=source_path,
        submission_token=submission_token or None,
        created_at=now,
        status=(ConsultationRequest.Status.SPAM if spam_reason else ConsultationRequest.Status.NEW),
        spam_reason=spam_reason,
        is_clinical_priority=recent_change == ConsultationRequest.RecentChange.YES,
        reference=new_reference(),
    )
    consultation_request.respond_by = consultation_request.default_respond_by()
    # Uniqueness is the database's job (the retry below), and the clinic and treatment
    # arrive as rows already loaded: skipping those checks saves four queries per request.
    consultation_request.full_clean(exclude=["clinic", "treatment"], validate_unique=False)

    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                consultation_request.save(force_insert=True)
                if consultation_request.status != ConsultationRequest.Status.SPAM:
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
        logger.info(
            "Consultation request %s stored (status %s%s)",
            consultation_request.reference,
            consultation_request.status,
            ", clinical priority" if consultation_request.is_clinical_priority else "",
        )
        return consultation_request
    raise ReferenceUnavailable(f"No free reference after {REFERENCE_ATTEMPTS} attempts")
