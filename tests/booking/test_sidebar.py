"""The booking form beside every article, treatment and clinic page, and what it sends."""

import time
from unittest import mock

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from booking.models import ConsultationRequest
from booking.tokens import read_form_token
from tests.booking.form_html import hidden_value, selected_option
from tests.factories import booking_form_data, make_article, make_clinic, make_treatment

pytestmark = pytest.mark.django_db


def render_sidebar(path="/treatments/moles/", **context):
    request = RequestFactory().get(path)
    template = Template('{% include "includes/booking_sidebar.html" %}')
    context.setdefault("clinic_phone", "020 7386 0464")
    context.setdefault("clinic_phone_href", "tel:+442073860464")
    return request, template.render(Context({"request": request, **context}))


def test_sidebar_offers_the_form_and_the_phone_number():
    _request, html = render_sidebar()
    assert "please complete this form or call" in html
    assert "to the right" not in html  # not true on a phone
    assert '<a href="tel:+442073860464" class="text-nowrap">020 7386 0464</a>' in html
    assert 'action="/book/"' in html


def test_sidebar_preselects_the_pages_treatment_or_clinic():
    moles = make_treatment("Moles")
    bristol = make_clinic("Bristol")
    request, html = render_sidebar(preselect_treatment=moles, preselect_clinic=bristol)
    assert selected_option(html, "treatment") == "moles"
    assert selected_option(html, "clinic") == "bristol"
    assert hidden_value(html, "source_path") == "/treatments/moles/"
    # Bound to the CSRF secret the page's response sets as the visitor's cookie.
    secret = request.META["CSRF_COOKIE"]
    assert read_form_token(hidden_value(html, "form_token"), csrf_secret=secret) is not None


def test_sidebar_without_preselection_selects_nothing():
    make_treatment("Moles")
    _request, html = render_sidebar(preselect_treatment=None, preselect_clinic=None)
    assert selected_option(html, "treatment") == ""


def test_treatment_page_sidebar_preselects_the_treatment(client):
    make_treatment("Moles", asks_about_changes=True)
    html = client.get("/treatments/moles/").content.decode()
    assert selected_option(html, "treatment") == "moles"
    assert hidden_value(html, "source_path") == "/treatments/moles/"
    assert 'name="recent_change"' in html


def test_a_treatment_page_that_does_not_ask_leaves_the_changes_question_out(client):
    make_treatment("Milia", asks_about_changes=False)
    html = client.get("/treatments/milia/").content.decode()
    assert selected_option(html, "treatment") == "milia"
    assert 'name="recent_change"' not in html


def test_clinic_page_sidebar_preselects_the_clinic(client):
    make_clinic("Bristol")
    html = client.get("/clinics/bristol/").content.decode()
    assert selected_option(html, "clinic") == "bristol"
    assert hidden_value(html, "source_path") == "/clinics/bristol/"


def test_a_request_from_the_milia_article_sidebar_is_stored_with_its_page(client):
    article = make_article()
    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    assert 'id="booking-sidebar-heading"' in html
    data = booking_form_data(
        form_token=hidden_value(html, "form_token"),
        source_path=hidden_value(html, "source_path"),
    )
    with mock.patch("booking.tokens.time.time", return_value=time.time() + 60):
        response = client.post("/book/", data)
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.source_path == article.get_absolute_url()
    assert stored.status == ConsultationRequest.Status.NEW
    assert stored.reference in client.get(response["Location"]).content.decode()


def test_a_sidebar_form_with_problems_comes_back_on_the_book_page_keeping_its_page(client):
    response = client.post(
        "/book/", booking_form_data(full_name="", source_path="/clinics/bristol/")
    )
    assert response.status_code == 200
    assert response.wsgi_request.path == "/book/"
    assert hidden_value(response.content.decode(), "source_path") == "/clinics/bristol/"
