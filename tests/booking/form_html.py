"""What a patient's browser shows and sends from a booking form's HTML, and forms filled in."""

import re

from django.template import Context, Template
from django.test import RequestFactory

from booking.forms import ConsultationRequestForm
from tests.factories import TEST_CSRF_SECRET, booking_form_data


def hidden_value(html, name):
    """The value of the hidden input `name`, or None if there is none."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return match[1] if match else None


def selected_option(html, select_name):
    """The value of the selected option of `select_name` ("" for the empty choice), or None."""
    select = re.search(rf'<select name="{select_name}".*?</select>', html, re.S)[0]
    selected = re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)
    return selected[0] if selected else None


def render_form(form):
    """The form's HTML as the booking page renders it (crispy-forms layout included)."""
    request = RequestFactory().get("/book/")
    template = Template("{% load crispy_forms_tags %}{% crispy form %}")
    return template.render(Context({"form": form, "request": request}))


def bound_form(**fields):
    """A booking form sent with a complete request, `fields` changed, and validated (sent by
    the visitor booking_form_data()'s token was issued to)."""
    form = ConsultationRequestForm(booking_form_data(**fields), csrf_secret=TEST_CSRF_SECRET)
    form.is_valid()
    return form
