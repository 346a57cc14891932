"""The privacy notice's version: a new one for each change of wording, and only then."""

import pytest
from django.urls import reverse

from pages.models import Page
from tests.factories import make_page
from tests.pages.test_admin import form_data

pytestmark = pytest.mark.django_db


def notice_change_url(notice):
    return reverse("admin:pages_page_change", args=[notice.pk])


def save_in_the_admin(admin_client, notice, **changes):
    """Open the notice in the admin and save it, sending the text as a browser does."""
    response = admin_client.get(notice_change_url(notice))
    data = form_data(response, **changes)
    # Browsers send a text area's line breaks as CRLF.
    data["body"] = data["body"].replace("\r\n", "\n").replace("\n", "\r\n")
    response = admin_client.post(notice_change_url(notice), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Page.objects.get(pk=notice.pk)


def test_saving_the_seeded_notice_unchanged_in_the_admin_keeps_its_version(admin_client, seeded):
    notice = Page.objects.get(slug="privacy")
    assert notice.body.endswith("\n")  # the seed file's last line break, which the admin drops

    saved = save_in_the_admin(admin_client, notice)

    assert (saved.version, saved.text_changed_at) == (notice.version, notice.text_changed_at)


def test_editing_the_notice_in_the_admin_makes_a_new_version(admin_client):
    notice = make_page(body="We keep your request for 12 months.\n")

    saved = save_in_the_admin(admin_client, notice, body="We keep your request for 6 months.\n")

    assert saved.version == notice.version + 1
    assert saved.text_changed_at > notice.text_changed_at


def test_spaces_and_line_endings_around_the_text_are_not_a_new_version():
    notice = make_page(title="Privacy notice", body="## Who we are\n\nThe clinic.\n")

    notice.title = " Privacy notice "
    notice.body = "\n## Who we are\r\n\r\nThe clinic.  \n\n"
    notice.save()

    notice.refresh_from_db()
    assert notice.version == 1


def test_a_change_inside_the_text_is_a_new_version():
    notice = make_page(body="## Who we are\n\nThe clinic.")

    notice.body = "## Who we are\n\nThe  clinic."
    notice.save()

    notice.refresh_from_db()
    assert notice.version == 2
