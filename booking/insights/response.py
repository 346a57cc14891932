"""
How fast requests are answered: first contact in working time, by clinic and by week, with
clinical priorities apart (docs/insights.md explains the figures).
"""

from dataclasses import dataclass, replace

from django.db import connections
from django.db.models import Count, F, Q

from booking.insights.base import (
    SUPPRESSION_NOTE,
    ChartSpec,
    Figure,
    FigureContext,
    Table,
    title_for,
)
from booking.insights.suppression import count_cell, protect, share_cell, total_cell
from booking.models import ConsultationRequest
from booking.models.insights_indexes import FIRST_RESPONSE_TENTHS

Status = ConsultationRequest.Status
# The key of a total across a group column (all clinics).
ALL = "all"


@dataclass(frozen=True)
class ResponseCounts:
    """One group's requests due an answer (answered, or new past their target), answered,
    answered by their target, and the median and 90th percentile of the answered ones' working
    time, in tenths of an hour (None with none answered)."""

    due: int = 0
    answered: int = 0
    within: int = 0
    median: int | None = None
    percentile: int | None = None


# The median and 90th percentile are taken by nearest rank: of n answered requests ordered by
# response time, the values at positions ceil(n / 2) and ceil(9n / 10), the times within which
# half (nine in ten) of the requests were answered. The database counts the requests per group
# and tenth of an hour, runs a total up those counts in order (a window), and returns only the
# rows where the running total reaches one of the two positions, plus each group's first row
# for its totals: a few rows per group, whatever the number of requests or response times.
# Django cannot filter on a window over grouped rows, hence SQL around the queryset's own.
PERCENTILE_ROWS_SQL = """
WITH counted AS ({counted}),
groups AS ({groups}),
ranked AS (
    SELECT {keys}, tenths, requests,
        CAST(SUM(due) OVER whole AS BIGINT) AS due,
        CAST(SUM(within) OVER whole AS BIGINT) AS within,
        CAST(SUM(answered) OVER whole AS BIGINT) AS answered,
        CAST(SUM(answered) OVER (
            PARTITION BY {keys} ORDER BY tenths ROWS UNBOUNDED PRECEDING
        ) AS BIGINT) AS running,
        ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY tenths) AS row_number
    FROM groups
    WINDOW whole AS (PARTITION BY {keys})
),
flagged AS (
    SELECT {keys}, due, within, answered, tenths, row_number,
        tenths IS NOT NULL AND running >= (answered + 1) / 2
            AND running - requests < (answered + 1) / 2 AS is_median,
        tenths IS NOT NULL AND running >= (answered * 9 + 9) / 10
            AND running - requests < (answered * 9 + 9) / 10 AS is_percentile
    FROM ranked
)
SELECT {keys}, due, within, answered, tenths, is_median, is_percentile
FROM flagged
WHERE row_number = 1 OR is_median OR is_percentile
"""


def _response_counts(
    context: FigureContext, requests, *group_by: str, total_across: str = ""
) -> dict:
    """
    {(group values…): ResponseCounts} of `requests`, from one query. With `total_across` (one of
    `group_by`), also the totals of the groups that differ only in that column, keyed with
    ALL in its place (for "All clinics", worked out from the requests, not from the rows).
    """
    due = Q(first_response_at__isnull=False) | Q(status=Status.NEW, respond_by__lt=context.now)
    counted = (
        requests.values(*group_by, tenths=FIRST_RESPONSE_TENTHS)
        .annotate(
            requests=Count("pk"),
            due=Count("pk", filter=due),
            within=Count("pk", filter=Q(first_response_at__lte=F("respond_by"))),
        )
        .order_by()
    )
    counted_sql, params = counted.query.sql_with_params()
    connection = connections[counted.db]
    quote = connection.ops.quote_name
    keys = ", ".join(quote(key) for key in group_by)
    # Answered requests per row (the "not answered" row has no tenths).
    answered = "CASE WHEN tenths IS NULL THEN 0 ELSE requests END AS answered"
    # Only quoted column names from this module go into the SQL; values stay parameters.
    groups = f"SELECT {keys}, 0 AS is_total, tenths, requests, due, within, {answered} FROM counted"  # noqa: S608
    if total_across:
        others = ", ".join(quote(key) for key in group_by if key != total_across)
        totals = ", ".join("NULL" if key == total_across else quote(key) for key in group_by)
        groups += (
            f" UNION ALL SELECT {totals}, 1, tenths, SUM(requests), SUM(due), SUM(within), "  # noqa: S608
            f"SUM(CASE WHEN tenths IS NULL THEN 0 ELSE requests END) FROM counted "
            f"GROUP BY {others}, tenths"
        )
    partition = f"{keys}, is_total"
    sql = PERCENTILE_ROWS_SQL.format(counted=counted_sql, groups=groups, keys=partition)
    by_group = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            *values, is_total, due_count, within_count, answered_count, tenths = row[:-2]
            is_median, is_percentile = row[-2:]
            if is_total:
                values[group_by.index(total_across)] = ALL
            key = tuple(values)
            counts = by_group.get(key) or ResponseCounts(
                due=due_count, answered=answered_count, within=within_count
            )
            by_group[key] = replace(
                counts,
                median=tenths if is_median else counts.median,
                percentile=tenths if is_percentile else counts.percentile,
            )
    return by_group


def _hours(tenths):
    return None if tenths is None else tenths / 10


def _response_cells(counts: ResponseCounts) -> list:
    return [
        protect(_hours(counts.median), based_on=counts.answered),
        protect(_hours(counts.percentile), based_on=counts.answered),
        share_cell(counts.within, counts.due),
    ]


RESPONSE_DESCRIPTION = (
    "Time from a request arriving to its first contact (the first move from new to contacted, "
    "booked or closed), counting only the clinic’s opening hours, or working days for requests "
    "with no clinic preference; median and 90th percentile of answered requests. Within target "
    "is the share answered by their respond-by time, of those answered or already past it. "
    "Clinical priorities have a shorter target, so they are shown apart."
)


def response_by_clinic(context: FigureContext) -> Figure:
    by_clinic = _response_counts(
        context, context.requests, "clinic", "is_clinical_priority", total_across="clinic"
    )
    rows = []
    for priority in (False, True):
        suffix = " (clinical priority)" if priority else ""
        for clinic_id, name in context.clinics:
            counts = by_clinic.get((clinic_id, priority), ResponseCounts())
            rows.append(
                [
                    name + suffix,
                    count_cell(counts.due),
                    count_cell(counts.answered),
                    *_response_cells(counts),
                ]
            )
        if len(context.clinics) > 1:
            totals = by_clinic.get((ALL, priority), ResponseCounts())
            per_clinic = [
                by_clinic.get((clinic_id, priority), ResponseCounts())
                for clinic_id, _ in context.clinics
            ]
            rows.append(
                [
                    "All clinics" + suffix,
                    total_cell([counts.due for counts in per_clinic]),
                    total_cell([counts.answered for counts in per_clinic]),
                    *_response_cells(totals),
                ]
            )
    return Figure(
        slug="response-by-clinic",
        title=title_for("How fast requests are answered, by clinic", context.filter),
        description=RESPONSE_DESCRIPTION + SUPPRESSION_NOTE,
        table=Table(
            columns=[
                "Clinic",
                "Requests due",
                "Answered",
                "Median (working hours)",
                "90th percentile (working hours)",
                "Within target (%)",
            ],
            rows=rows,
        ),
        chart=ChartSpec("bars", value_columns=[3, 4], unit="working hours"),
    )


def response_by_week(context: FigureContext) -> Figure:
    by_week = {
        (str(week), priority): counts  # SQLite gives the week as text
        for (priority, week), counts in _response_counts(
            context, context.by_week(context.requests), "is_clinical_priority", "arrival_week"
        ).items()
    }
    rows = [
        [
            week,
            *(
                cell
                for priority in (False, True)
                for cell in _response_cells(by_week.get((str(week), priority), ResponseCounts()))
            ),
        ]
        for week in context.weeks
    ]
    return Figure(
        slug="response-by-week",
        title=title_for("How fast requests are answered, by week", context.filter),
        description=RESPONSE_DESCRIPTION
        + " Weeks are those the requests arrived in."
        + SUPPRESSION_NOTE,
        table=Table(
            columns=[
                "Week starting",
                "Median (working hours)",
                "90th percentile (working hours)",
                "Within target (%)",
                "Clinical priority: median (working hours)",
                "Clinical priority: 90th percentile (working hours)",
                "Clinical priority: within target (%)",
            ],
            rows=rows,
        ),
        chart=ChartSpec("lines", value_columns=[1, 2], unit="working hours"),
    )
