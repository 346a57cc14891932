"""The request lists staff work from: open requests, queue order, who sees which clinic's
requests, possible duplicates and the per-clinic counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import ConsultationRequest
from tests.factories import make_clinic, make_clinic_staff, make_request, make_staff, make_treatment

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome


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


# --- Scoping by clinic -----------------------------------------------------------------------


def test_visible_to_scopes_by_linked_clinics(bristol, london):
    bath = make_clinic("Bath")
    in_bristol = make_request(clinic=bristol)
    in_london = make_request(clinic=london)
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


def test_treatment_and_clinic_lists_do_not_affect_scoping(bristol, london, receptionist):
    # Guard against scoping by treatment or by appointment clinic by mistake.
    treatment = make_treatment()
    booked_here = make_request(
        clinic=london, treatment=treatment, status=Status.BOOKED, appointment_clinic=bristol
    )
    assert booked_here not in ConsultationRequest.objects.visible_to(receptionist)


# --- Duplicates and counts -------------------------------------------------------------------


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


def test_counts_by_clinic(bristol):
    now = timezone.now()
    make_request(clinic=bristol)
    make_request(clinic=bristol, respond_by=now - timedelta(hours=1), is_clinical_priority=True)
    make_request(clinic=bristol, respond_by=now - timedelta(hours=2))
    make_request(clinic=bristol, status=Status.CONTACTED, respond_by=now - timedelta(hours=1))
    make_request(clinic=bristol, status=Status.SPAM, respond_by=now - timedelta(hours=1))
    make_request(clinic=None, is_clinical_priority=True, status=Status.BOOKED)
    make_request(clinic=bristol, status=Status.BOOKED, change_request="cancel")
    make_request(clinic=bristol, status=Status.CLOSED, outcome="attended", change_request="cancel")

    assert ConsultationRequest.objects.counts_by_clinic(now) == {
        bristol.pk: {"new": 3, "overdue": 2, "priority": 1, "change_requested": 1},
        None: {"new": 0, "overdue": 0, "priority": 1, "change_requested": 0},
    }
