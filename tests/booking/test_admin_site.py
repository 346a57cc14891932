"""The admin as a whole: the home page summary, no caching or indexing, every page answers."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from booking.models import ConsultationRequest, RequestEvent, RequestNote
from booking.services import consultation_request_add_note, consultation_request_transition
from tests.booking.admin_helpers import QUEUE, assign_to_me_url, change_url, queue
from tests.factories import make_clinic_staff, make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status


# --- Admin home -----------------------------------------------------------------------


def test_admin_home_counts_per_clinic_with_links(reception_client, bristol, london):
    now = timezone.now()
    make_request(clinic=bristol)
    make_request(clinic=bristol, respond_by=now - timedelta(hours=1), is_clinical_priority=True)
    make_request(clinic=bristol, respond_by=now - timedelta(hours=2))
    make_request(clinic=bristol, status=Status.CONTACTED, respond_by=now - timedelta(hours=2))
    make_request(clinic=None)
    make_request(clinic=london)
    make_request(clinic=london, is_clinical_priority=True)

    page = reception_client.get(reverse("admin:index")).content.decode()

    assert 'aria-label="3 new, Bristol">3</a>' in page
    assert 'aria-label="2 overdue, Bristol">2</a>' in page
    assert 'aria-label="1 clinical priority, Bristol">1</a>' in page
    assert 'aria-label="1 new, No preference">1</a>' in page
    assert 'aria-label="4 new, All">4</a>' in page
    assert "Harley St" not in page
    assert f'href="{QUEUE}?clinic={bristol.pk}&amp;status=new"' in page
    assert f'href="{QUEUE}?clinic={bristol.pk}&amp;overdue=yes"' in page
    assert 'href="' + QUEUE + '?clinic=none&amp;priority=yes"' in page
    # The usual app list is still there.
    assert "Consultation requests" in page and 'class="app-booking' in page


def test_admin_home_links_open_the_matching_queue(reception_client, bristol):
    now = timezone.now()
    late = make_request(clinic=bristol, respond_by=now - timedelta(hours=1))
    make_request(clinic=bristol, respond_by=now + timedelta(hours=1))
    assert queue(reception_client, clinic=bristol.pk, overdue="yes") == [late]


def test_superuser_home_lists_every_clinic(admin_client, bristol, london):
    make_request(clinic=london)
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert 'aria-label="1 new, London Harley St">1</a>' in page
    assert 'aria-label="0 new, Bristol">0</a>' in page


def test_unlinked_staff_home_explains_why_there_is_nothing(client):
    client.force_login(make_clinic_staff("new-starter"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "isn’t linked to a clinic yet" in page


# --- Privacy of the admin itself --------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:booking_consultationrequest_changelist",
        "admin:password_change",
        "admin:jsi18n",
    ],
)
def test_admin_pages_are_never_cached_and_not_indexed(admin_client, url_name):
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_request_page_and_login_are_never_cached(admin_client, client):
    request = make_request()
    for response in [
        admin_client.get(change_url(request)),
        client.get(reverse("admin:login")),
        admin_client.post(assign_to_me_url(request)),
    ]:
        assert "no-store" in response["Cache-Control"]


def test_admin_is_marked_noindex_and_shows_the_site_name(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "NONE,NOARCHIVE" not in page
    assert f"{settings.CLINIC_NAME} staff" in page
    assert "css/admin-triage.css" in page


def test_admin_templates_have_no_inline_script_or_style():
    for template in (Path(settings.BASE_DIR) / "templates" / "admin").rglob("*.html"):
        source = template.read_text()
        for banned in ("<script", "<style", "style="):
            assert banned not in source, f"{template}: {banned}"


# --- Every page answers -----------------------------------------------------------------


def registered_models():
    return sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


@pytest.mark.parametrize(("app_label", "model_name"), registered_models())
def test_every_admin_changelist_and_add_page_answers_for_a_superuser(
    admin_client, app_label, model_name
):
    changelist = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    add = admin_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code in {200, 403}


def test_request_pages_answer_for_a_superuser(admin_client, bristol):
    request = make_request(clinic=bristol)
    admin_user = get_user_model().objects.get(username="admin")
    consultation_request_add_note(consultation_request=request, text="A note", by=admin_user)
    for name in ["change", "history", "delete"]:
        url = reverse(f"admin:booking_consultationrequest_{name}", args=[request.pk])
        assert admin_client.get(url).status_code == 200, name
    assert admin_client.get(reverse("admin:booking_consultationrequest_add")).status_code == 403
    for name in ["change", "history"]:
        url = reverse(f"admin:auth_user_{name}", args=[admin_user.pk])
        assert admin_client.get(url).status_code == 200, name
    assert admin_client.get(reverse("admin:auth_user_add")).status_code == 200


def test_request_pages_answer_for_reception(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    consultation_request_add_note(consultation_request=request, text="A note", by=receptionist)
    consultation_request_transition(
        consultation_request=request, status=Status.CONTACTED, by=receptionist
    )
    assert reception_client.get(reverse("admin:index")).status_code == 200
    assert reception_client.get(QUEUE).status_code == 200
    for name in ["change", "history"]:
        url = reverse(f"admin:booking_consultationrequest_{name}", args=[request.pk])
        assert reception_client.get(url).status_code == 200, name
    # Reception can't manage staff accounts.
    assert reception_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_notes_and_events_have_no_admin_of_their_own():
    # They are only ever seen (and notes added) on their request's page, inside its scoping.
    assert RequestNote not in admin.site._registry
    assert RequestEvent not in admin.site._registry
