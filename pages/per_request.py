"""
Lists that several parts of one page show, fetched once per request.

A content page shows the published clinics twice (the footer, and the booking form's
"Preferred clinic" choices) and the published treatments in the form, and a treatment page
also lists its related treatments. Fetched separately, that is a query each; shared, a page
stays within its fixed query budget (tests/test_performance.py: four, plus the page's own
EXTRA_QUERIES, however many treatments and articles exist).

The lists live on the request, so nothing is shared between visitors or kept after the
response: content edits show at once (and the page cache, clinic_site/page_cache, handles
reuse across requests).
"""

from django.http import HttpRequest

from pages.models import Clinic, FeesAndTerms, Treatment

_CLINICS = "_published_clinics"
_TREATMENTS = "_published_treatments"
_FEES_AND_TERMS = "_fees_and_terms"


def published_clinics(request: HttpRequest | None) -> list[Clinic]:
    """The published clinics, in their listed order; one query per request at most."""
    if request is None:
        return list(Clinic.objects.published())
    if _CLINICS not in request.__dict__:
        request.__dict__[_CLINICS] = list(Clinic.objects.published())
    return request.__dict__[_CLINICS]


def published_clinics_offering(request: HttpRequest, treatment: Treatment) -> list[Clinic]:
    """
    The published clinics, each marked with whether it offers `treatment`
    (`Clinic.objects.with_offer_of`), for a page about it: the same one query serves the
    footer, the booking form's note and the treatment's "where we offer it".
    """
    clinics = request.__dict__.get(_CLINICS)
    if clinics is None or any(
        getattr(clinic, "offer_checked_for", None) != treatment.pk for clinic in clinics
    ):
        clinics = list(Clinic.objects.published().with_offer_of(treatment))
        remember_published_clinics(request, clinics)
    return clinics


def published_treatments(request: HttpRequest | None) -> list[Treatment]:
    """The published treatments, in their listed order; one query per request at most."""
    if request is None:
        return list(Treatment.objects.published())
    if _TREATMENTS not in request.__dict__:
        request.__dict__[_TREATMENTS] = list(Treatment.objects.published())
    return request.__dict__[_TREATMENTS]


def remember_published_clinics(request: HttpRequest, clinics: list[Clinic]) -> None:
    """Use `clinics` (every published one, perhaps annotated) for the rest of the request."""
    request.__dict__[_CLINICS] = clinics


def fees_and_terms(request: HttpRequest | None) -> FeesAndTerms:
    """The site's fees and cancellation terms; one query per request at most."""
    if request is None:
        return FeesAndTerms.load()
    if _FEES_AND_TERMS not in request.__dict__:
        request.__dict__[_FEES_AND_TERMS] = FeesAndTerms.load()
    return request.__dict__[_FEES_AND_TERMS]


def remember_published_treatments(request: HttpRequest, treatments: list[Treatment]) -> None:
    """Use `treatments` (every published one, perhaps annotated) for the rest of the request."""
    request.__dict__[_TREATMENTS] = treatments
