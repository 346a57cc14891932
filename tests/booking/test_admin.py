"""Staff triage in the admin, through the real stack: the queue, the request page, actions,
CSV export, clinic scoping, roles and the admin home."""

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booking.models import ConsultationRequest, RequestEvent, RequestNote, StaffProfile
from tests.factories import (
    make_clinic,
    make_clinic_staff,
    make_request,
    make_staff,
    make_treatment,
)

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome
QUEUE = reverse("admin:booking_consultationrequest_changelist")


def change_url(request):
    return reverse("admin:booking_consultationrequest_change", args=[request.pk])


def assign_to_me_url(request):
    return reverse("admin:booking_consultationrequest_assign_to_me", args=[request.pk])


def queue(client, **params):
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


class FormReader(HTMLParser):
    """Reads a form's fields the way a browser would submit them (no JavaScript)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.data = []
        self.field_names = set()
        self.select = None
        self.select_options = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            self.field_names.add(name)
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.field_names.add(name)
            self.select, self.select_options = name, []
        elif tag == "option" and self.select:
            self.select_options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.field_names.add(name)
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and self.select_options:
                chosen = [self.select_options[0][0]]
            self.data.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.append((name, text.removeprefix("\n")))
            self.textarea = None


def read_form(response, form_id="consultationrequest_form"):
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return reader


def submit_change_form(client, request, **changes):
    """Load the request page, change some fields as a person would, and send it."""
    response = client.get(change_url(request))
    assert response.status_code == 200
    form = read_form(response)
    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    return client.post(change_url(request), data)


def run_action(client, action, requests, **extra):
    data = {
        "action": action,
        ACTION_CHECKBOX_NAME: [str(r.pk) for r in requests],
        "index": "0",
        **extra,
    }
    return client.post(QUEUE + extra.pop("query", ""), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def bristol():
    return make_clinic("Bristol")


@pytest.fixture
def london():
    # Not just "London": the admin names the time zone, Europe/London, on every page.
    return make_clinic("London Harley St", slug="london")


@pytest.fixture
def receptionist(bristol):
    return make_clinic_staff("amy", clinics=[bristol], first_name="Amy", last_name="Jones")


@pytest.fixture
def reception_client(client, receptionist):
    client.force_login(receptionist)
    return client


@pytest.fixture
def manager(bristol):
    return make_clinic_staff("max", group="Clinic manager", clinics=[bristol], first_name="Max")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# --- The queue ------------------------------------------------------------------------


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


# --- The request page -----------------------------------------------------------------


def test_patient_answers_are_read_only_and_escaped(reception_client, bristol):
    request = make_request(
        clinic=bristol,
        full_name="<b>Bold</b> Name",
        message='<script>alert("x")</script>\nSecond line',
        best_time_to_call="<img src=x onerror=alert(1)>",
        consent_wording_version="consent-v3",
        privacy_notice_version="7",
        staff_notification=ConsultationRequest.NotificationState.SENT,
        patient_notification=ConsultationRequest.NotificationState.FAILED,
    )
    response = reception_client.get(change_url(request))
    page = response.content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>Second line" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in page
    for shown in ["consent-v3", "Consent receipt", "Sent", "Failed"]:
        assert shown in page
    form = read_form(response)
    patient_fields = {
        "full_name",
        "email",
        "phone",
        "message",
        "clinic",
        "treatment",
        "best_time_to_call",
        "recent_change",
        "consent_given_at",
        "consent_wording_version",
        "privacy_notice_version",
        "staff_notification",
        "patient_notification",
        "status",
        "outcome",
        "respond_by",
    }
    assert not patient_fields & form.field_names


def test_posting_patient_fields_changes_nothing(reception_client, bristol):
    request = make_request(clinic=bristol, full_name="Real Name", email="real@example.com")
    response = submit_change_form(
        reception_client,
        request,
        full_name="Changed",
        email="changed@example.com",
        status=Status.CLOSED,
        message="tampered",
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.full_name, request.email, request.status, request.message) == (
        "Real Name",
        "real@example.com",
        Status.NEW,
        "",
    )


def test_phone_is_shown_nationally_with_a_tel_link(reception_client, bristol):
    request = make_request(clinic=bristol, phone="+447700900123", email="a@example.com")
    page = reception_client.get(change_url(request)).content.decode()
    assert '<a href="tel:+447700900123">07700 900123</a>' in page
    assert '<a href="mailto:a@example.com">a@example.com</a>' in page


def test_status_change_through_the_form_is_recorded_with_the_user(
    reception_client, receptionist, bristol
):
    request = make_request(clinic=bristol)
    response = submit_change_form(
        reception_client, request, new_status=Status.CONTACTED, status_note="Left a voicemail"
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    event = request.events.get()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        receptionist,
        Status.NEW,
        Status.CONTACTED,
        "Left a voicemail",
    )


def test_status_choices_are_only_the_allowed_moves(reception_client, bristol):
    request = make_request(clinic=bristol, status=Status.CONTACTED)
    page = reception_client.get(change_url(request)).content.decode()
    select = page.split('name="new_status"')[1].split("</select>")[0]
    assert 'value="booked"' in select and 'value="closed"' in select
    assert 'value="spam"' not in select and 'value="new"' not in select


def test_a_forbidden_move_posted_anyway_is_refused(reception_client, bristol):
    request = make_request(clinic=bristol, status=Status.CONTACTED)
    response = submit_change_form(reception_client, request, new_status=Status.SPAM)
    assert response.status_code == 200  # the form again, with the error
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    assert not request.events.exists()


def test_closing_without_an_outcome_shows_the_error_on_the_form(reception_client, bristol):
    request = make_request(clinic=bristol)
    response = submit_change_form(reception_client, request, new_status=Status.CLOSED)
    assert response.status_code == 200
    assert "Choose an outcome to close the request." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_closing_with_an_outcome(reception_client, bristol):
    request = make_request(clinic=bristol)
    submit_change_form(
        reception_client, request, new_status=Status.CLOSED, close_outcome=Outcome.NOT_SUITABLE
    )
    request.refresh_from_db()
    assert (request.status, request.outcome) == (Status.CLOSED, Outcome.NOT_SUITABLE)


def test_booking_through_the_form_needs_and_stores_the_appointment(
    reception_client, bristol, london
):
    request = make_request(clinic=bristol, status=Status.CONTACTED)
    response = submit_change_form(reception_client, request, new_status=Status.BOOKED)
    assert response.status_code == 200
    assert "Enter the appointment date and time." in response.content.decode()

    day = timezone.localdate() + timedelta(days=10)
    response = submit_change_form(
        reception_client,
        request,
        new_status=Status.BOOKED,
        appointment_time_0=day.strftime("%d/%m/%Y"),
        appointment_time_1="14:30",
        booked_clinic=str(london.pk),
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.BOOKED
    local = timezone.localtime(request.appointment_at)
    assert (local.date(), local.hour, local.minute) == (day, 14, 30)
    assert request.appointment_clinic == london


def test_outcome_without_choosing_closed_is_an_error(reception_client, bristol):
    request = make_request(clinic=bristol)
    response = submit_change_form(reception_client, request, close_outcome=Outcome.DUPLICATE)
    assert "Choose “Closed” to record an outcome." in response.content.decode()
    request.refresh_from_db()
    assert request.outcome == ""


def test_assignment_and_priority_through_the_form(reception_client, receptionist, bristol):
    colleague = make_clinic_staff("bea", clinics=[bristol], first_name="Bea")
    request = make_request(clinic=bristol)
    respond_by_before = request.respond_by

    submit_change_form(
        reception_client, request, assigned_to=str(colleague.pk), is_clinical_priority="on"
    )

    request.refresh_from_db()
    assert request.assigned_to == colleague
    assert request.is_clinical_priority
    assert request.respond_by != respond_by_before
    assert {(e.action, e.actor) for e in request.events.all()} == {
        (RequestEvent.Action.ASSIGNED, receptionist),
        (RequestEvent.Action.PRIORITY, receptionist),
    }


def test_assignee_menu_is_a_plain_list_of_colleagues(admin_client, bristol):
    request = make_request(clinic=bristol)
    page = admin_client.get(change_url(request)).content.decode()
    assert 'id="add_id_assigned_to"' not in page
    assert 'id="change_id_assigned_to"' not in page


def test_cannot_assign_to_staff_of_another_clinic(reception_client, bristol, london):
    london_staff = make_clinic_staff("lon", clinics=[london], first_name="Londoner")
    request = make_request(clinic=bristol)
    page = reception_client.get(change_url(request)).content.decode()
    assert "Londoner" not in page
    response = submit_change_form(reception_client, request, assigned_to=str(london_staff.pk))
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.assigned_to is None


def test_assign_to_me_button(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    page = reception_client.get(change_url(request)).content.decode()
    assert f'action="{assign_to_me_url(request)}"' in page

    response = reception_client.post(assign_to_me_url(request), follow=True)

    request.refresh_from_db()
    assert request.assigned_to == receptionist
    assert request.events.get().actor == receptionist
    assert f"{request.reference} is assigned to you." in messages_of(response)
    assert 'action="' + assign_to_me_url(request) not in response.content.decode()


def test_assign_to_me_needs_post_and_change_permission(client, bristol):
    request = make_request(clinic=bristol)
    viewer = make_staff("viewer", permissions=["booking.view_consultationrequest"])
    StaffProfile.objects.create(user=viewer).clinics.set([bristol])
    client.force_login(viewer)
    response = client.get(change_url(request))
    assert response.status_code == 200
    assert "Assign to me" not in response.content.decode()
    assert client.get(assign_to_me_url(request)).status_code == 405
    assert client.post(assign_to_me_url(request)).status_code == 403
    request.refresh_from_db()
    assert request.assigned_to is None


def test_notes_are_append_only(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    first = request.add_note("First call: no answer", by=receptionist)

    response = reception_client.get(change_url(request))
    form = read_form(response)
    assert "notes-0-text" not in form.field_names  # the saved note can't be edited
    assert "notes-0-DELETE" not in form.field_names
    assert "notes-1-text" in form.field_names  # a new one can be added
    assert "First call: no answer" in response.content.decode()

    submit_change_form(
        reception_client,
        request,
        **{
            "notes-0-text": "Rewritten history",
            "notes-0-DELETE": "on",
            "notes-1-text": "Second call: booked for Tuesday",
        },
    )

    notes = list(request.notes.all())
    assert [note.text for note in notes] == [
        "First call: no answer",
        "Second call: booked for Tuesday",
    ]
    assert notes[0] == first
    assert notes[1].author == receptionist


def test_history_is_shown_in_order(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    request.assign(receptionist, by=receptionist)
    request.transition_to(Status.CONTACTED, by=receptionist, note="Spoke to patient")
    request.transition_to(Status.CLOSED, by=receptionist, outcome=Outcome.DECLINED)

    page = reception_client.get(change_url(request)).content.decode()

    positions = [
        page.index(text)
        for text in ["Assigned to Amy Jones.", "New → Contacted", "Contacted → Closed"]
    ]
    assert positions == sorted(positions)
    assert "Spoke to patient" in page and "Outcome: Patient declined." in page


def test_duplicates_are_listed_with_links_within_the_users_clinics(
    reception_client, bristol, london
):
    request = make_request(clinic=bristol, email="sam@example.com", phone="+447700900001")
    same_email = make_request(clinic=None, email="SAM@example.com", phone="+447700900002")
    same_phone_london = make_request(clinic=london, phone="+447700900001")
    page = reception_client.get(change_url(request)).content.decode()
    assert f'<a href="{change_url(same_email)}">{same_email.reference}</a>' in page
    assert "same email" in page
    assert same_phone_london.reference not in page


# --- Actions --------------------------------------------------------------------------


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
    assert any(m.startswith("Not changed: CSC-BOOKED: A request that is booked") for m in shown)


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


# --- CSV export -----------------------------------------------------------------------


def export(client, requests=(), **extra):
    response = run_action(client, "export_csv", requests, **extra)
    assert response["Content-Type"] == "text/csv; charset=utf-8", messages_of(response)
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_needs_the_export_permission(reception_client, bristol):
    request = make_request(clinic=bristol)
    assert "export_csv" not in reception_client.get(QUEUE).content.decode()
    response = run_action(reception_client, "export_csv", [request])
    assert response["Content-Type"].startswith("text/html")
    assert "No action selected." in messages_of(response)


def test_export_content(manager_client, bristol, manager):
    treatment = make_treatment("Moles")
    request = make_request(
        reference="CSC-EXP001",
        clinic=bristol,
        treatment=treatment,
        full_name="Zoë O'Connor-Ng",
        phone="+447700900123",
        email="zoe@example.com",
        message="Private health details",
        assigned_to=manager,
        is_clinical_priority=True,
    )
    (row,) = export(manager_client, [request])
    assert row["Reference"] == "CSC-EXP001"
    assert row["Patient name"] == "Zoë O'Connor-Ng"
    assert row["Phone"] == "07700 900123"
    assert row["Email"] == "zoe@example.com"
    assert row["Preferred clinic"] == "Bristol"
    assert row["Treatment"] == "Moles"
    assert row["Clinical priority"] == "Yes"
    assert row["Assigned to"] == "Max"
    assert row["Status"] == "New"
    assert "Private health details" not in str(row)
    assert "Message" not in row


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("Ordinary Name", "Ordinary Name"),
    ],
)
def test_export_neutralises_spreadsheet_formulas(manager_client, bristol, name, expected):
    request = make_request(clinic=bristol, full_name=name)
    (row,) = export(manager_client, [request])
    assert row["Patient name"] == expected


def test_export_neutralises_international_phone_numbers(manager_client, bristol):
    request = make_request(clinic=bristol, phone="+33142685300")
    (row,) = export(manager_client, [request])
    assert row["Phone"] == "'+33 1 42 68 53 00"


def test_export_of_all_respects_filters_search_and_clinic(manager_client, bristol, london):
    wanted = make_request(clinic=bristol, full_name="Kim Wanted", status=Status.CONTACTED)
    make_request(clinic=bristol, full_name="Kim Wanted", status=Status.NEW)
    make_request(clinic=bristol, full_name="Someone Else", status=Status.CONTACTED)
    london_request = make_request(clinic=london, full_name="Kim Wanted", status=Status.CONTACTED)

    rows = export(
        manager_client,
        [wanted],
        select_across="1",
        query="?status=contacted&q=wanted",
    )

    assert [row["Reference"] for row in rows] == [wanted.reference]
    # Selecting another clinic's row by hand exports nothing of it.
    assert export(manager_client, [london_request]) == []


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
    """Issue 4's "done when": assign, record a call, book; history shows each step."""
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
    request.add_note("A note", by=get_user_model().objects.get(username="admin"))
    for name in ["change", "history", "delete"]:
        url = reverse(f"admin:booking_consultationrequest_{name}", args=[request.pk])
        assert admin_client.get(url).status_code == 200, name
    assert admin_client.get(reverse("admin:booking_consultationrequest_add")).status_code == 403
    user = get_user_model().objects.get(username="admin")
    for name in ["change", "history"]:
        url = reverse(f"admin:auth_user_{name}", args=[user.pk])
        assert admin_client.get(url).status_code == 200, name
    assert admin_client.get(reverse("admin:auth_user_add")).status_code == 200


def test_request_pages_answer_for_reception(reception_client, receptionist, bristol):
    request = make_request(clinic=bristol)
    request.add_note("A note", by=receptionist)
    request.transition_to(Status.CONTACTED, by=receptionist)
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
