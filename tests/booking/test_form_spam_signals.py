"""The booking form's signs of a bot: a form sent too soon after it was shown, and a honeypot
field that people never see. Neither is an error: the request is kept, marked as spam. A form
token that can't be used is not a sign but a refusal (the form comes back): test_views.py.

The same signals through the /book/ page: test_abuse.py.
"""

import time

import pytest

from booking.forms import ConsultationRequestForm
from tests.booking.form_html import bound_form, render_form
from tests.factories import form_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "token",
    ["", "made-up", form_token()[:-2] + "xx", form_token(csrf_secret="x" * 32)],
    ids=["missing", "made-up", "tampered", "another-visitors"],
)
def test_a_token_that_is_missing_forged_or_another_visitors_reads_as_none(token):
    form = bound_form(form_token=token)
    assert form.is_valid()  # never a field error the patient can't fix
    assert form.token is None


def test_the_visitors_own_token_reads_with_its_nonce_and_time_shown():
    form = bound_form(form_token=form_token(seconds_ago=60))
    assert form.token.issued_at == pytest.approx(time.time() - 60, abs=1)
    assert len(form.token.nonce) >= 16
    assert not form.token.is_expired()


def test_a_token_expires_after_the_configured_time(settings):
    settings.BOOKING_FORM_TOKEN_MAX_AGE = 3600
    assert not bound_form(form_token=form_token(seconds_ago=3590)).token.is_expired()
    assert bound_form(form_token=form_token(seconds_ago=3610)).token.is_expired()


def test_a_form_sent_too_soon_after_it_was_shown_is_a_spam_reason(settings):
    settings.BOOKING_MIN_SECONDS = 3
    form = bound_form(form_token=form_token(seconds_ago=1))
    assert form.spam_reason.startswith("sent 1.")
    assert form.spam_reason.endswith(" s after the form was shown")
    assert bound_form(form_token=form_token(seconds_ago=4)).spam_reason == ""


def test_an_expired_token_passes_the_time_trap(settings):
    settings.BOOKING_MIN_SECONDS = 3
    settings.BOOKING_FORM_TOKEN_MAX_AGE = 3600
    form = bound_form(form_token=form_token(seconds_ago=2 * 3600))
    assert form.token.is_expired()
    assert form.spam_reason == ""


def test_spam_reasons_combine_and_fit_the_model_field(settings):
    settings.BOOKING_MIN_SECONDS = 3
    reason = bound_form(website="x", form_token=form_token(seconds_ago=0)).spam_reason
    assert reason.startswith("honeypot field filled in; sent ")
    assert len(reason) <= 100


def test_the_honeypot_is_hidden_from_people_and_assistive_technology():
    html = render_form(ConsultationRequestForm())
    wrapper_start = html.index('class="visually-hidden"')
    field = html.index('name="website"')
    assert wrapper_start < field
    assert 'aria-hidden="true"' in html[wrapper_start:field]
    tag = html[html.rindex("<input", 0, field) : html.index(">", field)]
    assert 'tabindex="-1"' in tag
    assert 'autocomplete="off"' in tag
