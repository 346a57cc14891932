"""Who sees what: clinic scoping, roles and the clinics linked on a staff account."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import ConsultationRequest
from tests.booking.admin_helpers import (
    QUEUE,
    assign_to_me_url,
    change_url,
    messages_of,
    queue,
    read_form,
    submit_change_form,
)
from tests.factories import make_clinic_staff, make_request, make_staff

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status


# --- Clinic scoping -------------------------------------------------------------------


def test_bristol_reception_sees_only_bristol_and_no_preference(reception_client, bristol, london):
    in_bristol = make_request(clinic=bristol)
    anywhere = make_request(clinic=None)
    in_london = make_request(clinic=london)
    assert set(queue(reception_client)) == {in_bristol, anywhere}
    assert queue(reception_client, q=in_london.reference) == []
    assert set(queue(reception_client, q="07700 900123")) == {in_bristol, anywhere}
    assert queue(reception_client, clinic=london.pk) == []
    page = reception_client.get(QUEUE).content.decode()
    assert "Harley St" not in page


def test_another_clinics_request_is_404_on_every_page(client, bristol, london):
    london_request = make_request(clinic=london)
    manager = make_clinic_staff("max", group="Clinic manager", clinics=[bristol])
    client.force_login(manager)
    for url in [
        change_url(london_request),
        reverse("admin:booking_consultationrequest_history", args=[london_request.pk]),
        reverse("admin:booking_consultationrequest_delete", args=[london_request.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(assign_to_me_url(london_request)).status_code == 404
    assert (
        client.post(
            reverse("admin:booking_consultationrequest_delete", args=[london_request.pk]),
            {"post": "yes"},
        ).status_code
        == 404
    )
    assert ConsultationRequest.objects.filter(pk=london_request.pk).exists()


def test_unlinked_staff_see_no_requests_and_are_told_why(client, bristol):
    make_request(clinic=bristol)
    make_request(clinic=None)
    unlinked = make_clinic_staff("new-starter")
    client.force_login(unlinked)
    response = client.get(QUEUE)
    assert list(response.context["cl"].result_list) == []
    assert any("isn’t linked to a clinic" in m for m in messages_of(response))


def test_the_bristol_journey(client, bristol, london):
    """Reception's day with one request: assign, record a call, book; the history shows each
    step, and another clinic's staff never see it."""
    london_request = make_request(clinic=london, full_name="London Patient")
    request = make_request(clinic=bristol, full_name="Bristol Patient")
    amy = make_clinic_staff("amy", clinics=[bristol], first_name="Amy")
    client.force_login(amy)

    assert queue(client) == [request]
    client.post(assign_to_me_url(request))
    submit_change_form(client, request, new_status=Status.CONTACTED, status_note="Called")
    submit_change_form(
        client,
        request,
        new_status=Status.BOOKED,
        appointment_time_0=(timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y"),
        appointment_time_1="10:00",
        booked_clinic=str(bristol.pk),
    )

    page = client.get(change_url(request)).content.decode()
    assert page.index("Assigned to Amy.") < page.index("New → Contacted")
    assert page.index("New → Contacted") < page.index("Contacted → Booked")

    lon = make_clinic_staff("lon", clinics=[london])
    client.force_login(lon)
    assert client.get(change_url(request)).status_code == 404
    assert queue(client, q=request.reference) == []
    assert queue(client, status="all") == [london_request]


# --- Roles and permissions -------------------------------------------------------------


def test_reception_cannot_delete_or_add(reception_client, bristol):
    request = make_request(clinic=bristol)
    assert "delete_selected" not in reception_client.get(QUEUE).content.decode()
    url = reverse("admin:booking_consultationrequest_delete", args=[request.pk])
    assert reception_client.get(url).status_code == 403
    assert reception_client.get(reverse("admin:booking_consultationrequest_add")).status_code == 403


def test_clinic_manager_can_delete_a_request_of_their_clinic(manager_client, bristol):
    request = make_request(clinic=bristol)
    url = reverse("admin:booking_consultationrequest_delete", args=[request.pk])
    assert manager_client.post(url, {"post": "yes"}).status_code == 302
    assert not ConsultationRequest.objects.filter(pk=request.pk).exists()


def test_staff_are_linked_to_clinics_on_the_user_page(admin_client, bristol, london):
    user = make_staff("new-starter")
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = admin_client.get(url)
    form = read_form(response, form_id="user_form")
    assert "staff_profile-0-clinics" in form.field_names

    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    data["staff_profile-0-clinics"] = [str(bristol.pk)]
    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert list(user.staff_profile.clinics.all()) == [bristol]
    page = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Bristol" in page
