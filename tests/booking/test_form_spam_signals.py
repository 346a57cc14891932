"""The booking form's signs of a bot: a forged or missing token, a form sent too soon, and a
honeypot field that people never see. None is an error: the request is kept, marked as spam.

The same signals through the /book/ page: test_abuse.py.
"""

import time

import pytest

from booking.forms import ConsultationRequestForm
from booking.tokens import new_form_token
from tests.booking.form_html import bound_form, render_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "token",
    ["", "made-up", new_form_token()[:-2] + "xx"],
    ids=["missing", "made-up", "tampered"],
)
def test_a_missing_or_forged_token_is_a_spam_reason(token):
    form = bound_form(form_token=token)
    assert form.is_valid()  # never an error the patient can't fix
    assert form.spam_reason == "no valid form token"


def test_a_form_sent_too_soon_after_it_was_shown_is_a_spam_reason(settings):
    settings.BOOKING_MIN_SECONDS = 3
    form = bound_form(form_token=new_form_token(issued_at=time.time() - 1))
    assert form.spam_reason.startswith("sent 1.")
    assert form.spam_reason.endswith(" s after the form was shown")
    assert bound_form(form_token=new_form_token(issued_at=time.time() - 4)).spam_reason == ""


def test_spam_reasons_combine_and_fit_the_model_field(settings):
    settings.BOOKING_MIN_SECONDS = 3
    reason = bound_form(website="x", form_token=new_form_token()).spam_reason
    assert reason.startswith("honeypot field filled in; sent 0.")
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
