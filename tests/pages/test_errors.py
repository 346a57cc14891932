"""The branded error pages."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path

from tests.pages.html import read_page


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("boom/", boom),
    path("", include("clinic_site.urls")),
]


def test_500_page_renders_with_no_database_and_no_context():
    # No `db` fixture: pytest-django makes any database access fail this test. No request,
    # so no context processors: exactly how Django renders it after a crash.
    html = render_to_string("500.html")

    assert "Sorry, something went wrong" in html
    assert "{{" not in html and "{%" not in html


def test_500_page_gives_the_clinic_phone_number_from_settings():
    # The number is written out in the static template: this keeps it in step with settings.
    html = render_to_string("500.html")
    phone = settings.CLINIC_PHONE
    href = "tel:+44" + phone.replace(" ", "")[1:]

    assert f'<a href="{href}">{phone}</a>' in html
    assert settings.CLINIC_NAME in html


def test_500_page_is_a_complete_page():
    page = read_page(type("Response", (), {"content": render_to_string("500.html").encode()}))

    assert page.html_lang == "en-GB"
    assert len(page.h1s) == 1
    assert page.meta["robots"] == "noindex"


@pytest.mark.urls(__name__)
def test_a_crash_shows_the_branded_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
    assert "a bug" not in response.content.decode()
