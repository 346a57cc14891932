"""The triage queue: what it shows, in which order, its filters and its search."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import ConsultationRequest
from tests.booking.admin_helpers import QUEUE, change_url, queue
from tests.factories import make_clinic_staff, make_request, make_treatment

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome


def test_queue_shows_open_requests_priority_first_then_oldest(admin_client):
    now = timezone.now()
    newest = make_request(created_at=now - timedelta(minutes=5))
    oldest = make_request(created_at=now - timedelta(days=3), status=Status.CONTACTED)
    booked = make_request(created_at=now - timedelta(days=1), status=Status.BOOKED)
    priority = make_request(created_at=now - timedelta(minutes=1), is_clinical_priority=True)
    make_request(status=Status.CLOSED, outcome=Outcome.DUPLICATE)
    make_request(status=Status.SPAM)

    assert queue(admin_client) == [priority, oldest, booked, newest]


def test_queue_columns_say_what_to_do_next(admin_client, bristol):
    now = timezone.now()
    treatment = make_treatment("Skin tags")
    amy = make_clinic_staff("amy", clinics=[bristol], first_name="Amy", last_name="Jones")
    make_request(
        reference="CSC-AAA111",
        full_name="Zoë O'Connor-Ng",
        clinic=bristol,
        treatment=treatment,
        created_at=now - timedelta(hours=3, minutes=5),
        respond_by=now - timedelta(minutes=1),
        is_clinical_priority=True,
        assigned_to=amy,
        status=Status.CONTACTED,
    )
    make_request(
        reference="CSC-BBB222",
        created_at=now - timedelta(days=2, hours=1),
        respond_by=now - timedelta(hours=2),
    )

    page = admin_client.get(QUEUE).content.decode()

    for text in ["CSC-AAA111", "Zoë O&#x27;Connor-Ng", "Skin tags", "Bristol", "Amy Jones"]:
        assert text in page
    assert '<span class="triage-badge triage-badge--contacted">Contacted</span>' in page
    assert '<span class="triage-flag triage-flag--priority">Clinical</span>' in page
    assert '<span class="triage-flag triage-flag--overdue">Overdue</span>' in page
    assert page.count("triage-flag--overdue") == 1
    assert ">3 h<" in page and ">2 d<" in page
    assert "No preference" in page and "Not sure" in page  # the second request


def test_a_request_under_a_minute_old_was_received_just_now(admin_client):
    now = timezone.now()
    new = make_request(created_at=now - timedelta(seconds=20))
    older = make_request(created_at=now - timedelta(minutes=12, seconds=5))

    page = admin_client.get(QUEUE).content.decode()
    assert ">just now<" in page and ">12 min<" in page
    new_page = admin_client.get(change_url(new)).content.decode()
    assert "(just now)" in new_page
    assert "now ago" not in new_page
    assert "(12 min ago)" in admin_client.get(change_url(older)).content.decode()


def test_status_filter_defaults_to_open_and_offers_each_status_and_all(admin_client):
    by_status = {status: make_request(status=status) for status in Status.values}

    response = admin_client.get(QUEUE)
    assert 'class="selected"' in response.content.decode()
    assert set(response.context["cl"].result_list) == {
        by_status[Status.NEW],
        by_status[Status.CONTACTED],
        by_status[Status.BOOKED],
    }
    for status, request in by_status.items():
        assert queue(admin_client, status=status) == [request]
    assert set(queue(admin_client, status="all")) == set(by_status.values())
    assert set(queue(admin_client, status="open")) == set(queue(admin_client))


def test_clinic_filter_includes_no_preference(admin_client, bristol, london):
    in_bristol = make_request(clinic=bristol)
    in_london = make_request(clinic=london)
    anywhere = make_request(clinic=None)
    assert queue(admin_client, clinic=bristol.pk) == [in_bristol]
    assert queue(admin_client, clinic=london.pk) == [in_london]
    assert queue(admin_client, clinic="none") == [anywhere]


def test_treatment_filter_includes_not_sure(admin_client):
    moles = make_treatment("Moles")
    warts = make_treatment("Warts")
    for_moles = make_request(treatment=moles)
    make_request(treatment=warts)
    not_sure = make_request(treatment=None)
    assert queue(admin_client, treatment=moles.pk) == [for_moles]
    assert queue(admin_client, treatment="none") == [not_sure]


def test_assignee_filter_me_unassigned_and_each_person(client, bristol, receptionist):
    colleague = make_clinic_staff("bea", clinics=[bristol], first_name="Bea")
    mine = make_request(clinic=bristol, assigned_to=receptionist)
    theirs = make_request(clinic=bristol, assigned_to=colleague)
    nobodys = make_request(clinic=bristol)
    client.force_login(receptionist)

    assert queue(client, assignee="me") == [mine]
    assert queue(client, assignee="none") == [nobodys]
    assert queue(client, assignee=colleague.pk) == [theirs]
    page = client.get(QUEUE).content.decode()
    assert "Assigned to me" in page and "Unassigned" in page and ">Bea<" in page


def test_assignee_filter_lists_only_people_holding_visible_requests(reception_client, london):
    london_staff = make_clinic_staff("lon", clinics=[london], first_name="Londoner")
    make_request(clinic=london, assigned_to=london_staff)
    assert "Londoner" not in reception_client.get(QUEUE).content.decode()


def test_overdue_and_priority_filters(admin_client):
    now = timezone.now()
    late = make_request(respond_by=now - timedelta(hours=1))
    on_time = make_request(respond_by=now + timedelta(hours=1), is_clinical_priority=True)
    assert queue(admin_client, overdue="yes") == [late]
    assert queue(admin_client, overdue="no") == [on_time]
    assert queue(admin_client, priority="yes") == [on_time]
    assert queue(admin_client, priority="no") == [late]


def test_created_date_filter_and_date_hierarchy(admin_client):
    now = timezone.now()
    recent = make_request(created_at=now - timedelta(days=1))
    old = make_request(created_at=now - timedelta(days=40))

    response = admin_client.get(QUEUE)
    (created_filter,) = [
        spec for spec in response.context["cl"].filter_specs if spec.title == "created at"
    ]
    (past_week,) = [
        choice
        for choice in created_filter.choices(response.context["cl"])
        if choice["display"] == "Past 7 days"
    ]
    response = admin_client.get(QUEUE + past_week["query_string"])
    assert list(response.context["cl"].result_list) == [recent]

    # 40 days apart can't be in the same calendar month.
    old_local = timezone.localtime(old.created_at)
    assert queue(
        admin_client, created_at__year=old_local.year, created_at__month=old_local.month
    ) == [old]


@pytest.mark.parametrize(
    "typed",
    ["07700 900123", "+44 7700 900123", "07700900123", "+447700900123", "(07700) 900-123"],
)
def test_search_finds_a_phone_number_typed_in_any_format(admin_client, typed):
    patient = make_request(phone="+447700900123")
    make_request(phone="+447700900999")
    assert queue(admin_client, q=typed) == [patient]


@pytest.mark.parametrize(
    ("field", "term"),
    [("reference", "csc-xyz789"), ("full_name", "o'connor"), ("email", "SAM@EXAMPLE")],
)
def test_search_by_reference_name_and_email(admin_client, field, term):
    values = {"reference": "CSC-XYZ789", "full_name": "Zoë O'Connor", "email": "sam@example.com"}
    patient = make_request(**{field: values[field]})
    make_request(reference="CSC-OTHER1", full_name="Someone Else", email="else@example.com")
    assert queue(admin_client, q=term) == [patient]


def test_search_looks_in_every_status_but_an_explicit_filter_still_applies(admin_client):
    closed = make_request(phone="+447700900555", status=Status.CLOSED, outcome=Outcome.NO_RESPONSE)
    assert queue(admin_client, q="07700 900555") == [closed]
    assert queue(admin_client, q="07700 900555", status="open") == []


def test_queue_query_count_does_not_grow_with_rows(
    admin_client, bristol, django_assert_num_queries
):
    treatment = make_treatment()
    staff = make_clinic_staff("amy", clinics=[bristol])

    def add(count):
        for _ in range(count):
            make_request(clinic=bristol, treatment=treatment, assigned_to=staff)

    add(1)
    admin_client.get(QUEUE)  # warm-up: content types, sessions
    with CaptureQueriesContext(connection) as one_row:
        assert len(queue(admin_client)) == 1
    add(99)
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = admin_client.get(QUEUE, {"all": ""})
    assert len(response.context["cl"].result_list) == 100
