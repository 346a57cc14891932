"""
Point every existing request to the texts its patient agreed to, and finish anonymising.

Requests stored only the versions: a short hash of the consent wording and the privacy
notice's version number. A version whose text is known (the wording below, or the privacy
page's current version) gets its full text; any other gets a row saying plainly that its text
was not kept, never a guess. Anonymised requests get their consent time cut to the month, as
anonymisation now does.
"""

import hashlib
from datetime import UTC

from django.conf import settings
from django.db import migrations
from django.db.models import Min
from django.db.models.functions import TruncMonth

# The consent wording when this migration was written, copied from booking/consent.py: a
# migration must give the same result whatever that file says later.
WORDING = (
    "I agree that {clinic} may use the information I give on this form, "
    "including information about my health, to respond to my request."
)
WORDING_NOT_KEPT = (
    "Not kept. This request was sent before the website stored the wording patients agree "
    "to; only a fingerprint of the wording (its version) was recorded."
)
NOTICE_NOT_KEPT = (
    "Not kept. This request was sent before the website stored the privacy notices patients "
    "agree to; only the notice's version number was recorded."
)
NO_PRIVACY_NOTICE = "none"
NO_PRIVACY_NOTICE_TEXT = (
    "No privacy notice was published on the website when this request was sent."
)


def store_agreed_texts(apps, schema_editor):
    ConsentText = apps.get_model("booking", "ConsentText")
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    Page = apps.get_model("pages", "Page")

    wording = WORDING.format(clinic=settings.CLINIC_NAME)
    known_wordings = {hashlib.sha256(wording.encode()).hexdigest()[:12]: {"text": wording}}
    known_notices = {NO_PRIVACY_NOTICE: {"text": NO_PRIVACY_NOTICE_TEXT}}
    notice = Page.objects.filter(slug="privacy").first()
    if notice is not None:
        known_notices[str(notice.version)] = {
            "title": notice.title,
            "text": notice.body,
            "text_changed_at": notice.text_changed_at,
        }

    for kind, field, known, not_kept in [
        ("consent_wording", "consent_wording_version", known_wordings, WORDING_NOT_KEPT),
        ("privacy_notice", "privacy_notice_version", known_notices, NOTICE_NOT_KEPT),
    ]:
        versions = (
            ConsultationRequest.objects.order_by()
            .values_list(field)
            .annotate(first_agreed=Min("consent_given_at"))
        )
        for version, first_agreed in versions:
            text, _ = ConsentText.objects.get_or_create(
                kind=kind,
                version=version,
                defaults={"created_at": first_agreed, **known.get(version, {"text": not_kept})},
            )
            ConsultationRequest.objects.filter(**{field: version}).update(**{kind: text})

    ConsultationRequest.objects.filter(anonymised_at__isnull=False).update(
        consent_given_at=TruncMonth("consent_given_at", tzinfo=UTC)
    )


def restore_versions(apps, schema_editor):
    ConsentText = apps.get_model("booking", "ConsentText")
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    for text in ConsentText.objects.all():
        field = f"{text.kind}_version"
        ConsultationRequest.objects.filter(**{text.kind: text}).update(**{field: text.version})


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0004_consent_texts"),
        ("pages", "0001_initial"),
    ]

    operations = [migrations.RunPython(store_agreed_texts, restore_versions)]
