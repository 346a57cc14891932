"""The queue's bulk actions: assign, mark contacted, spam and back."""

import pytest

from booking.models import ConsultationRequest, RequestEvent, StaffProfile
from tests.booking.admin_helpers import QUEUE, messages_of, run_action
from tests.factories import make_request, make_staff

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status


def test_assign_to_me_action(reception_client, receptionist, bristol):
    requests = [make_request(clinic=bristol) for _ in range(2)]
    already = make_request(clinic=bristol, assigned_to=receptionist)
    response = run_action(reception_client, "assign_to_me", [*requests, already])
    assert "2 requests assigned to you." in messages_of(response)
    assert "1 already assigned to you." in messages_of(response)
    for request in requests:
        request.refresh_from_db()
        assert request.assigned_to == receptionist
    assert RequestEvent.objects.filter(actor=receptionist).count() == 2


def test_mark_contacted_action_reports_rows_it_could_not_change(
    reception_client, receptionist, bristol
):
    fresh = make_request(clinic=bristol)
    booked = make_request(clinic=bristol, status=Status.BOOKED, reference="CSC-BOOKED")
    response = run_action(reception_client, "mark_contacted", [fresh, booked])
    fresh.refresh_from_db()
    booked.refresh_from_db()
    assert fresh.status == Status.CONTACTED
    assert fresh.events.get().actor == receptionist
    assert booked.status == Status.BOOKED
    shown = messages_of(response)
    assert "1 request marked as contacted." in shown
    assert any(
        m.startswith("Not changed: CSC-BOOKED: A request that is booked has an appointment")
        for m in shown
    )


def test_mark_spam_and_not_spam_actions(reception_client, bristol):
    request = make_request(clinic=bristol)
    run_action(reception_client, "mark_spam", [request])
    request.refresh_from_db()
    assert request.status == Status.SPAM
    run_action(reception_client, "mark_not_spam", [request], query="?status=spam")
    request.refresh_from_db()
    assert request.status == Status.NEW
    assert [e.describe() for e in request.events.all()] == ["New → Spam", "Spam → New"]


def test_actions_need_change_permission(client, bristol):
    request = make_request(clinic=bristol)
    viewer = make_staff("viewer", permissions=["booking.view_consultationrequest"])
    StaffProfile.objects.create(user=viewer).clinics.set([bristol])
    client.force_login(viewer)
    page = client.get(QUEUE).content.decode()
    assert "mark_contacted" not in page
    run_action(client, "mark_contacted", [request])
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_actions_ignore_requests_of_other_clinics(reception_client, london):
    theirs = make_request(clinic=london)
    run_action(reception_client, "mark_spam", [theirs])
    run_action(reception_client, "assign_to_me", [theirs])
    theirs.refresh_from_db()
    assert (theirs.status, theirs.assigned_to) == (Status.NEW, None)
