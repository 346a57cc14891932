"""The shapes every insights figure shares (booking.insights.figures lists the figures)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.utils import timezone

from booking.insights.filters import InsightsFilter, clinics_visible_to, requests_in_scope

NO_PREFERENCE = "No preference"
SUPPRESSION_NOTE = (
    " Any number below 5, and any rate or time worked out from fewer than 5 requests, shows as "
    "“<5”, so a narrow filter can hide most of the table; a total that would give such a "
    "number away shows as “hidden”."
)


@dataclass
class Table:
    columns: list[str]
    rows: list[list]


@dataclass
class ChartSpec:
    """
    How to draw a table: `kind` is "bars", "stacked_bars", "lines", "heatmap" or "funnel";
    the categories (x axis, or rows of a heatmap) come from `category_column`, the series
    (or a heatmap's columns) from `value_columns`, all measured in `unit`.
    """

    kind: str
    value_columns: list[int] = field(default_factory=lambda: [1])
    category_column: int = 0
    unit: str = "requests"


@dataclass
class Figure:
    slug: str
    title: str
    description: str  # what it means and how it is computed, in a sentence or two
    table: Table
    chart: ChartSpec


class FigureContext:
    """What every figure needs, each read from the database once and only if needed."""

    def __init__(self, user, insights_filter: InsightsFilter):
        self.user = user
        self.filter = insights_filter
        self.now = timezone.now()
        self._shared = {}

    def shared(self, name: str, compute):
        """`compute()`'s result, worked out once for the figures that share it (one query
        where several figures read the same counts)."""
        if name not in self._shared:
            self._shared[name] = compute()
        return self._shared[name]

    @cached_property
    def requests(self):
        return requests_in_scope(self.user, self.filter)

    @cached_property
    def clinics(self) -> list:
        """The clinics with a column or row of their own (id, name), then no preference."""
        if self.filter.clinic is not None:
            return [(self.filter.clinic.pk, self.filter.clinic.title)]
        named = list(clinics_visible_to(self.user).values_list("pk", "title"))
        return [*named, (None, NO_PREFERENCE)]

    @cached_property
    def weeks(self) -> list[date]:
        """The Monday of every week the range touches (London weeks start on Monday)."""
        monday = self.filter.start - timedelta(days=self.filter.start.weekday())
        return [
            monday + timedelta(weeks=n) for n in range((self.filter.end - monday).days // 7 + 1)
        ]

    def by_week(self, requests):
        """
        `requests` (of the chosen dates) also selected by the weeks they arrived in, the same
        requests: a figure grouped by week then reads them in the order of an index leading
        with arrival_week and counts each week as it goes, instead of sorting them first.
        """
        return requests.filter(arrival_week__gte=self.weeks[0], arrival_week__lte=self.weeks[-1])


def title_for(base: str, insights_filter: InsightsFilter) -> str:
    if insights_filter.treatment is not None:
        return f"{base}: {insights_filter.treatment.title}"
    return base
