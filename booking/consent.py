"""
What a patient agrees to when they send a consultation request, and which version of it.

Each request stores the consent wording version and the privacy-notice version the patient saw,
with the time they agreed (consent receipts, UK GDPR article 7(1)). The wording's version is a
short hash of the wording itself, so editing the sentence below creates a new version without
anyone having to remember to bump a number.
"""

import hashlib

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from pages.models import Page

PRIVACY_NOTICE_SLUG = "privacy"
# Stored as the privacy-notice version when no published notice exists (a fresh install
# before `seed_content`): the receipt then says plainly that no notice was on show.
NO_PRIVACY_NOTICE = "none"


def consent_wording() -> str:
    """The sentence the patient ticks a box to agree to, exactly as shown on the form."""
    return (
        f"I agree that {settings.CLINIC_NAME} may use the information I give on this form, "
        "including information about my health, to respond to my request."
    )


def consent_wording_version() -> str:
    """Twelve hex characters of the wording's SHA-256: a new wording is a new version."""
    return hashlib.sha256(consent_wording().encode()).hexdigest()[:12]


def privacy_notice_url() -> str:
    try:
        return reverse("pages:page_detail", kwargs={"slug": PRIVACY_NOTICE_SLUG})
    except NoReverseMatch:
        # The pages app serves simple pages at /<slug>/; this keeps the link right even in a
        # URL configuration without the page route.
        return f"/{PRIVACY_NOTICE_SLUG}/"


def privacy_notice_version() -> str:
    """The version of the published privacy notice a patient can read right now."""
    version = (
        Page.objects.published()
        .filter(slug=PRIVACY_NOTICE_SLUG)
        .values_list("version", flat=True)
        .first()
    )
    return NO_PRIVACY_NOTICE if version is None else str(version)


def consent_label() -> str:
    """The consent checkbox's label: the wording, then a link to the privacy notice.

    The link opens in a new tab so that reading the notice doesn't lose the patient's answers
    (GOV.UK's advice for links inside forms), and says so.
    """
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener">Read our privacy notice '
        "(opens in a new tab)</a>.",
        consent_wording(),
        privacy_notice_url(),
    )
