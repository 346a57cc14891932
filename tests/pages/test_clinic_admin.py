"""Staff fill in a clinic in the admin: opening hours and closures from lists, access facts and
the treatments it offers, with a clear message for hours that can't be right."""

from datetime import date, time

import pytest
from django.db import IntegrityError

from pages.models import Closure, OpeningHours
from tests.factories import make_clinic, make_treatment
from tests.pages.test_admin import change_url, form_data
from tests.pages.test_clinics import hours_row

pytestmark = pytest.mark.django_db


def with_rows(data, prefix, rows):
    """`data` with `rows` (dicts of field values) as new rows of the inline `prefix`."""
    data = dict(data)
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    for number, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{number}-{name}"] = value
    return data


def hours(weekday, opens, closes):
    return {"weekday": str(weekday), "opens": opens, "closes": closes}


@pytest.fixture
def clinic():
    return make_clinic("Bristol clinic", slug="bristol", city="Bristol")


def test_clinic_admin_groups_the_details_and_chooses_times_and_dates_from_the_browser(
    admin_client, clinic
):
    html = admin_client.get(change_url(clinic)).content.decode()

    for heading in ["Contact", "Opening hours", "Getting there", "Accessibility", "Treatments"]:
        assert f">{heading}</h2>" in html
    # Times from a list of quarter hours, closing at midnight last; dates from a date picker.
    assert '<select name="opening_hours-__prefix__-opens"' in html
    assert '<option value="09:15:00">09:15</option>' in html
    assert '<option value="00:00:00">Midnight (00:00, end of the day)</option>' in html
    assert 'type="date" name="closures-__prefix__-starts_on"' in html
    # Access facts: yes, no or unknown.
    assert '<select name="step_free_access"' in html
    assert "No opening hours entered." in html


def test_treatments_are_ticked_with_checkboxes(admin_client, clinic):
    moles = make_treatment("Moles")

    html = admin_client.get(change_url(clinic)).content.decode()

    assert f'type="checkbox" name="treatments" value="{moles.pk}"' in html


def test_staff_enter_hours_closures_access_and_treatments_and_patients_see_them(
    admin_client, client, clinic
):
    moles = make_treatment("Moles")
    data = form_data(admin_client.get(change_url(clinic)))
    data = with_rows(
        data,
        "opening_hours",
        [hours(0, "09:00:00", "13:00:00"), hours(0, "14:00:00", "00:00:00")],
    )
    data = with_rows(
        data,
        "closures",
        [{"starts_on": "2099-08-31", "ends_on": "", "reason": "Bank holiday"}],
    )
    data.update(step_free_access="true", hearing_loop="false", treatments=[str(moles.pk)])

    response = admin_client.post(change_url(clinic), data)

    assert response.status_code == 302, response.context["errors"]
    assert [(r.weekday, r.opens, r.closes) for r in clinic.opening_hours.all()] == [
        (0, time(9), time(13)),
        (0, time(14), time(0)),
    ]
    assert Closure.objects.get().starts_on == date(2099, 8, 31)
    clinic.refresh_from_db()
    assert (clinic.step_free_access, clinic.hearing_loop, clinic.accessible_toilet) == (
        True,
        False,
        None,
    )
    page = client.get("/clinics/bristol/").content.decode()
    assert hours_row(page, "Monday") == "09:00 to 13:00, 14:00 to midnight"
    assert "Monday 31 August 2099: Bank holiday" in page
    assert "<dt>Step-free access</dt><dd>Yes</dd>" in page
    assert 'href="/treatments/moles/"' in page


@pytest.mark.parametrize(
    ("inline", "rows", "message"),
    [
        (
            "opening_hours",
            [hours(2, "09:00:00", "13:00:00"), hours(2, "12:00:00", "18:00:00")],
            "On Wednesday, 09:00 to 13:00 and 12:00 to 18:00 overlap. Change one of them, or "
            "make them one range.",
        ),
        (
            "opening_hours",
            [hours(4, "22:00:00", "02:00:00")],
            "The closing time must be after the opening time. For hours past midnight, close "
            "this day at midnight (00:00) and add the rest to the next day.",
        ),
        (
            "closures",
            [{"starts_on": "2099-12-27", "ends_on": "2099-12-24", "reason": ""}],
            "The last day closed can&#x27;t be before the first.",
        ),
    ],
    ids=["overlapping", "closing-before-opening", "closure-ending-before-it-starts"],
)
def test_hours_that_cannot_be_right_are_refused_with_a_clear_message(
    admin_client, clinic, inline, rows, message
):
    data = with_rows(form_data(admin_client.get(change_url(clinic))), inline, rows)

    response = admin_client.post(change_url(clinic), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not (OpeningHours.objects.exists() or Closure.objects.exists())


def test_the_database_refuses_hours_that_close_before_they_open(clinic):
    with pytest.raises(IntegrityError):
        OpeningHours.objects.create(clinic=clinic, weekday=0, opens=time(18), closes=time(9))


def test_the_admin_shows_the_hours_as_patients_see_them(admin_client, clinic):
    for day in range(7):
        clinic.opening_hours.create(weekday=day, opens=time(0), closes=time(0))

    html = admin_client.get(change_url(clinic)).content.decode()

    assert "<p>Open now</p>" in html
    assert "<li>Monday: 00:00 to midnight</li>" in html
