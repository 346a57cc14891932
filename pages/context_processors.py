from functools import partial

from django.conf import settings

from pages.per_request import published_clinics
from pages.site_urls import absolute_url


def clinic_contact(request):
    """The clinic's name and phone number, shown in every header, footer and sidebar."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_href": "tel:+44" + settings.CLINIC_PHONE.replace(" ", "")[1:],
    }


# The header link each URL name belongs under, so the current section is marked.
NAV_SECTIONS = {
    "article_list": "skin_advice",
    "article_detail": "skin_advice",
    "treatment_list": "treatments",
    "treatment_detail": "treatments",
    "clinic_list": "clinics",
    "clinic_detail": "clinics",
    "team_list": "team",
    "team_member_detail": "team",
}


def site_navigation(request):
    """
    What the header and footer of every page need: the current section, the page's
    canonical address and the clinics listed in the footer.

    `footer_clinics` is lazy (templates call it when they use it): it costs one query only
    on pages that show it, and nothing on pages (or emails) that don't; the booking form on
    the same page reuses that list (pages/per_request.py).
    """
    match = getattr(request, "resolver_match", None)
    if match is None:
        section = ""
    elif match.namespace == "booking":
        section = "booking"
    else:
        section = NAV_SECTIONS.get(match.url_name, "")
    return {
        "nav_section": section,
        "canonical_url": absolute_url(request, request.path),
        "footer_clinics": partial(published_clinics, request),
    }
