"""
Lists that several parts of one page show, fetched once per request.

A content page shows the published clinics twice (the footer, and the booking form's
"Preferred clinic" choices) and the published treatments in the form, and a treatment page
also lists its related treatments. Fetched separately, that is a query each; shared, a page
stays within its query budget (tests/test_performance.py: at most four, however many
treatments and articles exist).

The lists live on the request, so nothing is shared between visitors or kept after the
response: content edits show at once (and the page cache, clinic_site/page_cache, handles
reuse across requests).
"""

from django.http import HttpRequest

from pages.models import Clinic, Treatment

_CLINICS = "_published_clinics"
_TREATMENTS = "_published_treatments"


def published_clinics(request: HttpRequest | None) -> list[Clinic]:
    """The published clinics, in their listed order; one query per request at most."""
    if request is None:
        return list(Clinic.objects.published())
    if _CLINICS not in request.__dict__:
        request.__dict__[_CLINICS] = list(Clinic.objects.published())
    return request.__dict__[_CLINICS]


def published_treatments(request: HttpRequest | None) -> list[Treatment]:
    """The published treatments, in their listed order; one query per request at most."""
    if request is None:
        return list(Treatment.objects.published())
    if _TREATMENTS not in request.__dict__:
        request.__dict__[_TREATMENTS] = list(Treatment.objects.published())
    return request.__dict__[_TREATMENTS]


def remember_published_treatments(request: HttpRequest, treatments: list[Treatment]) -> None:
    """Use `treatments` (every published one, perhaps annotated) for the rest of the request."""
    request.__dict__[_TREATMENTS] = treatments
