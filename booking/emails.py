"""
The emails sent about consultation requests, built from templates in templates/booking/email/.

Email is not a safe place for health data, so no email here contains anything the patient
told us about their health: no message, no treatment or concern, no answer about changes and
no clinical-priority flag. Staff learn how urgent a request is from its respond-by time, and
open the admin (behind a staff login) for the rest. EMAIL_CONTENTS says what the emails do
contain; every email prints it, and the privacy notice repeats it word for word.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from booking.appointment_links import appointment_change_url
from booking.ics import CANCELLING_KINDS, appointment_calendar
from booking.models import AppointmentEmail, ConsultationRequest
from booking.wording import respond_by_text, staff_respond_by_text
from pages.models import FeesAndTerms
from pages.prices import format_pounds

# Everything any of these emails contains, in the privacy notice's words (pages/seed/
# privacy-notice.md has the same sentence; tests/booking/test_notification_content.py checks
# both). A new detail in an email changes this sentence and the notice together.
EMAIL_CONTENTS = (
    "Our emails to you and to our team contain only your request’s reference, when you sent "
    "it, the clinic you chose, how and when we aim to contact you, your appointment’s time and "
    "place, who you will see and any change you ask for, how to get to the clinic, our fees "
    "and cancellation terms, our contact details and links to our website."
)

# Asks mail servers and out-of-office robots not to answer automatic mail (RFC 3834).
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def staff_inbox(clinic) -> str:
    """Where staff hear about a clinic's requests: its own inbox, else the site-wide one."""
    if clinic is not None and clinic.notification_email:
        return clinic.notification_email
    return settings.BOOKING_STAFF_INBOX


def patient_reply_to(clinic) -> str:
    """Where a patient's reply lands: the clinic's public address, else the site-wide inbox."""
    if clinic is not None and clinic.email:
        return clinic.email
    return settings.BOOKING_STAFF_INBOX


def admin_change_url(consultation_request) -> str:
    path = reverse("admin:booking_consultationrequest_change", args=[consultation_request.pk])
    return settings.SITE_URL + path


def admin_queue_url() -> str:
    return settings.SITE_URL + reverse("admin:booking_consultationrequest_changelist")


def privacy_notice_url() -> str:
    return settings.SITE_URL + reverse("pages:page_detail", kwargs={"slug": "privacy"})


def _clinic_name(clinic) -> str:
    return clinic.title if clinic is not None else "No preference"


def _message(*, subject, template, context, to, reply_to, for_staff) -> EmailMultiAlternatives:
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "site_url": settings.SITE_URL,
        # Staff read the sentence as the notice's promise to patients ("your request").
        "email_contents": EMAIL_CONTENTS,
        "for_staff": for_staff,
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"booking/email/{template}.txt", context),
        to=[to],
        reply_to=[reply_to],
        headers=AUTOMATIC_HEADERS,
    )
    message.attach_alternative(
        render_to_string(f"booking/email/{template}.html", context), "text/html"
    )
    return message


def staff_new_request_email(consultation_request: ConsultationRequest) -> EmailMultiAlternatives:
    clinic = consultation_request.clinic
    # The respond-by time, in the subject too, is how staff see urgency in their inbox.
    respond_by = staff_respond_by_text(consultation_request.respond_by)
    return _message(
        subject=f"New consultation request {consultation_request.reference} "
        f"({_clinic_name(clinic)}): please respond {respond_by}",
        template="staff_new_request",
        context={
            "reference": consultation_request.reference,
            "clinic": _clinic_name(clinic),
            "created_at": consultation_request.created_at,
            "respond_by_text": respond_by,
            "admin_url": admin_change_url(consultation_request),
        },
        to=staff_inbox(clinic),
        # Replies reach the central booking team, never the patient: staff answer patients
        # from the admin's details, not from an email thread.
        reply_to=settings.BOOKING_STAFF_INBOX,
        for_staff=True,
    )


def patient_acknowledgement_email(
    consultation_request: ConsultationRequest,
) -> EmailMultiAlternatives:
    clinic = consultation_request.clinic
    return _message(
        subject=f"We have your consultation request ({consultation_request.reference})",
        template="patient_acknowledgement",
        context={
            "reference": consultation_request.reference,
            "clinic_city": clinic.city if clinic is not None else "",
            "by_phone": consultation_request.contact_method
            == ConsultationRequest.ContactMethod.PHONE,
            "respond_by_text": respond_by_text(consultation_request.respond_by),
            "privacy_url": privacy_notice_url(),
        },
        to=consultation_request.email,
        reply_to=patient_reply_to(clinic),
        for_staff=False,
    )


def overdue_digest_email(clinic, consultation_requests, *, now) -> EmailMultiAlternatives:
    """
    One clinic's overdue requests (clinic None: the no-preference requests), in the order
    given. Only new requests can be overdue, so no status is shown; no priority either.
    """
    rows = [
        {
            "reference": item.reference,
            "respond_by": item.respond_by,
            "admin_url": admin_change_url(item),
        }
        for item in consultation_requests
    ]
    count = len(rows)
    noun = "request" if count == 1 else "requests"
    return _message(
        subject=f"{count} overdue consultation {noun} ({_clinic_name(clinic)})",
        template="overdue_digest",
        context={
            "clinic": _clinic_name(clinic),
            "rows": rows,
            "count": count,
            "now": now,
            "queue_url": admin_queue_url(),
        },
        to=staff_inbox(clinic),
        reply_to=settings.BOOKING_STAFF_INBOX,
        for_staff=True,
    )


def appointment_change_request_email(appointment_email) -> EmailMultiAlternatives:
    """
    Tell the clinic's inbox that a patient asked, through their appointment link, to cancel or
    to move their appointment: the reference, what they asked, the appointment, the admin link.
    What they asked is read when the email is built, so it is the latest if they asked twice.
    """
    consultation_request = appointment_email.request
    clinic = consultation_request.appointment_clinic
    cancelling = consultation_request.change_request == ConsultationRequest.ChangeRequest.CANCEL
    asked = "to cancel" if cancelling else "for another time"
    return _message(
        subject=f"Patient asked {asked}: {consultation_request.reference} ({_clinic_name(clinic)})",
        template="appointment_change_request",
        context={
            "reference": consultation_request.reference,
            "cancelling": cancelling,
            "appointment_at": appointment_email.appointment_at,
            "clinic": _clinic_name(clinic),
            "asked_at": consultation_request.change_requested_at,
            "admin_url": admin_change_url(consultation_request),
        },
        to=staff_inbox(clinic),
        reply_to=settings.BOOKING_STAFF_INBOX,
        for_staff=True,
    )


# --- Appointment emails ----------------------------------------------------------------------
# To the patient, about one version of their appointment (AppointmentEmail): the time and
# place, how to get there, the fee and terms from the clinic content, and a calendar file.
# Nothing the patient told us about their health, nor the treatment they asked about.

Kind = AppointmentEmail.Kind

APPOINTMENT_SUBJECTS = {
    Kind.CONFIRMATION: "Your consultation is booked: {when} ({reference})",
    Kind.UPDATE: "Your consultation has changed: now {when} ({reference})",
    Kind.CANCELLATION: "Your consultation on {when} is cancelled ({reference})",
    Kind.REMINDER: "Reminder: your consultation on {when} ({reference})",
}


def appointment_when(appointment_at) -> dict:
    """The day, date and time on London's clocks, as the emails and subjects show them."""
    local = timezone.localtime(appointment_at)
    return {
        "day": date_format(local, "l j F Y"),
        "time": date_format(local, "H:i"),
        "short": date_format(local, "D j M, H:i"),
    }


def clinic_facts(clinic, fees_and_terms: FeesAndTerms) -> dict:
    """What the clinic content says about the place and its costs; empty facts are left out."""
    fee = fees_and_terms.fee_at(clinic)
    terms_path = fees_and_terms.terms_url
    return {
        "name": clinic.title,
        "address_lines": [*clinic.address_lines, *filter(None, [clinic.postcode])],
        "map_url": clinic.map_url,
        "phone": clinic.own_phone or settings.CLINIC_PHONE,
        "directions": clinic.directions,
        "parking": clinic.parking,
        "access_facts": clinic.access_facts(),
        "accessibility_note": clinic.accessibility_note,
        "fee": format_pounds(fee.amount),
        "fee_includes": fee.includes,
        "what_to_bring": fees_and_terms.what_to_bring,
        "cancellation_terms": fees_and_terms.cancellation_terms,
        "terms_url": settings.SITE_URL + terms_path if terms_path else "",
    }


def appointment_email(appointment_email: AppointmentEmail) -> EmailMultiAlternatives:
    """The patient's confirmation, update, cancellation or reminder, with its calendar file."""
    consultation_request = appointment_email.request
    clinic = consultation_request.appointment_clinic
    team_member = consultation_request.appointment_with
    kind = appointment_email.kind
    when = appointment_when(appointment_email.appointment_at)
    cancelling = kind in CANCELLING_KINDS
    reply_to = patient_reply_to(clinic)
    message = _message(
        subject=APPOINTMENT_SUBJECTS[kind].format(
            when=when["short"], reference=consultation_request.reference
        ),
        template=f"appointment_{kind}",
        context={
            "reference": consultation_request.reference,
            "when": when,
            "clinic": clinic_facts(clinic, FeesAndTerms.load()),
            "team_member": team_member,
            # A cancelled appointment has nothing left to change.
            "change_url": "" if cancelling else appointment_change_url(consultation_request),
            "privacy_url": privacy_notice_url(),
        },
        to=consultation_request.email,
        reply_to=reply_to,
        for_staff=False,
    )
    method = "CANCEL" if cancelling else "REQUEST"
    message.attach(
        "cancelled-appointment.ics" if cancelling else "appointment.ics",
        appointment_calendar(
            uid=appointment_email.appointment_uid,
            sequence=appointment_email.sequence,
            kind=kind,
            appointment_at=appointment_email.appointment_at,
            clinic=clinic,
            organizer_email=reply_to,
        ),
        f"text/calendar; method={method}",
    )
    return message
