"""Who holds a request (assigning, reassigning, who may be assigned) and staff notes on it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking.models import RequestEvent, RequestNote
from booking.services import consultation_request_add_note, consultation_request_assign
from tests.factories import make_clinic_staff, make_request, make_staff

pytestmark = pytest.mark.django_db


# --- Assignment ------------------------------------------------------------------------------


def test_assign_records_who_assigned_whom(bristol, receptionist, manager):
    request = make_request(clinic=bristol)

    assert (
        consultation_request_assign(consultation_request=request, to=receptionist, by=manager)
        is True
    )

    request.refresh_from_db()
    assert request.assigned_to == receptionist
    event = request.events.get()
    assert (event.action, event.actor, event.note) == (
        RequestEvent.Action.ASSIGNED,
        manager,
        "Assigned to Amy Jones.",
    )


def test_assigning_to_the_same_person_again_records_nothing(bristol, receptionist):
    request = make_request(clinic=bristol, assigned_to=receptionist)
    assert (
        consultation_request_assign(consultation_request=request, to=receptionist, by=receptionist)
        is False
    )
    assert not request.events.exists()


def test_reassign_and_unassign_say_who_had_it(bristol, receptionist):
    bea = make_clinic_staff("bea", clinics=[bristol], first_name="Bea")
    request = make_request(clinic=bristol, assigned_to=receptionist)

    consultation_request_assign(consultation_request=request, to=bea, by=receptionist)
    consultation_request_assign(consultation_request=request, to=None, by=bea)

    request.refresh_from_db()
    assert request.assigned_to is None
    assert [event.note for event in request.events.all()] == [
        "Assigned to Bea (was Amy Jones).",
        "Unassigned (was Bea).",
    ]


@pytest.mark.parametrize(
    "who",
    ["other clinic", "inactive", "not staff", "no permission", "no clinic linked"],
)
def test_cannot_assign_to_someone_who_cannot_work_on_the_request(who, bristol, london):
    request = make_request(clinic=bristol)
    assignee = {
        "other clinic": lambda: make_clinic_staff("lon", clinics=[london]),
        "inactive": lambda: make_clinic_staff("gone", clinics=[bristol], is_active=False),
        "not staff": lambda: make_clinic_staff("pat", clinics=[bristol], is_staff=False),
        "no permission": lambda: make_clinic_staff("view", group=None, clinics=[bristol]),
        "no clinic linked": lambda: make_clinic_staff("new"),
    }[who]()

    with pytest.raises(ValidationError) as error:
        consultation_request_assign(
            consultation_request=request, to=assignee, by=make_staff("boss", superuser=True)
        )

    assert "assigned_to" in error.value.message_dict
    request.refresh_from_db()
    assert request.assigned_to is None
    assert not request.events.exists()


def test_assignable_staff_are_the_people_who_can_handle_the_request(bristol, london):
    bristol_staff = make_clinic_staff("bristol", clinics=[bristol])
    both = make_clinic_staff("both", clinics=[bristol, london])
    london_staff = make_clinic_staff("london", clinics=[london])
    make_clinic_staff("unlinked")
    make_clinic_staff("inactive", clinics=[bristol], is_active=False)
    boss = make_staff("boss", superuser=True)

    bristol_request = make_request(clinic=bristol)
    no_preference = make_request(clinic=None)
    london_request_held_by_bristol = make_request(clinic=london, assigned_to=bristol_staff)

    assert set(bristol_request.assignable_staff()) == {bristol_staff, both, boss}
    assert set(no_preference.assignable_staff()) == {bristol_staff, both, london_staff, boss}
    # Whoever holds a request stays in its menu, so the page can still be saved.
    assert set(london_request_held_by_bristol.assignable_staff()) == {
        bristol_staff,
        both,
        london_staff,
        boss,
    }
    for request in (bristol_request, no_preference):
        for user in request.assignable_staff():
            assert request.can_be_handled_by(user)


# --- Notes -----------------------------------------------------------------------------------


def test_add_note_keeps_author_and_time(admin_user):
    request = make_request()
    note = consultation_request_add_note(
        consultation_request=request, text="  Patient prefers mornings  ", by=admin_user
    )
    assert (note.request, note.author, note.text) == (
        request,
        admin_user,
        "Patient prefers mornings",
    )
    assert note.created_at <= timezone.now()


@pytest.mark.parametrize("text", ["", "   \n "])
def test_add_note_refuses_an_empty_note(text, admin_user):
    request = make_request()
    with pytest.raises(ValidationError):
        consultation_request_add_note(consultation_request=request, text=text, by=admin_user)
    assert not RequestNote.objects.exists()


def test_add_note_refuses_a_note_over_the_limit(admin_user):
    request = make_request()
    with pytest.raises(ValidationError, match="5000"):
        consultation_request_add_note(consultation_request=request, text="x" * 5001, by=admin_user)
    consultation_request_add_note(consultation_request=request, text="x" * 5000, by=admin_user)
    assert RequestNote.objects.count() == 1
