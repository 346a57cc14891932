"""The insights figures against numbers worked out by hand, and the filters that choose them."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from booking.insights.figures import HIDDEN, SUPPRESSED, figure_for, insights_for
from booking.insights.filters import InsightsFilter, InsightsFilterForm, requests_in_scope
from booking.insights.suppression import share_cell
from booking.models import ConsultationRequest, RequestEvent
from booking.services import consultation_request_transition
from booking.working_hours import working_time_between
from tests.booking.times import london_time
from tests.factories import make_request, make_staff, make_treatment

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome
SPRING = InsightsFilter(start=date(2025, 3, 17), end=date(2025, 4, 6))  # three weeks
# Monday 24 March 2025 at 10:00 in London (GMT), the week before the clocks go forward.
ARRIVAL = london_time(2025, 3, 24, 10)


@pytest.fixture
def superuser():
    return make_staff("root", superuser=True)


def table(user, insights_filter, slug):
    figure = figure_for(user, insights_filter, slug)
    return [figure.table.columns, *figure.table.rows]


def requests(count, **fields):
    fields.setdefault("created_at", ARRIVAL)
    return [make_request(**fields) for _ in range(count)]


def history(consultation_request, *statuses, outcome=""):
    """Status events, an hour apart from the request's arrival; the request ends in the last."""
    previous = Status.NEW
    for hours, status in enumerate(statuses, start=1):
        at = consultation_request.created_at + timedelta(hours=hours)
        RequestEvent.objects.create(
            request=consultation_request,
            created_at=at,
            action=RequestEvent.Action.STATUS,
            from_status=previous,
            to_status=status,
        )
        for field, value in consultation_request.milestones_reached(status, at).items():
            setattr(consultation_request, field, value)
        previous = status
    consultation_request.status = previous
    consultation_request.outcome = outcome
    consultation_request.save()


# --- Requests per week and arrivals: London weeks and hours across the clock changes ----------


def test_requests_per_week_uses_london_weeks_and_shows_empty_weeks(superuser, bristol):
    # 00:30 on Sunday 30 March (GMT), the last day of the week of 24 March ...
    requests(5, clinic=bristol, created_at=datetime(2025, 3, 30, 0, 30, tzinfo=UTC))
    # ... and 23:30 UTC that Sunday, which is 00:30 on Monday 31 March in London (BST).
    requests(6, created_at=datetime(2025, 3, 30, 23, 30, tzinfo=UTC))

    assert table(superuser, SPRING, "requests-per-week") == [
        ["Week starting", "Bristol", "No preference", "Total"],
        [date(2025, 3, 17), 0, 0, 0],
        [date(2025, 3, 24), 5, 0, 5],
        [date(2025, 3, 31), 0, 6, 6],
    ]


def test_arrivals_are_counted_by_london_day_and_hour_in_spring_and_autumn(superuser):
    requests(5, created_at=datetime(2025, 3, 30, 23, 30, tzinfo=UTC))  # Mon 00:30 BST
    requests(5, created_at=datetime(2025, 10, 26, 23, 30, tzinfo=UTC))  # Sun 23:30 GMT
    requests(5, created_at=datetime(2025, 10, 19, 23, 30, tzinfo=UTC))  # Mon 00:30 BST
    whole_year = InsightsFilter(start=date(2025, 1, 1), end=date(2025, 12, 31))

    rows = {row[0]: row[1:] for row in table(superuser, whole_year, "arrivals")[1:]}

    assert list(rows) == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]  # fmt: skip
    assert rows["Monday"] == [10] + [0] * 23
    assert rows["Sunday"] == [0] * 23 + [5]
    assert all(cell == 0 for day in ("Tuesday", "Saturday") for cell in rows[day])


def test_autumn_week_boundary_follows_london_clock(superuser):
    requests(5, created_at=datetime(2025, 10, 26, 23, 30, tzinfo=UTC))  # Sun 26 Oct, GMT
    requests(5, created_at=datetime(2025, 10, 19, 23, 30, tzinfo=UTC))  # Mon 20 Oct, BST
    autumn = InsightsFilter(start=date(2025, 10, 20), end=date(2025, 10, 27))

    rows = table(superuser, autumn, "requests-per-week")[1:]
    assert [(row[0], row[-1]) for row in rows] == [
        (date(2025, 10, 20), 10),
        (date(2025, 10, 27), 0),
    ]


def test_an_empty_range_gives_zeros_and_no_data(superuser, bristol):
    requests(5, clinic=bristol)
    empty = InsightsFilter(start=date(2024, 1, 1), end=date(2024, 1, 7))

    figures = {figure.slug: figure.table.rows for figure in insights_for(superuser, empty)}

    assert figures["requests-per-week"] == [[date(2024, 1, 1), 0, 0, 0]]
    assert figures["sources"] == [] and figures["treatments"] == []
    assert figures["funnel"] == [
        ["New", 0, None, None],
        ["Contacted", 0, None, None],
        ["Booked", 0, None, None],
        ["Attended", 0, None, None],
    ]
    assert figures["response-by-week"] == [[date(2024, 1, 1), None, None, None, None, None, None]]
    assert figures["spam-per-week"] == [[date(2024, 1, 1), 0, 0, 0]]


# --- Funnel, outcomes, sources and treatments ----------------------------------------------


@pytest.fixture
def journeys(bristol):
    """25 requests at Bristol, five of each journey."""
    moles = make_treatment("Moles")
    article, treatment_page = "/articles/moles/", "/treatments/mole-removal/"
    for _ in range(5):
        reopened = make_request(
            clinic=bristol, created_at=ARRIVAL, treatment=moles, source_path=article
        )
        history(reopened, Status.BOOKED, Status.CLOSED, Status.CONTACTED, Status.BOOKED)
        did_not_attend = make_request(
            clinic=bristol, created_at=ARRIVAL, treatment=moles, source_path=article
        )
        history(did_not_attend, Status.BOOKED, Status.CLOSED, outcome=Outcome.DID_NOT_ATTEND)
        attended = make_request(
            clinic=bristol, created_at=ARRIVAL, treatment=moles, source_path=treatment_page
        )
        history(attended, Status.CONTACTED, Status.BOOKED, Status.CLOSED, outcome=Outcome.ATTENDED)
        no_response = make_request(clinic=bristol, created_at=ARRIVAL)
        history(no_response, Status.CONTACTED, Status.CLOSED, outcome=Outcome.NO_RESPONSE)
        make_request(clinic=bristol, created_at=ARRIVAL)  # still new


def test_funnel_counts_each_stage_a_request_ever_reached_once(superuser, journeys):
    assert table(superuser, SPRING, "funnel") == [
        ["Stage", "Requests", "Of all requests (%)", "Of the stage before (%)"],
        ["New", 25, 100.0, None],
        ["Contacted", 20, 80.0, 80.0],
        ["Booked", 15, 60.0, 75.0],
        ["Attended", 5, 20.0, 33.3],
    ]


def test_outcomes_show_where_requests_leave_including_did_not_attend(superuser, journeys):
    assert table(superuser, SPRING, "outcomes") == [
        ["Outcome", "Requests", "Of all requests (%)"],
        ["Not suitable", 0, 0.0],
        ["No response", 5, 20.0],
        ["Duplicate", 0, 0.0],
        ["Patient declined", 0, 0.0],
        ["Did not attend", 5, 20.0],
        ["Still open", 10, 40.0],
    ]


def test_sources_are_ranked_with_booked_and_attended(superuser, journeys):
    assert table(superuser, SPRING, "sources") == [
        ["Source page", "Requests", "Booked", "Attended", "Booked (%)"],
        ["(not recorded)", 10, 0, 0, 0.0],
        ["/articles/moles/", 10, 10, 0, 100.0],
        ["/treatments/mole-removal/", 5, 5, 5, 100.0],
    ]


def test_treatments_are_ranked_with_conversion_to_booked(superuser, journeys):
    assert table(superuser, SPRING, "treatments") == [
        ["Treatment", "Requests", "Booked", "Attended", "Booked (%)"],
        ["Moles", 15, 15, 5, 100.0],
        ["Not sure", 10, 0, 0, 0.0],
    ]


def test_a_treatment_filter_narrows_every_figure_and_names_it(superuser, journeys):
    moles = InsightsFilter(start=SPRING.start, end=SPRING.end, treatment=make_treatment("Acne"))
    figures = insights_for(superuser, moles)

    assert figures[0].title == "Requests per week, by clinic: Acne"
    assert figures[0].table.rows[1] == [date(2025, 3, 24), 0, 0, 0]


# --- Small cells ---------------------------------------------------------------------------


def test_four_requests_are_suppressed_and_five_are_shown(superuser, bristol, london):
    requests(4, clinic=bristol)
    requests(5, clinic=london)

    per_week = table(superuser, SPRING, "requests-per-week")
    funnel = table(superuser, SPRING, "funnel")

    assert per_week[0] == ["Week starting", "Bristol", "London Harley St", "No preference", "Total"]
    # The total (9) less London's 5 would give Bristol's 4 away, so it is hidden too.
    assert per_week[2] == [date(2025, 3, 24), SUPPRESSED, 5, 0, HIDDEN]
    assert funnel[1] == ["New", 9, 100.0, None]
    only_bristol = InsightsFilter(start=SPRING.start, end=SPRING.end, clinic=bristol)
    assert table(superuser, only_bristol, "funnel")[1:3] == [
        ["New", SUPPRESSED, SUPPRESSED, None],
        ["Contacted", 0, SUPPRESSED, SUPPRESSED],
    ]


# --- Response times ------------------------------------------------------------------------


def answered(clinic, minutes, *, late=False, priority=False):
    target = ARRIVAL + timedelta(days=1)
    response = target + timedelta(hours=1) if late else target - timedelta(hours=1)
    return make_request(
        clinic=clinic,
        created_at=ARRIVAL,
        respond_by=target,
        status=Status.CONTACTED,
        is_clinical_priority=priority,
        first_response_at=response,
        first_response_minutes=minutes,
    )


@pytest.fixture
def responses(bristol, london):
    for minutes in (600, 60, 240, 120):
        answered(bristol, minutes)
    answered(bristol, 180, late=True)
    # Still new: one past its target (counts as missed), one not yet due (not counted).
    make_request(clinic=bristol, created_at=ARRIVAL, respond_by=ARRIVAL + timedelta(days=1))
    make_request(clinic=bristol, created_at=ARRIVAL, respond_by=datetime(2099, 1, 1, tzinfo=UTC))
    for _ in range(4):
        answered(london, 30)
    for minutes in (10, 20, 30, 40, 50):
        answered(london, minutes, priority=True)


def test_response_by_clinic_gives_median_90th_percentile_and_share_within_target(
    superuser, responses
):
    assert table(superuser, SPRING, "response-by-clinic") == [
        [
            "Clinic",
            "Requests due",
            "Answered",
            "Median (working hours)",
            "90th percentile (working hours)",
            "Within target (%)",
        ],
        # 60, 120, 180, 240, 600 minutes: the 3rd and the 5th; 4 of 6 due answered in time,
        # a share that would give away a count under 5 (66.7% of 6), so it is hidden.
        ["Bristol", 6, 5, 3.0, 10.0, SUPPRESSED],
        ["London Harley St", SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED],
        ["No preference", 0, 0, None, None, None],
        # 30 ×4, 60, 120, 180, 240, 600: the 5th (60) and the 9th (600); 8 of 10 in time.
        # Totals beside London's hidden counts would give them away.
        ["All clinics", HIDDEN, HIDDEN, 1.0, 10.0, 80.0],
        ["Bristol (clinical priority)", 0, 0, None, None, None],
        # 10, 20, 30, 40, 50 minutes: the 3rd and the 5th.
        ["London Harley St (clinical priority)", 5, 5, 0.5, 0.8, 100.0],
        ["No preference (clinical priority)", 0, 0, None, None, None],
        ["All clinics (clinical priority)", 5, 5, 0.5, 0.8, 100.0],
    ]


def test_response_by_week_keeps_clinical_priorities_apart(superuser, responses):
    assert table(superuser, SPRING, "response-by-week")[1:] == [
        [date(2025, 3, 17), None, None, None, None, None, None],
        [date(2025, 3, 24), 1.0, 10.0, 80.0, 0.5, 0.8, 100.0],
        [date(2025, 3, 31), None, None, None, None, None, None],
    ]


def test_response_times_show_to_the_nearest_tenth_of_an_hour_with_halves_up(superuser, bristol):
    for minutes in (3, 9, 9, 9, 62):
        answered(bristol, minutes)

    bristol_row = table(superuser, SPRING, "response-by-clinic")[1]

    # The 3rd, 9 minutes, is 0.15 hours: half-way, so up to 0.2; the 5th, 62 minutes, is 1.0.
    assert bristol_row == ["Bristol", 5, 5, 0.2, 1.0, 100.0]


def test_first_contact_is_recorded_once_in_working_time(superuser, bristol):
    consultation_request = make_request(
        clinic=bristol, created_at=datetime.now(UTC) - timedelta(days=3)
    )
    consultation_request_transition(
        consultation_request=consultation_request, status=Status.SPAM, by=superuser
    )
    consultation_request_transition(
        consultation_request=consultation_request, status=Status.NEW, by=superuser
    )
    consultation_request.refresh_from_db()
    assert consultation_request.first_response_at is None

    event = consultation_request_transition(
        consultation_request=consultation_request, status=Status.CONTACTED, by=superuser
    )
    consultation_request_transition(
        consultation_request=consultation_request,
        status=Status.CLOSED,
        outcome=Outcome.DECLINED,
        by=superuser,
    )
    consultation_request.refresh_from_db()
    assert consultation_request.first_response_at == event.created_at
    expected = working_time_between(consultation_request.created_at, event.created_at)
    assert consultation_request.first_response_minutes == expected // timedelta(minutes=1)
    assert consultation_request.first_response_minutes > 0


def test_migration_backfills_first_responses_from_history(bristol):
    consultation_request = make_request(clinic=bristol, created_at=ARRIVAL)  # Monday 10:00
    history(consultation_request, Status.CONTACTED, Status.CLOSED, outcome=Outcome.DECLINED)
    never_answered = make_request(clinic=bristol, created_at=ARRIVAL)
    migration = importlib.import_module("booking.migrations.0008_insights")

    migration.backfill_first_responses(apps, None)

    consultation_request.refresh_from_db()
    never_answered.refresh_from_db()
    assert consultation_request.first_response_at == ARRIVAL + timedelta(hours=1)
    assert consultation_request.first_response_minutes == 60
    assert never_answered.first_response_at is None


def test_migration_backfills_arrival_buckets_on_the_london_clock():
    # Sunday 19 October 2025 at 23:30 UTC is Monday 20 October at 00:30 in London (BST).
    consultation_request = make_request(created_at=datetime(2025, 10, 19, 23, 30, tzinfo=UTC))
    ConsultationRequest.objects.update(
        arrival_week=date(2025, 10, 13), arrival_weekday=6, arrival_hour=23
    )
    migration = importlib.import_module("booking.migrations.0008_insights")

    migration.backfill_arrival_buckets(apps, None)

    consultation_request.refresh_from_db()
    assert consultation_request.arrival_week == date(2025, 10, 20)
    assert consultation_request.arrival_weekday == 0
    assert consultation_request.arrival_hour == 0


def test_clinic_managers_may_view_insights_and_reception_may_not():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert "view_insights" in codenames("Clinic manager")
    assert "view_insights" not in codenames("Reception")


# --- Spam ----------------------------------------------------------------------------------


@pytest.fixture
def spam(bristol):
    requests(5, status=Status.SPAM, spam_reason="honeypot field filled in")
    requests(5, status=Status.SPAM, spam_reason="sent 1.2 s after the form was shown")
    requests(5, status=Status.SPAM, spam_reason="honeypot field filled in; sent 0.4 s after …")
    requests(5, status=Status.SPAM, spam_reason="Marked as spam by staff")
    requests(5, clinic=bristol)


def test_spam_is_counted_per_week_by_reason(superuser, spam):
    assert table(superuser, SPRING, "spam-per-week")[1:] == [
        [date(2025, 3, 17), 0, 0, 0],
        [date(2025, 3, 24), 10, 5, 5],
        [date(2025, 3, 31), 0, 0, 0],
    ]


def test_spam_is_left_out_of_other_figures_unless_asked_for(superuser, spam):
    with_spam = InsightsFilter(start=SPRING.start, end=SPRING.end, show_spam=True)

    assert table(superuser, SPRING, "funnel")[1] == ["New", 5, 100.0, None]
    assert table(superuser, with_spam, "funnel")[1] == ["New", 25, 100.0, None]
    assert table(superuser, with_spam, "outcomes")[-1] == ["Spam", 20, 80.0]
    assert table(superuser, SPRING, "spam-per-week")[2] == [date(2025, 3, 24), 10, 5, 5]


# --- Clinic scoping ------------------------------------------------------------------------


def test_a_bristol_manager_sees_bristol_and_no_preference_only(superuser, manager, bristol, london):
    requests(5, clinic=bristol)
    requests(6, clinic=london)
    requests(7)

    assert table(manager, SPRING, "requests-per-week")[:3] == [
        ["Week starting", "Bristol", "No preference", "Total"],
        [date(2025, 3, 17), 0, 0, 0],
        [date(2025, 3, 24), 5, 7, 12],
    ]
    assert table(superuser, SPRING, "requests-per-week")[2] == [date(2025, 3, 24), 5, 6, 7, 18]
    london_only = InsightsFilter(start=SPRING.start, end=SPRING.end, clinic=london)
    assert requests_in_scope(manager, london_only).count() == 0
    assert table(manager, london_only, "funnel")[1] == ["New", 0, None, None]


# --- Query count ---------------------------------------------------------------------------


def count_queries(django_assert_max_num_queries, user, how_many, clinic):
    for number in range(how_many):
        consultation_request = make_request(
            clinic=clinic if number % 2 else None,
            created_at=ARRIVAL + timedelta(hours=number),
            source_path=f"/articles/{number % 20}/",
            first_response_at=ARRIVAL + timedelta(hours=number + 1),
            first_response_minutes=number,
        )
        history(consultation_request, Status.CONTACTED, Status.BOOKED)
    fresh_user = type(user).objects.get(pk=user.pk)  # as a new page view: nothing cached
    with django_assert_max_num_queries(50) as captured:
        insights_for(fresh_user, SPRING)
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_requests(
    django_assert_max_num_queries, manager, bristol
):
    few = count_queries(django_assert_max_num_queries, manager, 10, bristol)
    many = count_queries(django_assert_max_num_queries, manager, 200, bristol)

    assert few == many <= 15


# --- The filter form -----------------------------------------------------------------------


TODAY = date(2025, 6, 30)


def filter_form(user, **data):
    return InsightsFilterForm(data, user=user, today=TODAY)


@pytest.mark.parametrize(
    ("data", "start"),
    [
        ({}, date(2025, 4, 1)),
        ({"preset": "last_4_weeks"}, date(2025, 6, 3)),
        ({"preset": "last_quarter"}, date(2025, 4, 1)),
        ({"preset": "last_12_months"}, date(2024, 7, 1)),
    ],
)
def test_presets_end_today(superuser, data, start):
    form = filter_form(superuser, **data)

    assert form.is_valid(), form.errors
    assert form.insights_filter() == InsightsFilter(start=start, end=TODAY)


def test_a_custom_range_and_filters(superuser, bristol):
    form = filter_form(
        superuser, start="2025-01-01", end="2025-01-31", clinic=bristol.pk, show_spam="on"
    )

    assert form.is_valid(), form.errors
    assert form.insights_filter() == InsightsFilter(
        start=date(2025, 1, 1), end=date(2025, 1, 31), clinic=bristol, show_spam=True
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "31/02/2025", "end": "2025-03-01"}, "start", "Enter the first date as a date"),
        ({"preset": "custom", "start": "2025-01-01"}, "end", "Enter the last date of the range."),
        ({"start": "2025-03-01", "end": "2025-02-01"}, "end", "The last date is before the"),
        ({"start": "2020-01-01", "end": "2025-01-01"}, "end", "three years or less"),
        ({"preset": "last_week"}, "preset", "Select a valid choice."),
    ],
)
def test_bad_filters_say_what_is_wrong(superuser, data, field, message):
    form = filter_form(superuser, **data)

    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_a_manager_cannot_choose_another_clinic(manager, london):
    form = filter_form(manager, clinic=london.pk)

    assert not form.is_valid()
    assert "clinic" in form.errors


def test_a_total_is_shown_when_no_count_beside_it_is_hidden(superuser, bristol, london):
    requests(5, clinic=bristol)
    requests(6, clinic=london)
    assert table(superuser, SPRING, "requests-per-week")[2] == [date(2025, 3, 24), 5, 6, 0, 11]


def test_a_share_of_fewer_than_5_requests_is_hidden_like_their_count():
    assert share_cell(4, 40) is SUPPRESSED
    assert share_cell(5, 40) == 12.5
    assert share_cell(0, 40) == 0.0
