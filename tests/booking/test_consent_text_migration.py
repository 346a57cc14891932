"""Requests stored before receipts kept their texts: the migration that points them to texts."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from booking import consent

BEFORE = [("booking", "0004_consent_texts"), ("pages", "0001_initial")]
AFTER = [("booking", "0006_consent_texts_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_old_requests_get_their_known_texts_and_a_plain_not_kept_for_the_others():
    apps = migrate(BEFORE)
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    Page = apps.get_model("pages", "Page")
    notice = Page.objects.create(
        title="Privacy notice", slug="privacy", body="Notice, version 3.", version=3
    )
    agreed_at = datetime(2026, 2, 17, 14, 35, 12, tzinfo=UTC)

    def old_request(reference, wording_version, notice_version, **fields):
        return ConsultationRequest.objects.create(
            reference=reference,
            full_name="Zoë O'Connor-Ng",
            email=f"{reference}@example.com",
            phone="+447700900123",
            contact_method="phone",
            confirmed_adult=True,
            consent_given_at=agreed_at,
            consent_wording_version=wording_version,
            privacy_notice_version=notice_version,
            **fields,
        )

    old_request("CSC-AAAAAA", consent.consent_wording_version(), "3")
    old_request("CSC-BBBBBB", "0123456789ab", "2")
    old_request("CSC-CCCCCC", consent.consent_wording_version(), "none")
    old_request("CSC-DDDDDD", "0123456789ab", "2", anonymised_at=agreed_at)

    apps = migrate(AFTER)

    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    ConsentText = apps.get_model("booking", "ConsentText")
    receipts = {
        request.reference: request
        for request in ConsultationRequest.objects.select_related(
            "consent_wording", "privacy_notice"
        )
    }
    current = receipts["CSC-AAAAAA"]
    assert current.consent_wording.text == consent.consent_wording()
    assert current.consent_wording.version == consent.consent_wording_version()
    assert (current.privacy_notice.version, current.privacy_notice.title) == ("3", notice.title)
    assert current.privacy_notice.text == "Notice, version 3."
    assert current.privacy_notice.text_changed_at == notice.text_changed_at
    assert current.privacy_notice.created_at == agreed_at  # first agreed to then

    older = receipts["CSC-BBBBBB"]
    assert older.consent_wording.version == "0123456789ab"
    assert older.consent_wording.text.startswith("Not kept.")
    assert older.privacy_notice.version == "2"
    assert older.privacy_notice.text.startswith("Not kept.")
    assert "Notice, version 3." not in older.privacy_notice.text

    assert receipts["CSC-CCCCCC"].privacy_notice.text == consent.NO_PRIVACY_NOTICE_TEXT
    assert ConsentText.objects.count() == 5  # two wordings, three notices: one row per version

    assert receipts["CSC-BBBBBB"].consent_given_at == agreed_at
    assert receipts["CSC-DDDDDD"].consent_given_at == datetime(2026, 2, 1, tzinfo=UTC)
