"""
The insights figures: each a table of numbers and how to chart it, computed by aggregate
queries in the database (a fixed number of queries whatever the number of requests).

Cells hold int, float, None (no data), SUPPRESSED (booking.insights.suppression: fewer than
5), HIDDEN (a total that would give a suppressed cell away), or in a category column a str or
a date (a week's Monday).

Figures, by slug (insights_for returns them in this order):
- requests-per-week      Week starting | <one column per clinic> | No preference | Total
- sources                Source page | Requests | Booked | Attended | Booked (%)
- treatments             Treatment | Requests | Booked | Attended | Booked (%)
- funnel                 Stage | Requests | Of all requests (%) | Of the stage before (%)
- outcomes               Outcome | Requests | Of all requests (%)
- response-by-clinic     Clinic | Requests due | Answered | Median (working hours) |
                         90th percentile (working hours) | Within target (%)
- response-by-week       Week starting | Median | 90th percentile | Within target (%) |
                         Clinical priority: median | …: 90th percentile | …: within target (%)
- arrivals               Day | 00:00 | 01:00 | … | 23:00
- spam-per-week          Week starting | Honeypot | Time-trap | Marked by staff
"""

from collections import Counter, defaultdict
from collections.abc import Callable

from django.db.models import Count, OuterRef, Q, Subquery

from booking.insights.base import (
    SUPPRESSION_NOTE,
    ChartSpec,
    Figure,
    FigureContext,
    Table,
    title_for,
)
from booking.insights.filters import InsightsFilter, requests_in_scope
from booking.insights.response import response_by_clinic, response_by_week
from booking.insights.suppression import HIDDEN, SUPPRESSED, count_cell, share_cell, total_cell
from booking.models import ConsultationRequest
from pages.models import Treatment

__all__ = ["HIDDEN", "SUPPRESSED", "ChartSpec", "Figure", "Table", "figure_for", "insights_for"]


Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome

# How many source pages are listed one by one; the rest share a row.
TOP_SOURCES = 15
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The words booking.forms.BookingForm.spam_reason stores; anything else was marked by staff.
HONEYPOT_REASON = "honeypot"
TIME_TRAP_REASON = "after the form was shown"


# Ever reached, from the milestones recorded on the request (kept when it is reopened).
WAS_CONTACTED = Q(contacted_at__isnull=False)
WAS_BOOKED = Q(booked_at__isnull=False)
ATTENDED = Q(status=Status.CLOSED, outcome=Outcome.ATTENDED)


EXITS = [outcome for outcome in Outcome if outcome != Outcome.ATTENDED]
# What the funnel and the outcomes count, of the requests shown.
STAGES = {
    "contacted": WAS_CONTACTED,
    "booked": WAS_BOOKED,
    "attended": ATTENDED,
    "still_open": ~Q(status__in=ConsultationRequest.CLOSED_STATUSES),
    "spam": Q(status=Status.SPAM),
    **{outcome.value: Q(status=Status.CLOSED, outcome=outcome) for outcome in EXITS},
}
HONEYPOT = Q(spam_reason__contains=HONEYPOT_REASON)
TIME_TRAP = ~HONEYPOT & Q(spam_reason__contains=TIME_TRAP_REASON)
IS_SPAM = Q(status=Status.SPAM)


def _weekly_counts(context: FigureContext) -> dict:
    """
    {(week, clinic id): counts} of the requests shown, the stages they reached (STAGES) and
    the spam by reason, from one scan shared by the requests, funnel, outcomes and spam
    figures: spam is counted whether or not it is shown.
    """

    def count():
        with_spam = InsightsFilter(**{**context.filter.__dict__, "show_spam": True})
        shown = Q() if context.filter.show_spam else ~IS_SPAM
        grouped = (
            context.by_week(requests_in_scope(context.user, with_spam))
            .values("arrival_week", "clinic")
            .annotate(
                arrived=Count("pk", filter=shown),
                **{stage: Count("pk", filter=shown & met) for stage, met in STAGES.items()},
                honeypot=Count("pk", filter=IS_SPAM & HONEYPOT),
                time_trap=Count("pk", filter=IS_SPAM & TIME_TRAP),
                by_staff=Count("pk", filter=IS_SPAM & ~HONEYPOT & ~TIME_TRAP),
            )
        )
        return {(row["arrival_week"], row["clinic"]): row for row in grouped}

    return context.shared("weekly_counts", count)


def _requests_per_week(context: FigureContext) -> Figure:
    counts = {key: row["arrived"] for key, row in _weekly_counts(context).items()}
    rows = []
    for week in context.weeks:
        in_week = [counts.get((week, clinic_id), 0) for clinic_id, _ in context.clinics]
        rows.append([week, *map(count_cell, in_week), total_cell(in_week)])
    return Figure(
        slug="requests-per-week",
        title=title_for("Requests per week, by clinic", context.filter),
        description=(
            "How many requests arrived each week (Monday to Sunday, UK time), by the clinic the "
            "patient chose; a week with none shows 0. The first and last weeks may be only "
            "partly in the chosen dates." + SUPPRESSION_NOTE
        ),
        table=Table(
            columns=["Week starting", *(name for _, name in context.clinics), "Total"],
            rows=rows,
        ),
        chart=ChartSpec("stacked_bars", value_columns=list(range(1, len(context.clinics) + 1))),
    )


def _conversion_rows(grouped, label_of) -> list[list]:
    return [
        [
            label_of(row),
            count_cell(row["requests"]),
            count_cell(row["booked"]),
            count_cell(row["attended"]),
            share_cell(row["booked"], row["requests"]),
        ]
        for row in grouped
    ]


def _conversion_counts(requests, group_by: str):
    return (
        requests.values(group_by)
        .annotate(
            requests=Count("pk"),
            booked=Count("pk", filter=WAS_BOOKED),
            attended=Count("pk", filter=ATTENDED),
        )
        .order_by("-requests", group_by)
    )


CONVERSION_COLUMNS = ["Requests", "Booked", "Attended", "Booked (%)"]


def _sources(context: FigureContext) -> Figure:
    grouped = list(_conversion_counts(context.requests, "source_path"))
    listed, others = grouped[:TOP_SOURCES], grouped[TOP_SOURCES:]
    if others:
        listed.append(
            {
                "source_path": None,
                **{
                    key: sum(row[key] for row in others)
                    for key in ("requests", "booked", "attended")
                },
            }
        )

    def label(row):
        if row["source_path"] is None:
            return f"Other pages ({len(others)})"
        return row["source_path"] or "(not recorded)"

    return Figure(
        slug="sources",
        title=title_for("Where requests come from", context.filter),
        description=(
            "The page the patient was on when they opened the booking form, ranked by requests, "
            "with how many were ever booked and how many attended." + SUPPRESSION_NOTE
        ),
        table=Table(
            columns=["Source page", *CONVERSION_COLUMNS], rows=_conversion_rows(listed, label)
        ),
        chart=ChartSpec("bars", value_columns=[1, 2, 3]),
    )


def _treatments(context: FigureContext) -> Figure:
    # Grouped by the request's own column (in the order of an index leading with it), the
    # title looked up once per group rather than joined to every request.
    title = Subquery(Treatment.objects.filter(pk=OuterRef("treatment")).order_by().values("title"))
    grouped = (
        _conversion_counts(context.requests, "treatment")
        .annotate(title=title)
        .order_by("-requests", "title")
    )
    return Figure(
        slug="treatments",
        title="Treatments asked about",
        description=(
            "The treatment chosen on the form, ranked by requests, with how many were ever "
            "booked and attended; “Booked (%)” is booked out of requests." + SUPPRESSION_NOTE
        ),
        table=Table(
            columns=["Treatment", *CONVERSION_COLUMNS],
            rows=_conversion_rows(grouped, lambda row: row["title"] or "Not sure"),
        ),
        chart=ChartSpec("bars", value_columns=[1, 2]),
    )


def _stage_counts(context: FigureContext) -> dict:
    """The funnel's and the outcomes' counts: the weekly counts added up."""
    totals = Counter()
    for row in _weekly_counts(context).values():
        totals.update({stage: row[stage] for stage in ("arrived", *STAGES)})
    return totals


def _funnel(context: FigureContext) -> Figure:
    reached = _stage_counts(context)
    stages = [
        ("New", reached["arrived"]),
        ("Contacted", reached["contacted"]),
        ("Booked", reached["booked"]),
        ("Attended", reached["attended"]),
    ]
    rows = []
    before = None
    for stage, count in stages:
        rows.append(
            [
                stage,
                count_cell(count),
                share_cell(count, reached["arrived"]),
                None if before is None else share_cell(count, before),
            ]
        )
        before = count
    return Figure(
        slug="funnel",
        title=title_for("From request to appointment", context.filter),
        description=(
            "How many requests ever reached each stage, from their history: a request reopened "
            "and booked again counts once, and a request booked without a “contacted” step "
            "counts as contacted. Attended means closed as attended." + SUPPRESSION_NOTE
        ),
        table=Table(
            columns=["Stage", "Requests", "Of all requests (%)", "Of the stage before (%)"],
            rows=rows,
        ),
        chart=ChartSpec("funnel"),
    )


def _outcomes(context: FigureContext) -> Figure:
    counts = _stage_counts(context)
    labelled = [(outcome.label, counts[outcome.value]) for outcome in EXITS]
    labelled.append(("Still open", counts["still_open"]))
    if context.filter.show_spam:
        labelled.append(("Spam", counts["spam"]))
    return Figure(
        slug="outcomes",
        title=title_for("Where requests leave", context.filter),
        description=(
            "Requests closed with each outcome other than attended, and those still open (new, "
            "contacted or booked), as they stand today." + SUPPRESSION_NOTE
        ),
        table=Table(
            columns=["Outcome", "Requests", "Of all requests (%)"],
            rows=[
                [label, count_cell(count), share_cell(count, counts["arrived"])]
                for label, count in labelled
            ],
        ),
        chart=ChartSpec("bars"),
    )


def _arrivals(context: FigureContext) -> Figure:
    counts = {
        (row["arrival_weekday"], row["arrival_hour"]): row["requests"]
        for row in context.requests.values("arrival_weekday", "arrival_hour").annotate(
            requests=Count("pk")
        )
    }
    rows = [
        [name, *(count_cell(counts.get((day, hour), 0)) for hour in range(24))]
        for day, name in enumerate(WEEKDAYS)
    ]
    return Figure(
        slug="arrivals",
        title=title_for("When requests arrive", context.filter),
        description=(
            "Requests by the day of the week and the hour they arrived (UK time), to plan "
            "reception cover." + SUPPRESSION_NOTE
        ),
        table=Table(columns=["Day", *(f"{hour:02}:00" for hour in range(24))], rows=rows),
        chart=ChartSpec("heatmap", value_columns=list(range(1, 25))),
    )


def _spam_per_week(context: FigureContext) -> Figure:
    counts = defaultdict(Counter)
    for (week, _clinic), row in _weekly_counts(context).items():
        counts[week].update({key: row[key] for key in ("honeypot", "time_trap", "by_staff")})
    rows = [
        [
            week,
            *(count_cell(counts[week][key]) for key in ("honeypot", "time_trap", "by_staff")),
        ]
        for week in context.weeks
    ]
    return Figure(
        slug="spam-per-week",
        title=title_for("Spam caught per week", context.filter),
        description=(
            "Requests held as spam, by the week they arrived and why: the hidden field only "
            "robots fill in (honeypot), a form sent faster than a person can (time-trap), or "
            "marked as spam by staff. Requests rescued from spam are not counted."
            + SUPPRESSION_NOTE
        ),
        table=Table(
            columns=["Week starting", "Honeypot", "Time-trap", "Marked by staff"], rows=rows
        ),
        chart=ChartSpec("stacked_bars", value_columns=[1, 2, 3]),
    )


FIGURES: dict[str, Callable[[FigureContext], Figure]] = {
    "requests-per-week": _requests_per_week,
    "sources": _sources,
    "treatments": _treatments,
    "funnel": _funnel,
    "outcomes": _outcomes,
    "response-by-clinic": response_by_clinic,
    "response-by-week": response_by_week,
    "arrivals": _arrivals,
    "spam-per-week": _spam_per_week,
}


def insights_for(user, insights_filter: InsightsFilter) -> list[Figure]:
    """Every figure for the requests `user` may see, as `insights_filter` selects them."""
    context = FigureContext(user, insights_filter)
    return [build(context) for build in FIGURES.values()]


def figure_for(user, insights_filter: InsightsFilter, slug: str) -> Figure:
    """One figure, by slug (for its CSV download). Raises KeyError for an unknown slug."""
    return FIGURES[slug](FigureContext(user, insights_filter))
