"""
The page behind the link in a patient's appointment emails: "I need to cancel" or "I need
another time", with the days and times of day they can come instead.

Whoever holds the link sees the appointment's day, time and clinic, and nothing else about
the patient or the request. The token in the address is a bearer secret, so every page here
(and the 404 for a forged one) is never stored by any cache, sends no Referer to other sites
and asks search engines to stay away; every visit counts towards BOOKING_CHANGE_LINK_RATE_LIMIT, so
guessing links is slow. A link whose appointment is over, or was cancelled or booked afresh,
shows a page that names no appointment (booking/appointment_links.py says which is which).
"""

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from booking import ratelimit
from booking.appointment_forms import AppointmentChangeForm
from booking.appointment_links import LinkState, appointment_for_token
from booking.emails import appointment_when
from booking.models import ConsultationRequest
from booking.services import consultation_request_request_change
from booking.views import too_many_requests

ChangeRequest = ConsultationRequest.ChangeRequest


def _private_link_page(view):
    """Count the visit, then answer `view`'s page with the headers a secret address needs."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        verdict = ratelimit.count_change_link_visit(request)
        if verdict.allowed:
            link = appointment_for_token(token)
            if link is None:
                response = render(request, "404.html", status=404)
            elif link.state != LinkState.CURRENT:
                response = _unavailable(request, passed=link.state == LinkState.PASSED)
            else:
                response = view(request, token, link.consultation_request)
        else:
            response = too_many_requests(request, retry_after=verdict.retry_after, sending=False)
        add_never_cache_headers(response)
        # Not "no-referrer": with it, browsers send "Origin: null" with the page's own form,
        # which Django's CSRF check refuses. "same-origin" still keeps the token from any
        # other site.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _unavailable(request: HttpRequest, *, passed: bool) -> HttpResponse:
    """The page for a link that no longer leads anywhere: it names no appointment."""
    return render(request, "booking/appointment_link_gone.html", {"passed": passed}, status=410)


@require_http_methods(["GET", "HEAD", "POST"])
@_private_link_page
def appointment_change(request: HttpRequest, token: str, consultation_request) -> HttpResponse:
    clinic = consultation_request.appointment_clinic
    if request.method == "POST":
        form = AppointmentChangeForm(request.POST, clinic=clinic)
        if form.is_valid():
            try:
                consultation_request_request_change(
                    consultation_request=consultation_request, **form.change_details()
                )
            except ValidationError:
                # Staff changed or cancelled the appointment while the page was open.
                return _unavailable(request, passed=False)
            return redirect("booking:appointment_change_sent", token=token)
    else:
        form = AppointmentChangeForm(clinic=clinic)
    return render(
        request,
        "booking/appointment_change.html",
        {
            "form": form,
            # Worded as the appointment emails word it.
            "when": appointment_when(consultation_request.appointment_at),
            "clinic": clinic,
            "change_request": consultation_request.change_request,
            "page_title": "Your appointment",
        },
    )


@require_http_methods(["GET", "HEAD"])
@_private_link_page
def appointment_change_sent(request: HttpRequest, token: str, consultation_request):
    """What happens next, after the patient has asked (Post/Redirect/Get)."""
    if not consultation_request.change_request:
        # Staff have dealt with it since: the link's own page shows the appointment as it is.
        return redirect("booking:appointment_change", token=token)
    return render(
        request,
        "booking/appointment_change_sent.html",
        {
            "token": token,
            "cancelling": consultation_request.change_request == ChangeRequest.CANCEL,
            "clinic": consultation_request.appointment_clinic,
            "page_title": "We have your message",
        },
    )
