"""
The patient's side of booking: the form at /book/ and the confirmation page.

Every booking form, on /book/ or in a content page's sidebar, posts here. A form with problems
comes back on /book/ with an error summary and every answer kept (including the hidden page it
was sent from); a good one is stored by the service and answered with a redirect to the
confirmation page (Post/Redirect/Get), whose address carries only the signed reference.

A form whose one-time token can't be used (missing, forged, shown to someone else, or expired
and already sent) is never acted on: it comes back with the answers, a fresh token and a
request to send it again. docs/security.md ("Form token") explains each case.
"""

import logging
import math
import re

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from booking import ratelimit, tokens
from booking.forms import ConsultationRequestForm
from booking.models import ConsultationRequest
from booking.services import consultation_request_create
from booking.wording import respond_by_text, response_time_text
from clinic_site.page_cache.decorators import cache_public_page
from clinic_site.page_cache.keys import mark_query_unused
from clinic_site.page_cache.visitor_values import register_visitor_value
from pages import structured_data
from pages.models import Clinic, Treatment
from pages.per_request import published_clinics, published_clinics_offering, published_treatments

logger = logging.getLogger(__name__)

# A confirmation link works for a day: long enough to reload or come back to, short enough
# that a shared computer's history doesn't show it for ever. The address holds no personal data.
CONFIRMATION_MAX_AGE = 24 * 60 * 60
# The one health-related sentence (for a clinical priority) shows only this long after the
# request was sent: on the redirect and a reload, not to whoever finds the link later.
HEALTH_NOTE_MAX_AGE = 10 * 60
_CONFIRMATION_SALT = "booking.confirmation"
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def booking_form(
    request: HttpRequest,
    *,
    treatment: Treatment | None = None,
    clinic: Clinic | None = None,
) -> ConsultationRequestForm:
    """
    A new, empty booking form for the page being rendered, with its one-time token, which
    the page cache swaps for a fresh one for each visitor it serves the page to.
    """
    token = tokens.form_token_for(request)
    register_visitor_value(request, token, fresh=tokens.form_token_for)
    return ConsultationRequestForm(
        initial={
            "treatment": treatment.slug if treatment else None,
            "clinic": clinic.slug if clinic else None,
            "form_token": token,
            "source_path": request.path,
        },
        preselected_treatment=treatment,
        # The lists the page's footer (and a treatment page) fetch anyway: no query of its own.
        # For a treatment, the clinics come marked with whether they offer it (the form says).
        clinics=(
            published_clinics_offering(request, treatment)
            if treatment
            else published_clinics(request)
        ),
        treatments=published_treatments(request),
    )


def _slug_or_none(value: str) -> str | None:
    """A query string's treatment or clinic slug, or None for a value that can't be one."""
    return value if _SLUG.fullmatch(value) else None


# The empty form is the same for everyone but its tokens: served from the page cache like
# the content pages, which never stores a POST's answer. The preselection is part of the key.
@cache_public_page(query={"treatment": _slug_or_none, "clinic": _slug_or_none})
@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _submit(request)
    form = booking_form(
        request,
        treatment=_published_in_query(request, Treatment, "treatment"),
        clinic=_published_in_query(request, Clinic, "clinic"),
    )
    return _render_form(request, form)


@never_cache  # The answers (on error) and the outcome belong to one patient: never stored.
def _submit(request: HttpRequest) -> HttpResponse:
    # CsrfViewMiddleware has put the sender's CSRF secret here: the token must be theirs.
    form = ConsultationRequestForm(request.POST, csrf_secret=request.META.get("CSRF_COOKIE"))
    answers_are_valid = form.is_valid()
    token = form.token
    if token is None:
        logger.info("Booking form refused: its token is missing, forged or another visitor's")
        return _form_again(request, form, ask_to_send_again=True)
    if token.is_expired() and _request_for_token(token) is not None:
        # Sent before, long ago: perhaps by someone else at this computer. Reveal nothing.
        logger.info("Booking form refused: its token is expired and was used before")
        return _form_again(request, form, ask_to_send_again=True)
    if not answers_are_valid:
        if token.is_expired():
            return _form_again(request, form, ask_to_send_again=False)
        return _render_form(request, form)

    verdict = ratelimit.count_booking_attempt(request)
    if not verdict.allowed:
        # A double click on the attempt that reached the limit was stored: show it, not a 429.
        already_stored = _request_for_token(token)
        if already_stored is not None:
            return redirect(confirmation_url(already_stored))
        return too_many_requests(request, retry_after=verdict.retry_after)

    # An expired token with valid answers is still stored: no request is lost because a page
    # was left open overnight (and no earlier request has this token: checked above).
    consultation_request = consultation_request_create(**form.request_details())
    return redirect(confirmation_url(consultation_request))


def _form_again(
    request: HttpRequest, form: ConsultationRequestForm, *, ask_to_send_again: bool
) -> HttpResponse:
    """The form back with the answers sent and a fresh token of this visitor's."""
    data = form.data.copy()
    data["form_token"] = tokens.form_token_for(request)
    form = ConsultationRequestForm(data, csrf_secret=request.META.get("CSRF_COOKIE"))
    form.is_valid()
    if ask_to_send_again:
        form.ask_to_send_again()
    return _render_form(request, form)


@never_cache
@require_http_methods(["GET", "HEAD"])
def confirmation(request: HttpRequest, signed_reference: str) -> HttpResponse:
    signer = signing.TimestampSigner(salt=_CONFIRMATION_SALT)
    try:
        reference = signer.unsign(signed_reference, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        return render(
            request,
            "booking/confirmation_expired.html",
            {"canonical_url": request.build_absolute_uri(reverse("booking:request_form"))},
            status=410,
        )
    except signing.BadSignature:
        raise Http404("No such confirmation") from None
    consultation_request = (
        ConsultationRequest.objects.filter(reference=reference)
        .only("reference", "respond_by", "contact_method", "is_clinical_priority")
        .first()
    )
    if consultation_request is None:
        raise Http404("No such confirmation")
    response = render(
        request,
        "booking/confirmation.html",
        {
            "consultation_request": consultation_request,
            "page_title": "Request sent",
            "meta_description": "Your consultation request has been sent.",
            # Not this page's own address: it is private and short-lived.
            "canonical_url": request.build_absolute_uri(reverse("booking:request_form")),
            "respond_by_text": respond_by_text(consultation_request.respond_by, relative=True),
            "show_health_note": consultation_request.is_clinical_priority
            and _signed_within(signer, signed_reference, HEALTH_NOTE_MAX_AGE),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _signed_within(signer: signing.TimestampSigner, value: str, seconds: int) -> bool:
    """Whether `value` (already checked as genuine) was signed in the last `seconds`."""
    try:
        signer.unsign(value, max_age=seconds)
    except signing.SignatureExpired:
        return False
    return True


def confirmation_url(consultation_request: ConsultationRequest) -> str:
    """The confirmation page's address: the reference, signed and dated, nothing else."""
    signed = signing.TimestampSigner(salt=_CONFIRMATION_SALT).sign(consultation_request.reference)
    return reverse("booking:confirmation", kwargs={"signed_reference": signed})


def too_many_requests(
    request: HttpRequest, *, retry_after: int, sending: bool = True
) -> HttpResponse:
    """The rate limit's page; `sending` says the refused request sent something (a form)."""
    response = render(
        request,
        "429.html",
        {"retry_minutes": max(1, math.ceil(retry_after / 60)), "sending": sending},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _render_form(request: HttpRequest, form: ConsultationRequestForm) -> HttpResponse:
    description = (
        f"Ask for a consultation at {settings.CLINIC_NAME}: complete the form or call "
        f"{settings.CLINIC_PHONE}."
    )
    context = {
        "form": form,
        "page_title": "Book a consultation",
        "meta_description": description,
        "breadcrumbs": [{"name": "Book a consultation", "url": reverse("booking:request_form")}],
        "structured_data": [
            structured_data.web_page(
                request,
                name="Book a consultation",
                description=description,
                page_type="ContactPage",
            )
        ],
        "response_time": response_time_text(settings.BOOKING_RESPONSE_HOURS),
    }
    return render(request, "booking/request_form.html", context)


def _published_in_query(request: HttpRequest, model, name: str):
    """
    The published item the query parameter `name` names, or None for anything else. A slug
    naming none leaves the page as without it, and the page cache is told so (no new entry).
    """
    slug = _slug_or_none(request.GET.get(name, ""))
    if slug is None:
        return None
    item = model.objects.published().filter(slug=slug).first()
    if item is None:
        mark_query_unused(request, name)
    return item


def _request_for_token(token: tokens.FormToken | None) -> ConsultationRequest | None:
    if token is None:
        return None
    return (
        ConsultationRequest.objects.filter(submission_token=token.nonce).only("reference").first()
    )
