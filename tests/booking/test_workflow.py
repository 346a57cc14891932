"""The triage workflow in the model layer: transitions, assignment, notes, response targets,
clinic scoping and the staff groups."""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from booking.models import (
    ConsultationRequest,
    RequestEvent,
    RequestNote,
    is_working_day,
    response_deadline,
)
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
LONDON_TZ = ZoneInfo("Europe/London")

ALLOWED = [
    (from_status, to_status)
    for from_status, targets in ConsultationRequest.TRANSITIONS.items()
    for to_status in targets
]
FORBIDDEN = [
    (from_status, to_status)
    for from_status in Status.values
    for to_status in Status.values
    if (from_status, to_status) not in ALLOWED
]


def london(*args):
    return datetime(*args, tzinfo=LONDON_TZ)


def details_for(status, clinic, *, from_status=None):
    """The extra details a move to `status` needs."""
    if status == Status.CLOSED:
        outcome = Outcome.ATTENDED if from_status == Status.BOOKED else Outcome.NO_RESPONSE
        return {"outcome": outcome}
    if status == Status.BOOKED:
        return {
            "appointment_at": timezone.now() + timedelta(days=3),
            "appointment_clinic": clinic,
        }
    return {}


@pytest.fixture
def clinic():
    return make_clinic("Bristol")


@pytest.fixture
def staff():
    return make_staff("jo", first_name="Jo", last_name="Reception", superuser=True)


# --- Transitions --------------------------------------------------------------------


def test_the_documented_workflow_table():
    assert ConsultationRequest.TRANSITIONS == {
        Status.NEW: (Status.CONTACTED, Status.BOOKED, Status.CLOSED, Status.SPAM),
        Status.CONTACTED: (Status.BOOKED, Status.CLOSED),
        Status.BOOKED: (Status.BOOKED, Status.CLOSED),
        Status.CLOSED: (Status.CONTACTED,),
        Status.SPAM: (Status.NEW,),
    }


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_changes_status_and_records_who_did_it(
    from_status, to_status, clinic, staff
):
    request = make_request(status=from_status, clinic=clinic)
    before = timezone.now()

    event = request.transition_to(
        to_status,
        by=staff,
        note="Called at 10:05",
        **details_for(to_status, clinic, from_status=from_status),
    )

    request.refresh_from_db()
    assert request.status == to_status
    assert request.status_changed_at >= before
    assert list(request.events.all()) == [event]
    assert event.actor == staff
    assert event.action == RequestEvent.Action.STATUS
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert event.note.endswith("Called at 10:05")
    assert event.created_at == request.status_changed_at


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_forbidden_transition_is_refused_and_changes_nothing(from_status, to_status, clinic, staff):
    request = make_request(status=from_status, clinic=clinic)

    with pytest.raises(ValidationError) as error:
        request.transition_to(to_status, by=staff, **details_for(to_status, clinic))

    assert "status" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == from_status
    assert request.status_changed_at is None
    assert not request.events.exists()


def test_unknown_status_is_refused(staff):
    request = make_request()
    with pytest.raises(ValidationError, match="not a status"):
        request.transition_to("archived", by=staff)


def test_closing_needs_an_outcome(staff):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        request.transition_to(Status.CLOSED, by=staff)
    assert error.value.message_dict == {"outcome": ["Choose an outcome to close the request."]}
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_closing_stores_the_outcome_and_says_it_in_the_history(staff):
    request = make_request(status=Status.CONTACTED)
    event = request.transition_to(Status.CLOSED, by=staff, outcome=Outcome.DECLINED)
    request.refresh_from_db()
    assert request.outcome == Outcome.DECLINED
    assert event.note == "Outcome: Patient declined."


def test_only_a_booked_request_can_be_closed_as_attended(staff):
    request = make_request(status=Status.CONTACTED)
    with pytest.raises(ValidationError) as error:
        request.transition_to(Status.CLOSED, by=staff, outcome=Outcome.ATTENDED)
    assert "outcome" in error.value.message_dict


def test_an_outcome_is_refused_unless_closing(staff):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        request.transition_to(Status.CONTACTED, by=staff, outcome=Outcome.DUPLICATE)
    assert "outcome" in error.value.message_dict


def test_booking_needs_the_appointment_time_and_clinic(staff):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        request.transition_to(Status.BOOKED, by=staff)
    assert set(error.value.message_dict) == {"appointment_at", "appointment_clinic"}
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_booking_refuses_an_appointment_in_the_past(clinic, staff):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        request.transition_to(
            Status.BOOKED,
            by=staff,
            appointment_at=timezone.now() - timedelta(days=2),
            appointment_clinic=clinic,
        )
    assert "appointment_at" in error.value.message_dict


def test_booking_stores_the_appointment_and_says_it_in_the_history(clinic, staff):
    request = make_request(status=Status.CONTACTED)
    appointment = london(2099, 3, 12, 10, 30)

    event = request.transition_to(
        Status.BOOKED, by=staff, appointment_at=appointment, appointment_clinic=clinic
    )

    request.refresh_from_db()
    assert request.appointment_at == appointment
    assert request.appointment_clinic == clinic
    assert event.note == "Appointment: Thu 12 Mar 2099, 10:30 at Bristol."
    request.transition_to(
        Status.BOOKED, by=staff, appointment_at=london(2099, 3, 2, 9, 5), appointment_clinic=clinic
    )
    assert request.events.last().note == "Appointment: Mon 2 Mar 2099, 09:05 at Bristol."


def test_an_appointment_is_refused_unless_booking(clinic, staff):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        request.transition_to(
            Status.CONTACTED,
            by=staff,
            appointment_at=timezone.now() + timedelta(days=1),
            appointment_clinic=clinic,
        )
    assert "appointment_at" in error.value.message_dict


def test_rebooking_changes_the_appointment(clinic, staff):
    london_clinic = make_clinic("London")
    request = make_request(
        status=Status.BOOKED, appointment_at=london(2099, 1, 5, 9), appointment_clinic=clinic
    )

    event = request.transition_to(
        Status.BOOKED,
        by=staff,
        appointment_at=london(2099, 1, 9, 14),
        appointment_clinic=london_clinic,
    )

    request.refresh_from_db()
    assert (request.appointment_at, request.appointment_clinic) == (
        london(2099, 1, 9, 14),
        london_clinic,
    )
    assert event.describe() == "Booked (changed)"


def test_reopening_a_closed_request_clears_its_outcome(staff):
    request = make_request(status=Status.CLOSED, outcome=Outcome.NO_RESPONSE)
    request.transition_to(Status.CONTACTED, by=staff, note="Patient rang back")
    request.refresh_from_db()
    assert (request.status, request.outcome) == (Status.CONTACTED, "")
    assert request in ConsultationRequest.objects.open()


def test_marking_spam_keeps_an_automatic_reason_or_gives_one(staff):
    flagged = make_request(spam_reason="honeypot")
    flagged.transition_to(Status.SPAM, by=staff)
    plain = make_request()
    plain.transition_to(Status.SPAM, by=staff)
    flagged.refresh_from_db()
    plain.refresh_from_db()
    assert flagged.spam_reason == "honeypot"
    assert plain.spam_reason == "Marked as spam by staff"


def test_not_spam_puts_the_request_back_in_the_queue_as_new(staff):
    request = make_request(status=Status.SPAM, spam_reason="time-trap")
    event = request.transition_to(Status.NEW, by=staff)
    request.refresh_from_db()
    assert (request.status, request.spam_reason) == (Status.NEW, "")
    assert request in ConsultationRequest.objects.open()
    assert event.describe() == "Spam → New"


def test_transition_checks_the_stored_status_not_a_stale_copy(staff):
    mine = make_request()
    theirs = ConsultationRequest.objects.get(pk=mine.pk)
    theirs.transition_to(Status.SPAM, by=staff)

    with pytest.raises(ValidationError):
        mine.transition_to(Status.CONTACTED, by=staff)  # still says "new" in memory

    mine.refresh_from_db()
    assert mine.status == Status.SPAM
    assert mine.events.count() == 1


def test_history_lists_every_step_in_order(clinic):
    receptionist = make_clinic_staff("amy", clinics=[clinic], first_name="Amy")
    request = make_request(clinic=clinic)

    request.assign(receptionist, by=receptionist)
    request.transition_to(Status.CONTACTED, by=receptionist, note="Left a voicemail")
    request.transition_to(
        Status.BOOKED,
        by=receptionist,
        appointment_at=timezone.now() + timedelta(days=7),
        appointment_clinic=clinic,
    )

    assert [(event.describe(), event.actor) for event in request.events.all()] == [
        ("Assignment", receptionist),
        ("New → Contacted", receptionist),
        ("Contacted → Booked", receptionist),
    ]


# --- Assignment, priority, notes ------------------------------------------------------


def test_assign_records_who_assigned_whom(clinic):
    amy = make_clinic_staff("amy", clinics=[clinic], first_name="Amy", last_name="Smith")
    manager = make_clinic_staff("max", group="Clinic manager", clinics=[clinic])
    request = make_request(clinic=clinic)

    assert request.assign(amy, by=manager) is True

    request.refresh_from_db()
    assert request.assigned_to == amy
    event = request.events.get()
    assert (event.action, event.actor, event.note) == (
        RequestEvent.Action.ASSIGNED,
        manager,
        "Assigned to Amy Smith.",
    )


def test_assigning_to_the_same_person_again_records_nothing(clinic):
    amy = make_clinic_staff("amy", clinics=[clinic])
    request = make_request(clinic=clinic, assigned_to=amy)
    assert request.assign(amy, by=amy) is False
    assert not request.events.exists()


def test_reassign_and_unassign_say_who_had_it(clinic):
    amy = make_clinic_staff("amy", clinics=[clinic], first_name="Amy")
    bea = make_clinic_staff("bea", clinics=[clinic], first_name="Bea")
    request = make_request(clinic=clinic, assigned_to=amy)

    request.assign(bea, by=amy)
    request.assign(None, by=bea)

    request.refresh_from_db()
    assert request.assigned_to is None
    assert [event.note for event in request.events.all()] == [
        "Assigned to Bea (was Amy).",
        "Unassigned (was Bea).",
    ]


@pytest.mark.parametrize(
    "who",
    ["other clinic", "inactive", "not staff", "no permission", "no clinic linked"],
)
def test_cannot_assign_to_someone_who_cannot_work_on_the_request(who, clinic):
    other_clinic = make_clinic("London")
    request = make_request(clinic=clinic)
    assignee = {
        "other clinic": lambda: make_clinic_staff("lon", clinics=[other_clinic]),
        "inactive": lambda: make_clinic_staff("gone", clinics=[clinic], is_active=False),
        "not staff": lambda: make_clinic_staff("pat", clinics=[clinic], is_staff=False),
        "no permission": lambda: make_clinic_staff("view", group=None, clinics=[clinic]),
        "no clinic linked": lambda: make_clinic_staff("new"),
    }[who]()

    with pytest.raises(ValidationError) as error:
        request.assign(assignee, by=make_staff("boss", superuser=True))

    assert "assigned_to" in error.value.message_dict
    request.refresh_from_db()
    assert request.assigned_to is None
    assert not request.events.exists()


def test_assignable_staff_are_the_people_who_can_handle_the_request(clinic):
    other_clinic = make_clinic("London")
    bristol = make_clinic_staff("bristol", clinics=[clinic])
    both = make_clinic_staff("both", clinics=[clinic, other_clinic])
    london_staff = make_clinic_staff("london", clinics=[other_clinic])
    make_clinic_staff("unlinked")
    make_clinic_staff("inactive", clinics=[clinic], is_active=False)
    boss = make_staff("boss", superuser=True)

    bristol_request = make_request(clinic=clinic)
    no_preference = make_request(clinic=None)
    london_request_held_by_bristol = make_request(clinic=other_clinic, assigned_to=bristol)

    assert set(bristol_request.assignable_staff()) == {bristol, both, boss}
    assert set(no_preference.assignable_staff()) == {bristol, both, london_staff, boss}
    # Whoever holds a request stays in its menu, so the page can still be saved.
    assert set(london_request_held_by_bristol.assignable_staff()) == {
        bristol,
        both,
        london_staff,
        boss,
    }
    for request in (bristol_request, no_preference):
        for user in request.assignable_staff():
            assert request.can_be_handled_by(user)


def test_clinical_priority_shortens_the_response_target_and_is_recorded(staff):
    created = london(2026, 3, 2, 10)  # a Monday
    request = make_request(created_at=created, respond_by=response_deadline(created))

    assert request.set_clinical_priority(True, by=staff) is True

    request.refresh_from_db()
    assert request.is_clinical_priority
    assert request.respond_by == london(2026, 3, 2, 14)
    assert request.events.get().note == "Marked as a clinical priority."
    assert request.set_clinical_priority(True, by=staff) is False
    assert request.events.count() == 1


def test_add_note_keeps_author_and_time(staff):
    request = make_request()
    note = request.add_note("  Patient prefers mornings  ", by=staff)
    assert (note.request, note.author, note.text) == (request, staff, "Patient prefers mornings")
    assert note.created_at <= timezone.now()


@pytest.mark.parametrize("text", ["", "   \n "])
def test_add_note_refuses_an_empty_note(text, staff):
    request = make_request()
    with pytest.raises(ValidationError):
        request.add_note(text, by=staff)
    assert not RequestNote.objects.exists()


def test_add_note_refuses_a_note_over_the_limit(staff):
    request = make_request()
    with pytest.raises(ValidationError, match="5000"):
        request.add_note("x" * 5001, by=staff)
    request.add_note("x" * 5000, by=staff)
    assert RequestNote.objects.count() == 1


# --- Response target ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "priority", "due"),
    [
        # One working day: Monday 10:00 → Tuesday 10:00.
        (london(2026, 3, 2, 10), False, london(2026, 3, 3, 10)),
        # Friday afternoon: the weekend doesn't count.
        (london(2026, 3, 6, 16), False, london(2026, 3, 9, 16)),
        # Saturday morning: the clock starts on Monday.
        (london(2026, 3, 7, 9), False, london(2026, 3, 10, 0)),
        (london(2026, 3, 8, 23, 59), False, london(2026, 3, 10, 0)),
        # Clinical priority: four working hours.
        (london(2026, 3, 2, 10), True, london(2026, 3, 2, 14)),
        (london(2026, 3, 6, 22), True, london(2026, 3, 9, 2)),
        # The clocks go forward on Sunday 29 March 2026: still Monday at 16:00 in London.
        (london(2026, 3, 27, 16), False, london(2026, 3, 30, 16)),
    ],
)
def test_response_deadline_counts_working_days_only(created, priority, due):
    assert response_deadline(created, clinical_priority=priority) == due


def test_response_deadline_works_from_utc_times():
    created = datetime(2026, 7, 3, 15, 0, tzinfo=ZoneInfo("UTC"))  # Friday 16:00 in London
    assert response_deadline(created) == london(2026, 7, 6, 16)


def test_response_hours_are_settings(settings):
    settings.BOOKING_RESPONSE_HOURS = 48
    settings.BOOKING_PRIORITY_RESPONSE_HOURS = 1
    monday = london(2026, 3, 2, 10)
    assert response_deadline(monday) == london(2026, 3, 4, 10)
    assert response_deadline(monday, clinical_priority=True) == london(2026, 3, 2, 11)


def test_closed_dates_are_skipped_like_weekends(settings):
    settings.BOOKING_CLOSED_DATES = frozenset(
        [datetime(2026, 12, 25).date(), datetime(2026, 12, 28).date()]
    )
    assert not is_working_day(datetime(2026, 12, 25).date())
    # Thursday 24 December 15:00 → Friday 25 closed, weekend, Monday 28 closed → Tuesday 29.
    assert response_deadline(london(2026, 12, 24, 15)) == london(2026, 12, 29, 15)


def test_booking_service_sets_the_response_target_by_the_rule(clinic):
    from booking.services import consultation_request_create

    request = consultation_request_create(
        full_name="Sam Patient",
        email="sam@example.com",
        phone="+447700900123",
        contact_method=ConsultationRequest.ContactMethod.PHONE,
        confirmed_adult=True,
        consent_wording_version="1",
        privacy_notice_version="1",
        clinic=clinic,
        recent_change=ConsultationRequest.RecentChange.YES,
    )
    assert request.respond_by == response_deadline(request.created_at, clinical_priority=True)


def test_overdue_means_still_new_after_the_target():
    now = timezone.now()
    late = make_request(respond_by=now - timedelta(minutes=1))
    in_time = make_request(respond_by=now + timedelta(minutes=1))
    answered_late = [
        make_request(respond_by=now - timedelta(days=1), status=status)
        for status in (Status.CONTACTED, Status.BOOKED, Status.CLOSED, Status.SPAM)
    ]

    assert list(ConsultationRequest.objects.overdue(now)) == [late]
    assert set(ConsultationRequest.objects.not_overdue(now)) == {in_time, *answered_late}
    assert late.is_overdue
    assert not any(r.is_overdue for r in (in_time, *answered_late))


def test_a_late_request_stops_being_overdue_once_contacted(staff):
    request = make_request(respond_by=timezone.now() - timedelta(hours=3))
    assert request.is_overdue
    request.transition_to(Status.CONTACTED, by=staff)
    assert not request.is_overdue
    assert not ConsultationRequest.objects.overdue().exists()


# --- QuerySets ----------------------------------------------------------------------


def test_open_excludes_closed_and_spam():
    kept = [make_request(status=s) for s in (Status.NEW, Status.CONTACTED, Status.BOOKED)]
    make_request(status=Status.CLOSED, outcome=Outcome.DUPLICATE)
    make_request(status=Status.SPAM)
    assert set(ConsultationRequest.objects.open()) == set(kept)


def test_for_priority_puts_clinical_priority_first_then_oldest():
    now = timezone.now()
    newest = make_request(created_at=now)
    oldest = make_request(created_at=now - timedelta(days=2))
    urgent_new = make_request(created_at=now - timedelta(minutes=5), is_clinical_priority=True)
    urgent_old = make_request(created_at=now - timedelta(hours=5), is_clinical_priority=True)
    assert list(ConsultationRequest.objects.for_priority()) == [
        urgent_old,
        urgent_new,
        oldest,
        newest,
    ]


def test_visible_to_scopes_by_linked_clinics():
    bristol, london_clinic, bath = (
        make_clinic("Bristol"),
        make_clinic("London"),
        make_clinic("Bath"),
    )
    in_bristol = make_request(clinic=bristol)
    in_london = make_request(clinic=london_clinic)
    in_bath = make_request(clinic=bath)
    no_preference = make_request(clinic=None)
    queryset = ConsultationRequest.objects

    boss = make_staff("boss", superuser=True)
    bristol_staff = make_clinic_staff("bristol", clinics=[bristol])
    two_clinics = make_clinic_staff("two", clinics=[bristol, bath])
    unlinked = make_clinic_staff("unlinked")
    no_profile = make_staff("no-profile", permissions=["booking.view_consultationrequest"])
    inactive_boss = make_staff("old-boss", superuser=True, is_active=False)

    assert set(queryset.visible_to(boss)) == {in_bristol, in_london, in_bath, no_preference}
    assert set(queryset.visible_to(bristol_staff)) == {in_bristol, no_preference}
    assert set(queryset.visible_to(two_clinics)) == {in_bristol, in_bath, no_preference}
    assert not queryset.visible_to(unlinked).exists()
    assert not queryset.visible_to(no_profile).exists()
    assert not queryset.visible_to(inactive_boss).exists()


def test_possible_duplicates_match_email_or_phone_within_90_days():
    now = timezone.now()
    request = make_request(email="Sam@Example.com", phone="+447700900001", created_at=now)
    same_email = make_request(
        email="sam@example.com", phone="+447700900002", created_at=now - timedelta(days=89)
    )
    same_phone = make_request(email="other@example.com", phone="+447700900001")
    make_request(email="sam@example.com", created_at=now - timedelta(days=91))
    make_request(email="someone@example.com", phone="+447700900003")

    assert set(request.possible_duplicates()) == {same_email, same_phone}


def test_counts_by_clinic():
    now = timezone.now()
    bristol = make_clinic("Bristol")
    make_request(clinic=bristol)
    make_request(clinic=bristol, respond_by=now - timedelta(hours=1), is_clinical_priority=True)
    make_request(clinic=bristol, respond_by=now - timedelta(hours=2))
    make_request(clinic=bristol, status=Status.CONTACTED, respond_by=now - timedelta(hours=1))
    make_request(clinic=bristol, status=Status.SPAM, respond_by=now - timedelta(hours=1))
    make_request(clinic=None, is_clinical_priority=True, status=Status.BOOKED)

    assert ConsultationRequest.objects.counts_by_clinic(now) == {
        bristol.pk: {"new": 3, "overdue": 2, "priority": 1},
        None: {"new": 0, "overdue": 0, "priority": 1},
    }


# --- Staff groups (data migration) ----------------------------------------------------


def permission_names(group_name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


def test_migration_creates_reception_group():
    assert permission_names("Reception") == {
        "booking.view_consultationrequest",
        "booking.change_consultationrequest",
        "booking.add_requestnote",
        "booking.view_requestnote",
        "booking.view_requestevent",
    }


def test_migration_creates_clinic_manager_group_with_export_and_delete():
    assert permission_names("Clinic manager") == permission_names("Reception") | {
        "booking.export_consultationrequest",
        "booking.delete_consultationrequest",
    }


def test_reception_cannot_delete_or_export_but_a_manager_can(clinic):
    receptionist = make_clinic_staff("amy", clinics=[clinic])
    manager = make_clinic_staff("max", group="Clinic manager", clinics=[clinic])
    for perm in ("booking.delete_consultationrequest", "booking.export_consultationrequest"):
        assert not receptionist.has_perm(perm)
        assert manager.has_perm(perm)
    assert receptionist.has_perm("booking.change_consultationrequest")
    assert not receptionist.has_perm("booking.change_requestnote")
    assert not receptionist.has_perm("booking.delete_requestnote")


def test_groups_migration_is_idempotent():
    migration = importlib.import_module("booking.migrations.0002_staff_groups")
    state_apps = (
        MigrationExecutor(connection).loader.project_state(("booking", "0002_staff_groups")).apps
    )
    reception_before = permission_names("Reception")
    Group.objects.get(name="Reception").permissions.clear()

    migration.create_groups(state_apps, None)
    migration.create_groups(state_apps, None)

    assert Group.objects.filter(name__in=["Reception", "Clinic manager"]).count() == 2
    assert permission_names("Reception") == reception_before


def test_treatment_and_clinic_lists_do_not_affect_scoping(clinic):
    # Guard against scoping by treatment or by appointment clinic by mistake.
    treatment = make_treatment()
    london_clinic = make_clinic("London")
    booked_here = make_request(
        clinic=london_clinic, treatment=treatment, status=Status.BOOKED, appointment_clinic=clinic
    )
    bristol_staff = make_clinic_staff("bristol", clinics=[clinic])
    assert booked_here not in ConsultationRequest.objects.visible_to(bristol_staff)
