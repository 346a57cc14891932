"""Queue tools: failed-email filter and resend, data-rights link, odd filters."""

import pytest
from django.urls import reverse

from booking.models import ConsultationRequest
from tests.factories import make_request

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:booking_consultationrequest_changelist")
State = ConsultationRequest.NotificationState


def test_emails_filter_lists_only_requests_with_a_failed_email(admin_client):
    failed = make_request(patient_notification=State.FAILED, staff_notification=State.SENT)
    fine = make_request(patient_notification=State.SENT, staff_notification=State.SENT)

    response = admin_client.get(QUEUE, {"emails": "failed"})

    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert failed.pk in shown
    assert fine.pk not in shown


def test_resend_action_sends_only_the_failed_email_again(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    request = make_request(patient_notification=State.FAILED, staff_notification=State.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            QUEUE,
            {"action": "resend_failed_emails", "_selected_action": [request.pk]},
            follow=True,
        )

    assert response.status_code == 200
    request.refresh_from_db()
    assert request.patient_notification == State.SENT
    assert [message.to for message in mailoutbox] == [[request.email]]


def test_admin_home_links_to_data_rights_only_for_permitted_staff(admin_client, client):
    from tests.factories import make_staff

    assert "Patients' data rights" in admin_client.get(reverse("admin:index")).text
    client.force_login(make_staff(permissions=["booking.view_consultationrequest"]))
    assert "data rights" not in client.get(reverse("admin:index")).text


@pytest.mark.parametrize("parameter", ["clinic", "treatment", "assignee"])
@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "abc"])
def test_odd_filter_values_never_break_the_queue(admin_client, parameter, value):
    make_request()

    response = admin_client.get(QUEUE, {parameter: value})

    assert response.status_code in (200, 302)
