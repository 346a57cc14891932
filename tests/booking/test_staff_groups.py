"""The staff groups the data migration creates, and what each may do."""

import importlib

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db


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
        "booking.view_insights",
    }


def test_reception_cannot_delete_or_export_but_a_manager_can(receptionist, manager):
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
