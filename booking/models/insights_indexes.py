"""
What the Insights page (booking/insights/) needs from the requests table: the London week, day
and hour each request arrived in, and the indexes each figure groups by (docs/performance.md,
"Insights at 100,000 requests", says why each one is there).
"""

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

INSIGHTS_COLUMNS = [
    "created_at",
    "status",
    "clinic",
    "arrival_week",
    "arrival_weekday",
    "arrival_hour",
    "is_clinical_priority",
    "first_response_minutes",
    "first_response_at",
    "respond_by",
    "contacted_at",
    "booked_at",
    "outcome",
    "treatment",
    "spam_reason",
    "source_path",
]

# Working time to the first answer in tenths of an hour (6 minutes), halves rounded up: the
# precision Insights shows (booking.insights.response). Rounding keeps the order, so the median
# and 90th percentile of these are the exact ones rounded, and fewer groups are counted than
# with minutes. The numbers are written into the SQL, not sent as parameters, so that SQLite
# sees the same expression as in booking_insights_answer_idx and groups in its order.
FIRST_RESPONSE_TENTHS = models.Func(
    models.F("first_response_minutes"),
    template="((%(expressions)s + 3) / 6)",
    output_field=models.IntegerField(),
)

# Insights: an index per GROUP BY of the figures, leading with the columns grouped on and
# covering the columns counted, so SQLite (which cannot hash-aggregate) reads the requests
# already in groups and counts each as it goes instead of sorting a year of them first; with
# planner statistics it skips through the leading columns to the date range. Each earns its
# place (a year of 100,000 requests, ms: per week 140 → 79, sources 61 → 24, treatments
# 62 → 23, arrivals 44 → 16, response by week 187 → 110). PostgreSQL hashes instead and
# doesn't use them for a long range. The cost: every new request writes each (on SQLite about
# 0.08 ms each), as does a status change touching their columns: drop one whose figure stops
# grouping that way.
INSIGHTS_GROUPING_INDEXES = [
    # Requests, funnel, outcomes and spam per week (booking.insights.base.by_week).
    models.Index(
        fields=[
            "arrival_week",
            "clinic",
            "created_at",
            "status",
            "contacted_at",
            "booked_at",
            "outcome",
            "spam_reason",
        ],
        name="booking_insights_week_idx",
    ),
    models.Index(
        fields=["source_path", "created_at", "clinic", "status", "booked_at", "outcome"],
        name="booking_insights_source_idx",
    ),
    models.Index(
        fields=["treatment", "created_at", "clinic", "status", "booked_at", "outcome"],
        name="booking_insights_treatment_idx",
    ),
    models.Index(
        fields=["arrival_weekday", "arrival_hour", "created_at", "clinic", "status"],
        name="booking_insights_arrival_idx",
    ),
    # Response times by week: grouped on the tenths themselves (the expression must match the
    # query's), with the minutes too so SQLite before 3.41 counts the index as covering.
    models.Index(
        models.F("is_clinical_priority"),
        models.F("arrival_week"),
        FIRST_RESPONSE_TENTHS,
        *(
            models.F(name)
            for name in (
                "created_at",
                "status",
                "first_response_at",
                "respond_by",
                "clinic",
                "first_response_minutes",
            )
        ),
        name="booking_insights_answer_idx",
    ),
]


def arrival_buckets(created_at: datetime) -> dict:
    """
    The London week (its Monday), weekday (0 for Monday) and hour a request arrived in, as
    stored on it so Insights groups on small columns instead of converting every row's time
    zone (which SQLite can only do by calling Python per row).
    """
    local = timezone.localtime(created_at)
    return {
        "arrival_week": local.date() - timedelta(days=local.weekday()),
        "arrival_weekday": local.weekday(),
        "arrival_hour": local.hour,
    }
