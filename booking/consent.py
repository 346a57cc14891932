"""
What a patient agrees to when they send a consultation request, and the record of it.

Each request points to the exact consent wording and privacy notice the patient agreed to,
stored once per version as a ConsentText and never changed, with the time they agreed
(consent receipts, UK GDPR article 7(1)). The wording's version is a short hash of the wording
itself, so editing the sentence below creates a new version without anyone having to remember
to bump a number; the notice's version is the privacy page's own (pages.Page.version).
docs/privacy.md describes the record.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import CharField, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from booking.models import ConsentText
from pages.models import Page

PRIVACY_NOTICE_SLUG = "privacy"
# The privacy-notice version recorded when no published notice exists (a fresh install
# before `seed_content`): the receipt then says plainly that no notice was on show.
NO_PRIVACY_NOTICE = "none"
NO_PRIVACY_NOTICE_TEXT = (
    "No privacy notice was published on the website when this request was sent."
)

WORDING = ConsentText.Kind.CONSENT_WORDING
NOTICE = ConsentText.Kind.PRIVACY_NOTICE


def consent_wording() -> str:
    """The sentence the patient ticks a box to agree to, exactly as shown on the form."""
    return (
        f"I agree that {settings.CLINIC_NAME} may use the information I give on this form, "
        "including information about my health, to respond to my request."
    )


def wording_version(wording: str) -> str:
    """Twelve hex characters of the wording's SHA-256: a new wording is a new version."""
    return hashlib.sha256(wording.encode()).hexdigest()[:12]


def consent_wording_version() -> str:
    """The version of the wording on the form now."""
    return wording_version(consent_wording())


def privacy_notice_url() -> str:
    try:
        return reverse("pages:page_detail", kwargs={"slug": PRIVACY_NOTICE_SLUG})
    except NoReverseMatch:
        # The pages app serves simple pages at /<slug>/; this keeps the link right even in a
        # URL configuration without the page route.
        return f"/{PRIVACY_NOTICE_SLUG}/"


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


# --- The texts a request points to ------------------------------------------------------------


@dataclass(frozen=True)
class AgreedTexts:
    """The ConsentText rows (their ids) a request sent now agrees to."""

    consent_wording_id: int
    privacy_notice_id: int


def current_texts() -> AgreedTexts:
    """
    The stored wording and privacy notice on show now: one query once both are stored.

    The first request to agree to a new version stores its text, taken from the same read
    of the notice that gives its version, so a version and its text always match.
    """
    wording = consent_wording()
    version = wording_version(wording)
    found = _stored_ids(
        Q(kind=WORDING, version=version) | Q(kind=NOTICE, version=_notice_version_now())
    )
    if len(found) < 2:
        missing = []
        if WORDING not in found:
            missing.append(ConsentText(kind=WORDING, version=version, text=wording))
        if NOTICE not in found:
            missing.append(_notice_text())
        ConsentText.objects.bulk_create(missing, ignore_conflicts=True)
        found |= _stored_ids(*(Q(kind=text.kind, version=text.version) for text in missing))
    return AgreedTexts(consent_wording_id=found[WORDING], privacy_notice_id=found[NOTICE])


def _published_notice():
    return Page.objects.published().filter(slug=PRIVACY_NOTICE_SLUG)


def _notice_version_now():
    """The published notice's version as stored in ConsentText.version, as an expression."""
    version = _published_notice().annotate(version_text=Cast("version", CharField()))
    return Coalesce(Subquery(version.values("version_text")[:1]), Value(NO_PRIVACY_NOTICE))


def _stored_ids(*conditions: Q) -> dict[str, int]:
    """{kind: id} of the ConsentText rows matching any of the conditions."""
    return dict(
        ConsentText.objects.filter(Q(*conditions, _connector=Q.OR))
        .order_by()
        .values_list("kind", "pk")
    )


def _notice_text() -> ConsentText:
    """The published privacy notice as a ConsentText, or the record that there was none."""
    notice = _published_notice().values("title", "body", "version", "text_changed_at").first()
    if notice is None:
        return ConsentText(kind=NOTICE, version=NO_PRIVACY_NOTICE, text=NO_PRIVACY_NOTICE_TEXT)
    return ConsentText(
        kind=NOTICE,
        version=str(notice["version"]),
        title=notice["title"],
        text=notice["body"],
        text_changed_at=notice["text_changed_at"],
    )
