"""
When the patient can usually come: the booking form's day and time-of-day choices, checked
against the chosen clinic's opening hours, stored as codes, and shown to staff in words.
"""

import csv
import io
import re
from datetime import time

import pytest
from django.core.exceptions import ValidationError

from booking.models import ConsultationRequest
from booking.preferred_times import (
    ANY_TIME,
    WeeklyTimes,
    check_preferred_times,
    clinic_times,
    preferences_in_words,
    times_at_any,
)
from booking.privacy import person_export
from tests.booking.admin_helpers import QUEUE, run_action
from tests.booking.form_html import bound_form, render_form
from tests.factories import booking_form_data, make_clinic, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def bristol_hours():
    """Weekdays 09:00–13:00 and 14:00–17:00, Saturday 10:00–12:00: shut on Sundays and evenings."""
    clinic = make_clinic("Bristol clinic", slug="bristol")
    for day in range(5):
        clinic.opening_hours.create(weekday=day, opens=time(9), closes=time(13))
        clinic.opening_hours.create(weekday=day, opens=time(14), closes=time(17))
    clinic.opening_hours.create(weekday=5, opens=time(10), closes=time(12))
    return clinic


@pytest.fixture
def london_evenings():
    """Tuesday and Thursday 12:00–20:00, Sunday 10:00–14:00."""
    clinic = make_clinic("London clinic", slug="london")
    for day in (1, 3):
        clinic.opening_hours.create(weekday=day, opens=time(12), closes=time(20))
    clinic.opening_hours.create(weekday=6, opens=time(10), closes=time(14))
    return clinic


def form_with(**fields):
    form = bound_form(**fields)
    return form, dict(form.errors)


# --- What a clinic's hours allow ---------------------------------------------------------


def test_a_period_counts_when_the_clinic_is_open_for_part_of_it(bristol_hours, london_evenings):
    bristol = clinic_times(bristol_hours)
    assert bristol.days == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert bristol.by_day["mon"] == {"morning", "afternoon"}
    assert bristol.by_day["sat"] == {"morning"}
    # 17:00 closing is the end of the afternoon, not a minute of the evening.
    assert bristol.times_of_day == ["morning", "afternoon"]
    london = clinic_times(london_evenings)
    assert london.by_day["tue"] == {"afternoon", "evening"}
    assert london.by_day["sun"] == {"morning", "afternoon"}


def test_no_preference_allows_what_any_clinic_allows(bristol_hours, london_evenings):
    both = times_at_any([bristol_hours, london_evenings])
    assert both.days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert both.times_of_day == ["morning", "afternoon", "evening"]
    assert both.by_day["mon"] == {"morning", "afternoon"}


def test_a_clinic_without_hours_allows_every_day_and_time(bristol_hours):
    assert clinic_times(make_clinic("Leeds")) == ANY_TIME
    assert times_at_any([]) == ANY_TIME


# --- The form ---------------------------------------------------------------------------


def test_the_form_offers_only_what_the_published_clinics_allow(bristol_hours):
    html = render_form(bound_form())
    days = re.findall(r'name="preferred_days" value="(\w+)"', html)
    periods = re.findall(r'name="preferred_periods" value="(\w+)"', html)
    assert days == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert periods == ["morning", "afternoon"]
    assert "Morning (before 12:00)" in html
    assert "Afternoon (12:00 to 17:00)" in html


def test_each_group_is_a_fieldset_whose_error_is_linked(bristol_hours):
    form, _ = form_with(clinic="bristol", preferred_days=["sun"])
    html = render_form(form)
    fieldset = re.search(
        r'<fieldset aria-describedby="([^"]+)">\s*<legend[^>]*>Which days can you usually '
        r"come\? \(optional\)</legend>",
        html,
    )
    assert fieldset is not None
    assert fieldset[1] == "id_preferred_days_helptext id_preferred_days_error"
    assert 'id="id_preferred_days_error"' in html
    assert ("id_preferred_days_0", form.errors["preferred_days"][0]) in form.error_summary()


def test_nothing_ticked_means_any_time(bristol_hours):
    form, errors = form_with(clinic="bristol")
    assert errors == {}
    assert form.request_details()["preferred_days"] == ""
    assert form.request_details()["preferred_periods"] == ""


def test_a_day_the_chosen_clinic_is_closed_says_so(bristol_hours, london_evenings):
    _, errors = form_with(clinic="bristol", preferred_days=["mon", "sun"])
    assert errors == {
        "preferred_days": [
            "Bristol clinic is closed on Sundays: choose other days, or No preference for "
            "the clinic"
        ]
    }
    # London is open on Sundays, and so is "No preference".
    assert form_with(clinic="london", preferred_days=["sun"])[1] == {}
    assert form_with(clinic="", preferred_days=["sun"])[1] == {}


def test_a_time_of_day_the_clinic_isnt_open_on_the_chosen_days(bristol_hours, london_evenings):
    _, errors = form_with(clinic="bristol", preferred_periods=["evening"])
    assert errors == {"preferred_periods": ["Bristol clinic isn't open in the evening"]}
    _, errors = form_with(
        clinic="london", preferred_days=["sun"], preferred_periods=["morning", "evening"]
    )
    assert errors == {
        "preferred_periods": ["London clinic isn't open in the evening on the days you chose"]
    }
    assert (
        form_with(clinic="london", preferred_days=["tue"], preferred_periods=["evening"])[1] == {}
    )


def test_a_chosen_day_open_only_at_other_times_is_accepted(bristol_hours):
    # Saturday afternoon isn't possible, Monday afternoon is: staff agree that with the patient.
    _, errors = form_with(
        clinic="bristol", preferred_days=["mon", "sat"], preferred_periods=["afternoon"]
    )
    assert errors == {}


def test_no_preference_is_checked_against_every_clinic(bristol_hours, london_evenings):
    # Monday evening: neither clinic. Tuesday evening: London.
    _, errors = form_with(preferred_days=["mon"], preferred_periods=["evening"])
    assert errors == {
        "preferred_periods": ["None of our clinics is open in the evening on the days you chose"]
    }
    assert form_with(preferred_days=["mon", "tue"], preferred_periods=["evening"])[1] == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "preferred_days",
            ["sun"],
            "Choose days from the list, or leave them all empty if any day suits you",
        ),
        (
            "preferred_days",
            ["funday"],
            "Choose days from the list, or leave them all empty if any day suits you",
        ),
        (
            "preferred_days",
            ["mon\x00"],
            "Choose days from the list, or leave them all empty if any day suits you",
        ),
        (
            "preferred_periods",
            ["night"],
            "Choose times of day from the list, or leave them all empty if any time suits you",
        ),
    ],
)
def test_forged_codes_get_a_plain_message(bristol_hours, field, value, message):
    # Only Bristol is published: Sunday isn't offered at all.
    _, errors = form_with(**{field: value})
    assert errors == {field: [message]}


def test_codes_are_stored_in_a_fixed_order_and_shown_in_words(client, bristol_hours):
    data = booking_form_data(
        clinic="bristol",
        preferred_days=["sat", "mon", "sat"],
        preferred_periods=["afternoon", "morning"],
    )
    response = client.post("/book/", data)
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert (stored.preferred_days, stored.preferred_periods) == ("mon,sat", "morning,afternoon")
    assert preferences_in_words(stored.preferred_days, stored.preferred_periods) == (
        "Mondays and Saturdays, mornings and afternoons"
    )


def test_an_error_in_the_days_comes_back_on_book_with_the_answers_kept(
    client, bristol_hours, london_evenings
):
    data = booking_form_data(clinic="bristol", preferred_days=["sat", "sun"])
    response = client.post("/book/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert ConsultationRequest.objects.count() == 0
    assert '<a href="#id_preferred_days_0">Bristol clinic is closed on Sundays' in html
    assert re.search(r'value="sat"[^>]*checked', html)


@pytest.mark.parametrize(
    ("days", "periods", "words"),
    [
        ("", "", "Any time"),
        ("sun", "", "Sundays, any time"),
        ("", "evening", "Any day, evenings"),
        ("mon,tue,wed", "morning", "Mondays, Tuesdays and Wednesdays, mornings"),
        ("mon,nonsense", "", "Mondays, any time"),
    ],
)
def test_preferences_in_words(days, periods, words):
    assert preferences_in_words(days, periods) == words


def test_the_check_is_usable_without_the_booking_form():
    leeds = WeeklyTimes({"tue": frozenset({"morning"})})
    with pytest.raises(ValidationError) as raised:
        check_preferred_times(["mon"], [], allowed=leeds, clinic_name="Leeds clinic")
    assert raised.value.message_dict == {
        "preferred_days": [
            "Leeds clinic is closed on Mondays: choose other days, or No preference for the clinic"
        ]
    }


# --- Staff ------------------------------------------------------------------------------


def test_staff_see_the_preferences_on_the_request_page(admin_client):
    request = make_request(preferred_days="mon,sat", preferred_periods="evening")
    page = admin_client.get(f"/admin/booking/consultationrequest/{request.pk}/change/")
    assert "Mondays and Saturdays, evenings" in page.content.decode()


def test_queue_filters_by_day_and_time_of_day_counting_any_as_every(admin_client):
    monday = make_request(reference="CSC-MON001", preferred_days="mon", preferred_periods="")
    sunday = make_request(reference="CSC-SUN001", preferred_days="sun", preferred_periods="evening")
    anytime = make_request(reference="CSC-ANY001", preferred_days="", preferred_periods="")

    def shown(query):
        html = admin_client.get(f"{QUEUE}?status=all&{query}").content.decode()
        return {r.reference for r in (monday, sunday, anytime) if r.reference in html}

    assert shown("day=mon") == {"CSC-MON001", "CSC-ANY001"}
    assert shown("day=sun") == {"CSC-SUN001", "CSC-ANY001"}
    assert shown("time_of_day=evening") == {"CSC-SUN001", "CSC-MON001", "CSC-ANY001"}
    assert shown("time_of_day=morning") == {"CSC-MON001", "CSC-ANY001"}
    # A value that isn't a code filters nothing out (and doesn't fail).
    assert shown("day=%25") == {"CSC-MON001", "CSC-SUN001", "CSC-ANY001"}
    html = admin_client.get(QUEUE).content.decode()
    assert "By can come on" in html and "By time of day" in html


def test_exports_include_the_preferences(admin_client, admin_user):
    request = make_request(
        email="zoe@example.com",
        preferred_days="tue",
        preferred_periods="morning,evening",
        best_time_to_call="Not before 10",
    )
    response = run_action(admin_client, "export_csv", [request])
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["Can come"] == "Tuesdays, mornings and evenings"
    assert row["Note about times"] == "Not before 10"

    (answers,) = [
        item["your_answers"]
        for item in person_export(email="zoe@example.com", actor=admin_user)[
            "consultation_requests"
        ]
    ]
    assert answers["days_you_can_come"] == ["Tuesday"]
    assert answers["times_of_day_you_can_come"] == [
        "Morning (before 12:00)",
        "Evening (from 17:00)",
    ]
    assert answers["note_about_times"] == "Not before 10"
