"""
Every promise the site makes to a patient, and the tests that keep it.

PRIVACY_NOTICE lists the privacy notice's promises in its own words (pages/seed/
privacy-notice.md); SITE lists those the form, the confirmation page and docs/privacy.md make.
A sentence of the notice that reads like a promise ("we will", "never", "only", "delete",
"keep"…) must be listed, either with its tests or in KEPT_BY_PEOPLE with who keeps it; and
every test named here must exist. So a promise added to the notice without a test, or a test
renamed away from its promise, fails here and is noticed in review.
"""

import importlib
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
NOTICE = BASE_DIR / "pages" / "seed" / "privacy-notice.md"

EMAILS = "tests/booking/test_notification_content.py"
DIGEST = "tests/booking/test_overdue_digest.py"
RETENTION = "tests/booking/test_retention.py"
PRIVACY = "tests/booking/test_privacy.py"
RIGHTS = "tests/booking/test_rights.py"
ACCESS = "tests/booking/test_admin_access.py"
SERVICES = "tests/booking/test_services.py"
VIEWS = "tests/booking/test_views.py"
FORMS = "tests/booking/test_forms.py"
ABUSE = "tests/booking/test_abuse.py"
TOKENS = "tests/booking/test_form_tokens.py"
RECEIPTS = "tests/booking/test_consent_receipts.py"

CONSENT_RECORD = (
    f"{PRIVACY}::test_each_request_stores_the_consent_wording_and_privacy_notice_texts_and_time",
    f"{SERVICES}::test_the_consent_receipt_records_the_texts_on_show_and_the_time",
    f"{RECEIPTS}::test_a_patient_keeps_the_notice_they_agreed_to_after_staff_edit_it",
    f"{RECEIPTS}::test_a_stored_text_can_never_be_changed",
    f"{RECEIPTS}::test_a_text_a_request_points_to_can_never_be_deleted",
)
ERASURE = (
    f"{RIGHTS}::test_erasure_anonymises_the_person_and_records_who_did_it",
    f"{RIGHTS}::test_erase_person_command_erases_with_no_input",
)
RETENTION_AS_CONFIGURED = (f"{PRIVACY}::test_privacy_notice_retention_periods_match_the_settings",)
CLINIC_SCOPING = (
    f"{ACCESS}::test_bristol_reception_sees_only_bristol_and_no_preference",
    f"{ACCESS}::test_another_clinics_request_is_404_on_every_page",
)
NO_HEALTH_DETAILS_IN_EMAILS = (
    f"{EMAILS}::test_emails_contain_no_health_details",
    f"{EMAILS}::test_a_clinical_priority_changes_only_the_respond_by_time_in_the_staff_email",
    f"{DIGEST}::test_overdue_digest_sends_each_clinic_its_overdue_references_and_links",
)

# The privacy notice's promises, each sentence (or table row, or list item) exactly as the
# notice has it, with the tests that keep it.
PRIVACY_NOTICE = {
    "We also record when you sent the form, the page you sent it from, and which version of "
    "the consent wording and of this notice you agreed to.": (
        *CONSENT_RECORD,
        f"{FORMS}::test_source_path_keeps_only_a_local_path",
    ),
    "This is our record that you gave your consent.": (
        *CONSENT_RECORD,
        "tests/booking/test_admin_request_page.py"
        "::test_the_consent_receipt_shows_the_time_and_the_exact_texts_agreed_to",
        f"{RIGHTS}::test_export_includes_the_exact_wording_and_privacy_notice_the_person_agreed_to",
    ),
    "| Keep a record of your consent, keep the form safe from misuse and spam, and count "
    "requests without names for our planning | Our legitimate interests in running a safe, "
    "accountable service: Article 6(1)(f) |": (
        *CONSENT_RECORD,
        f"{ABUSE}::test_a_filled_honeypot_is_stored_as_spam_and_the_sender_sees_the_usual_confirmation",
        f"{RETENTION}::test_closed_requests_are_anonymised_a_year_after_closing_keeping_counts",
    ),
    "| Send you news and offers, only if you ticked the marketing box | Your consent: "
    "Article 6(1)(a) |": (
        f"{FORMS}::test_marketing_opt_in_is_optional",
        f"{FORMS}::test_no_box_is_ticked_to_begin_with",
    ),
    "We will then stop using your health information and erase your request.": ERASURE,
    "Staff linked to a clinic see only that clinic’s requests and those with no clinic "
    "preference.": CLINIC_SCOPING,
    "Our emails to you and to our team contain only your request’s reference, when you sent "
    "it, the clinic you chose, how and when we aim to contact you, your appointment’s time and "
    "place, who you will see and any change you ask for, how to get to the clinic, our fees "
    "and cancellation terms, our contact details and links to our website.": (
        f"{EMAILS}::test_every_email_says_what_emails_contain_in_the_privacy_notices_words",
        *NO_HEALTH_DETAILS_IN_EMAILS,
    ),
    "They never contain your health details.": NO_HEALTH_DETAILS_IN_EMAILS,
    "Please do not send us medical details or photos by email.": (
        f"{EMAILS}::test_patient_acknowledgement_gives_reference_deadline_phone_and_clinic_reply_to",
    ),
    "| Flagged as spam or misuse | Deleted after 30 days |": (
        f"{RETENTION}::test_spam_is_deleted_30_days_after_it_was_flagged",
        *RETENTION_AS_CONFIGURED,
    ),
    "| Closed (for example, once you have been seen or have told us you do not want an "
    "appointment) | Your name, contact details, answers and message are removed 12 months "
    "after it was closed |": (
        f"{RETENTION}::test_closed_requests_are_anonymised_a_year_after_closing_keeping_counts",
        f"{RETENTION}::test_the_closed_period_is_a_setting",
        *RETENTION_AS_CONFIGURED,
    ),
    "| Left open with no activity for 2 years | Closed, and your details removed in the same "
    "way |": (
        f"{RETENTION}::test_open_requests_untouched_for_two_years_are_closed_and_anonymised",
        *RETENTION_AS_CONFIGURED,
    ),
    "After your details are removed we keep only numbers with no names, such as how many "
    "requests each clinic received in a month, with the request reference.": (
        f"{RETENTION}::test_closed_requests_are_anonymised_a_year_after_closing_keeping_counts",
        f"{RETENTION}::test_erased_spam_is_kept_for_its_audit_trail",
    ),
    "If you ask us to erase your information sooner, we do it straight away (see below).": (
        ERASURE
    ),
    "**access**: ask for a copy of the information we hold about you;": (
        f"{RIGHTS}::test_export_downloads_everything_held_about_the_person_as_json",
    ),
    "**erasure**: ask us to delete your information;": ERASURE,
    "**portability**: ask for your information in a format a computer can read, to give to "
    "someone else;": (f"{RIGHTS}::test_export_downloads_everything_held_about_the_person_as_json",),
    "This website sends everything over an encrypted connection.": (
        "tests/clinic_site/test_headers.py"
        "::test_under_https_plain_http_is_redirected_and_hsts_is_preload_ready",
        "tests/clinic_site/test_deploy.py::test_production_settings_are_the_secure_ones",
        "tests/clinic_site/test_deploy.py"
        "::test_deploy_check_warns_about_a_local_or_plain_http_site_url",
    ),
    "Our staff sign in to see requests, and only staff who need a request can see it.": (
        f"{RIGHTS}::test_signed_out_visitors_are_sent_to_the_staff_login",
        "tests/clinic_site/test_two_factor.py::test_staff_with_a_device_must_enter_a_code",
        *CLINIC_SCOPING,
    ),
    "When we change this notice, its version number goes up.": (
        "tests/pages/test_privacy_notice_versions.py"
        "::test_editing_the_notice_in_the_admin_makes_a_new_version",
        f"{PRIVACY}::test_editing_the_privacy_notice_raises_the_version_new_requests_record",
    ),
    "We keep a record of the version you agreed to when you sent your request.": (
        f"{SERVICES}::test_the_privacy_notice_agreed_to_is_the_published_notice",
        f"{RECEIPTS}::test_a_patient_keeps_the_notice_they_agreed_to_after_staff_edit_it",
        f"{RIGHTS}::test_export_includes_the_exact_wording_and_privacy_notice_the_person_agreed_to",
    ),
}

# Sentences of the notice that read like promises but are kept by the clinic's people and
# contracts, not by this software: who keeps each.
KEPT_BY_PEOPLE = {
    "Your medical records are kept in our clinical records, not on this website.": (
        "the clinic's clinical records system; the form asks for no records or files"
    ),
    "They act only on our instructions and under contract.": (
        "the clinic's contracts with its hosting and email providers"
    ),
    "We do not sell your information or share it with anyone else, unless the law requires "
    "us to.": "the clinic's data protection lead",
    "We answer within one month, free of charge.": (
        "staff, following docs/staff-guide.md (patients' data rights requests)"
    ),
}

# Promises made elsewhere: on the form, on the confirmation page, and in docs/privacy.md.
# Each is (the file that makes it, its words there, the tests that keep it).
SITE = [
    (
        "templates/booking/request_form.html",
        "We get your request straight away and give you a reference.",
        (f"{VIEWS}::test_a_good_request_is_stored_and_redirected_to_its_confirmation",),
    ),
    (
        "templates/booking/request_form.html",
        "We aim to contact you within {{ response_time }}, by phone or email as you prefer.",
        (
            f"{SERVICES}::test_the_response_target_follows_the_working_day_rule",
            "tests/booking/test_response_targets.py"
            "::test_response_deadline_counts_working_days_only",
            f"{VIEWS}::test_confirmation_says_email_when_the_patient_chose_email",
        ),
    ),
    (
        "booking/consent.py",
        "may use the information I give on this form, ",
        (*CONSENT_RECORD, f"{FORMS}::test_consent_is_required"),
    ),
    (
        "templates/booking/confirmation.html",
        "You told us it has changed, bled or become itchy recently, so we will look at your "
        "request first.",
        (
            f"{SERVICES}"
            "::test_a_yes_to_changed_bled_or_itchy_is_a_clinical_priority_with_a_sooner_target",
            f"{VIEWS}::test_a_yes_to_changed_bled_or_itchy_shows_a_calm_gp_note",
            f"{VIEWS}::test_the_health_sentence_shows_only_in_the_minutes_after_sending",
            f"{VIEWS}::test_confirmation_shows_nothing_the_patient_typed",
            f"{VIEWS}::test_another_patients_confirmation_cannot_be_guessed",
        ),
    ),
    (
        # The one-time form token: sending the form twice stores one request and shows its
        # own confirmation; someone else's, a forged or an old form never shows another
        # patient's request (the form comes back with this message), and no genuine request
        # is lost to an old form.
        "booking/forms.py",
        "Please check your details and send your request again.",
        (
            f"{TOKENS}"
            "::test_the_same_form_sent_twice_by_the_same_visitor_gives_one_request_and_their_confirmation",
            f"{TOKENS}::test_a_token_from_another_visitors_form_brings_the_form_back_and_reveals_nothing",
            f"{TOKENS}::test_a_forged_token_brings_the_form_back_and_reveals_nothing",
            f"{TOKENS}::test_an_expired_token_with_valid_answers_is_stored_with_its_own_confirmation",
            f"{TOKENS}"
            "::test_an_expired_token_already_used_brings_the_form_back_not_the_earlier_request",
            f"{SERVICES}::test_the_same_form_token_twice_stores_one_request",
        ),
    ),
    (
        "docs/privacy.md",
        "The code logs references and ids, never a name, email address, phone number or message",
        (
            "tests/booking/test_logging.py"
            "::test_a_booking_and_everything_around_it_logs_no_personal_data",
            f"{PRIVACY}::test_every_configured_log_handler_masks_personal_data",
            f"{PRIVACY}::test_a_booking_and_its_emails_log_no_personal_data",
            "tests/clinic_site/test_operations.py"
            "::test_gunicorn_access_log_goes_to_stdout_without_query_strings_or_addresses",
            # Nor a confirmation link's signed part, which shows a request for a while.
            "tests/clinic_site/test_log_redaction.py"
            "::test_gunicorns_access_log_holds_no_signed_part_of_a_confirmation_link",
            "tests/clinic_site/test_log_redaction.py"
            "::test_djangos_warning_for_a_confirmation_link_holds_no_signed_part",
        ),
    ),
]

# What makes a sentence of the notice read like a promise.
PROMISE_WORDS = re.compile(
    r"\b(we will|never|only|delet\w*|keep\w*|kept|remov\w*|eras\w*|record|do not|within|"
    r"straight away)\b",
    re.IGNORECASE,
)


def notice_sentences(markdown: str) -> list[str]:
    """The notice's prose sentences, list items and table rows, without headings."""
    sentences = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or set(line) <= set("|-: "):
            continue
        if line.startswith("|"):
            sentences.append(line)  # a table row is read as one promise
            continue
        line = line.removeprefix("- ")
        sentences += re.split(r"(?<=[.!?])\s+(?=[A-Z*])", line)
    return sentences


def all_listed_tests() -> list[str]:
    tests = {test for tests in PRIVACY_NOTICE.values() for test in tests}
    tests |= {test for _, _, tests in SITE for test in tests}
    return sorted(tests)


def test_every_promise_in_the_privacy_notice_is_listed():
    promise_like = [
        sentence
        for sentence in notice_sentences(NOTICE.read_text(encoding="utf-8"))
        if PROMISE_WORDS.search(sentence)
    ]
    assert promise_like, "the notice has no promise-like sentences: is PROMISE_WORDS right?"
    unlisted = [s for s in promise_like if s not in PRIVACY_NOTICE and s not in KEPT_BY_PEOPLE]
    assert unlisted == [], "List these in tests/test_promises.py with the tests that keep them"


def test_every_listed_promise_is_still_in_the_privacy_notice():
    sentences = set(notice_sentences(NOTICE.read_text(encoding="utf-8")))
    gone = [s for s in [*PRIVACY_NOTICE, *KEPT_BY_PEOPLE] if s not in sentences]
    assert gone == []


@pytest.mark.parametrize(("path", "words"), [(path, words) for path, words, _ in SITE])
def test_every_listed_site_promise_is_still_made(path, words):
    assert words in (BASE_DIR / path).read_text(encoding="utf-8")


def test_every_promise_has_a_test():
    assert all(PRIVACY_NOTICE.values())
    assert all(tests for _, _, tests in SITE)


@pytest.mark.parametrize("test", all_listed_tests())
def test_every_listed_test_exists(test):
    path, name = test.split("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert name.startswith("test_")
    assert callable(getattr(module, name, None)), f"{test} no longer exists"
