"""
Each insights figure's table drawn as an inline SVG chart, on the server.

No JavaScript and nothing the Content Security Policy blocks (booking/insights/svg.py). Text
and axes take the page's colour (currentColor), so they read in the admin's light and dark
themes. Colour is never the only cue: each series also has its own pattern (bars) or dash
and marker (lines), repeated in the legend, and values are written on the chart where they
fit. The viewBox is as wide as a phone's screen (340 units), so text is drawn at its real size
there; the stylesheet (static/css/admin-insights.css) caps the width on a wide screen. Long
labels are shortened here; the table under each chart has them in full.
"""

import math
from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from booking.insights import svg
from booking.insights.figures import HIDDEN, SUPPRESSED, Figure

WIDTH = 340
FONT_SIZE = 13
SMALL_FONT_SIZE = 12
TINY_FONT_SIZE = 11
LINE_HEIGHT = 17
# How many characters of a label fit across the chart, and beside a bar.
LABEL_LENGTH = 46
EMPTY_TEXT = "No requests in this period."

# Mid-tones that keep 3:1 contrast on the admin's white and its dark background.
COLOURS = ["#2f6fb0", "#c45f12", "#2e8b57", "#9b4f96", "#7a7a1e", "#4f7f8f"]
# Drawn in white over the series colour, one per series, so print and colour-blind readers
# can tell series apart: solid, diagonal stripes, dots, cross-hatch, horizontal, vertical.
PATTERN_MARKS = [
    SafeString(marks)  # constant markup, never data
    for marks in [
        "",
        '<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#fff" stroke-width="1.5"/>',
        '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
        '<path d="M0 0L6 6M6 0L0 6" stroke="#fff" stroke-width="1"/>',
        '<path d="M0 3H6" stroke="#fff" stroke-width="1.5"/>',
        '<path d="M3 0V6" stroke="#fff" stroke-width="1.5"/>',
    ]
]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]
MARKERS = ["circle", "square", "triangle", "diamond"]
# The arrivals grid: none, then four steps of blue, with dark or white text to keep contrast.
HEAT_LEVELS = [
    ("#f1f3f5", "#1a1a1a"),
    ("#d6e6f5", "#1a1a1a"),
    ("#9cc3e6", "#1a1a1a"),
    ("#3f7fbf", "#ffffff"),
    ("#1d4e89", "#ffffff"),
]
# Text that stays readable over any bar or pattern: dark with a white outline.
HALO = {"fill": "#1a1a1a", "stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"}


def chart_svg(figure: Figure) -> SafeString:
    """The figure's chart, or a sentence saying there is nothing to draw."""
    if is_empty(figure):
        return format_html('<p class="insights-empty">{}</p>', EMPTY_TEXT)
    draw = {
        "bars": _bars,
        "stacked_bars": _stacked_bars,
        "lines": _lines,
        "funnel": _funnel,
        "heatmap": _heatmap,
    }[figure.chart.kind]
    return draw(figure)


def is_empty(figure: Figure) -> bool:
    """True when no cell the chart draws holds a request (zeros and "no data" only)."""
    columns = figure.chart.value_columns
    return not any(
        row[column] is SUPPRESSED or (row[column] or 0) > 0
        for row in figure.table.rows
        for column in columns
    )


def value_text(value, unit: str = "") -> str:
    """A number as the page writes it: 1,234 / 12.5 / <5 / — (no data), with its unit."""
    if value is None:
        return "—"
    if value is SUPPRESSED or value is HIDDEN:
        return str(value)
    text = f"{value:,.1f}".removesuffix(".0") if isinstance(value, float) else f"{value:,}"
    if unit.endswith("%"):
        return text + "%"
    if unit.endswith("hours"):
        return text + " h"
    return text


# --- The chart kinds


def _bars(figure: Figure) -> SafeString:
    """Ranked horizontal bars: each category's label, then one bar per series under it."""
    table, spec = figure.table, figure.chart
    bar_height, value_room = 12, 60
    ticks = svg.ticks(_largest(table, spec.value_columns), whole=_counts(spec.unit))
    scale = (WIDTH - value_room) / ticks[-1]
    legend, top = _legend(figure)
    y = top
    bars = []
    for row in table.rows:
        y += LINE_HEIGHT
        label = _short(_category(row[spec.category_column]), LABEL_LENGTH)
        bars.append(svg.text(0, y - 4, label))
        for index, column in enumerate(spec.value_columns):
            length = _amount(row[column]) * scale
            bars.append(svg.rect(0, y, length, bar_height, _fill(figure, index)))
            bars.append(
                svg.text(
                    length + 4,
                    y + bar_height - 2,
                    value_text(row[column], spec.unit),
                    size=SMALL_FONT_SIZE,
                )
            )
            y += bar_height + 2
        y += 6
    axis, height = _value_axis(ticks, scale, 0, top, y, spec.unit)
    return _svg(figure, height, legend, axis, *bars)


def _stacked_bars(figure: Figure) -> SafeString:
    """One horizontal bar per category (a week), its series stacked, the total at the end."""
    table, spec = figure.table, figure.chart
    label_width, value_room, bar_height = 80, 62, 14
    totals = [sum(_amount(row[column]) for column in spec.value_columns) for row in table.rows]
    ticks = svg.ticks(max(totals), whole=_counts(spec.unit))
    scale = (WIDTH - label_width - value_room) / ticks[-1]
    legend, top = _legend(figure)
    y = top + 6
    bars = []
    for row, total in zip(table.rows, totals, strict=True):
        label = _short(_category(row[spec.category_column], year=True), 12)
        baseline = y + bar_height - 3
        bars.append(svg.text(label_width - 6, baseline, label, size=SMALL_FONT_SIZE, anchor="end"))
        x = label_width
        for index, column in enumerate(spec.value_columns):
            length = _amount(row[column]) * scale
            bars.append(svg.rect(x, y, length, bar_height, _fill(figure, index)))
            if length >= 24 and len(spec.value_columns) > 1:  # one series: the total says it
                text = value_text(row[column], spec.unit)
                bars.append(
                    svg.text(
                        x + length / 2, baseline, text, size=TINY_FONT_SIZE, anchor="middle", **HALO
                    )
                )
            x += length
        bars.append(svg.text(x + 4, baseline, _total_text(row, total, spec), size=SMALL_FONT_SIZE))
        y += bar_height + 4
    axis, height = _value_axis(ticks, scale, label_width, top, y, spec.unit)
    return _svg(figure, height, legend, axis, *bars)


def _total_text(row, total, spec) -> str:
    """The row's total; a hidden small number stays visible as "+ <5" (it is 1 to 4)."""
    hidden = sum(1 for column in spec.value_columns if row[column] is SUPPRESSED)
    parts = [value_text(int(total) if _counts(spec.unit) else total, spec.unit)] if total else []
    return " + ".join(parts + [str(SUPPRESSED)] * hidden) or "0"


def _lines(figure: Figure) -> SafeString:
    """Values over time: one line per series, each with its own dash and marker."""
    table, spec = figure.table, figure.chart
    left, right, plot_height = 58, 14, 170
    plot_width = WIDTH - left - right
    legend, top = _legend(figure)
    top += 10
    bottom = top + plot_height
    ticks = svg.ticks(_largest(table, spec.value_columns), whole=_counts(spec.unit))
    count = len(table.rows)

    def x_at(index):
        return left + (index * plot_width / (count - 1) if count > 1 else plot_width / 2)

    def y_at(value):
        return bottom - _amount(value) / ticks[-1] * plot_height

    parts = []
    for tick in ticks:
        parts.append(svg.line(left, y_at(tick), WIDTH - right, y_at(tick), opacity="0.15"))
        parts.append(
            svg.text(
                left - 5,
                y_at(tick) + 4,
                value_text(tick, spec.unit),
                size=SMALL_FONT_SIZE,
                anchor="end",
            )
        )
    parts += [svg.line(left, bottom, WIDTH - right, bottom), svg.line(left, top, left, bottom)]
    parts.append(_vertical_title(spec.unit.capitalize(), top, bottom))
    label_every = max(1, math.ceil(count / 4))
    for index in range(0, count, label_every):
        anchor = "start" if count > 1 and index == 0 else "middle"
        label = _short(_category(table.rows[index][spec.category_column]), 10)
        parts.append(svg.line(x_at(index), bottom, x_at(index), bottom + 4))
        parts.append(svg.text(x_at(index), bottom + 17, label, size=SMALL_FONT_SIZE, anchor=anchor))
    parts.append(
        svg.text(
            left + plot_width / 2, bottom + 36, table.columns[spec.category_column], anchor="middle"
        )
    )
    for index, column in enumerate(spec.value_columns):
        colour = COLOURS[index % len(COLOURS)]
        points = [
            (x_at(number), y_at(row[column])) if _is_number(row[column]) else None
            for number, row in enumerate(table.rows)
        ]
        parts.append(svg.path_through(points, colour, dash=DASHES[index % len(DASHES)]))
        for number, point in enumerate(points):
            if point is None:
                continue
            parts.append(svg.marker(*point, MARKERS[index % len(MARKERS)], colour))
            if count <= 8:  # room to write each value above its point
                text = value_text(table.rows[number][column], spec.unit)
                anchor = {0: "start", count - 1: "end"}.get(number, "middle")
                parts.append(
                    svg.text(point[0], point[1] - 7, text, size=TINY_FONT_SIZE, anchor=anchor)
                )
    return _svg(figure, bottom + 46, legend, *parts)


def _funnel(figure: Figure) -> SafeString:
    """Stages as centred bars narrowing down the page, each with its count and its rates."""
    table, spec = figure.table, figure.chart
    column = spec.value_columns[0]
    rate_columns = [
        index
        for index, name in enumerate(table.columns)
        if name.endswith("(%)") and index not in spec.value_columns
    ]
    plot_width, bar_height = WIDTH - 64, 16
    largest = max(_amount(row[column]) for row in table.rows)
    y = 0
    parts = []
    for row in table.rows:
        y += LINE_HEIGHT
        label = _short(_category(row[spec.category_column]), LABEL_LENGTH)
        parts.append(svg.text(0, y - 4, label, weight="bold"))
        length = _amount(row[column]) / largest * plot_width
        x = (plot_width - length) / 2
        parts.append(svg.rect(x, y, length, bar_height, COLOURS[0]))
        count = value_text(row[column], spec.unit)
        parts.append(svg.text(x + length + 5, y + bar_height - 4, count, size=SMALL_FONT_SIZE))
        rates = [
            f"{value_text(row[index], '%')} {_rate_name(table.columns[index])}"
            for index in rate_columns
            if row[index] is not None
        ]
        y += bar_height + 4
        if rates:
            y += 13
            parts.append(svg.text(0, y - 2, ", ".join(rates), size=SMALL_FONT_SIZE))
        y += 8
    return _svg(figure, y, *parts)


def _heatmap(figure: Figure) -> SafeString:
    """
    The table's rows (days) across and its value columns (hours) down, so that the 24 hours
    fit a phone's width; each cell shaded by its count and labelled with it.
    """
    table, spec = figure.table, figure.chart
    left, row_height = 58, 17
    column_width = (WIDTH - left) / len(table.rows)
    largest = _largest(table, spec.value_columns)
    legend, top = _heat_legend(largest)
    parts = [
        svg.text(
            left + column_width * (index + 0.5),
            top + 13,
            _category(row[spec.category_column])[:3],
            size=SMALL_FONT_SIZE,
            anchor="middle",
            weight="bold",
        )
        for index, row in enumerate(table.rows)
    ]
    top += 20
    for line, column in enumerate(spec.value_columns):
        y = top + line * row_height
        baseline = y + row_height - 4
        hour = table.columns[column]
        parts.append(svg.text(left - 4, baseline, hour, size=SMALL_FONT_SIZE, anchor="end"))
        for index, row in enumerate(table.rows):
            background, ink = _heat_level(row[column], largest)
            x = left + column_width * index
            parts.append(svg.rect(x + 1, y + 1, column_width - 2, row_height - 2, background))
            parts.append(
                svg.text(
                    x + column_width / 2,
                    baseline,
                    value_text(row[column]),
                    size=TINY_FONT_SIZE,
                    anchor="middle",
                    fill=ink,
                )
            )
    bottom = top + len(spec.value_columns) * row_height
    parts.append(_vertical_title("Hour of arrival", top, bottom))
    return _svg(figure, bottom + 4, legend, *parts)


# --- Pieces


def _svg(figure: Figure, height: float, *parts) -> SafeString:
    ids = f"chart-{figure.slug}"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="insights-chart" viewBox="0 0 {} {}" '
        'width="100%" role="img" aria-labelledby="{}-title" aria-describedby="{}-desc" '
        'font-size="{}" fill="currentColor">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{} The table below gives every '
        "number.</desc>{}{}</svg>",
        WIDTH,
        svg.number(height),
        ids,
        ids,
        FONT_SIZE,
        ids,
        figure.title,
        ids,
        figure.description,
        _patterns(figure),
        svg.join(parts),
    )


def _patterns(figure: Figure) -> SafeString:
    if figure.chart.kind not in {"bars", "stacked_bars"}:
        return svg.NOTHING
    return format_html(
        "<defs>{}</defs>",
        format_html_join(
            "",
            '<pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse">'
            '<rect width="6" height="6" fill="{}"/>{}</pattern>',
            (
                (_pattern_id(figure, index), COLOURS[index % len(COLOURS)], marks)
                for index, marks in enumerate(PATTERN_MARKS[: len(figure.chart.value_columns)])
            ),
        ),
    )


def _pattern_id(figure: Figure, index: int) -> str:
    return f"chart-{figure.slug}-series-{index}"


def _fill(figure: Figure, index: int) -> str:
    if len(figure.chart.value_columns) == 1:
        return COLOURS[0]
    return f"url(#{_pattern_id(figure, index % len(PATTERN_MARKS))})"


def _legend(figure: Figure) -> tuple[SafeString, float]:
    """A key of the series, one per line (none for a single series: the axis names it)."""
    series = figure.chart.value_columns
    if len(series) < 2:
        return svg.NOTHING, 0
    items = []
    for index, column in enumerate(series):
        y = index * LINE_HEIGHT
        if figure.chart.kind == "lines":
            colour = COLOURS[index % len(COLOURS)]
            dash = DASHES[index % len(DASHES)]
            swatch = svg.join(
                [
                    svg.line(0, y + 7, 24, y + 7, colour, dash=dash, width=2),
                    svg.marker(12, y + 7, MARKERS[index % len(MARKERS)], colour),
                ]
            )
        else:
            swatch = svg.rect(0, y + 1, 24, 12, _fill(figure, index))
        name = _short(figure.table.columns[column], LABEL_LENGTH - 5)
        items.append(svg.join([swatch, svg.text(30, y + 12, name)]))
    return svg.join(items), len(series) * LINE_HEIGHT + 6


def _heat_legend(largest: float) -> tuple[SafeString, float]:
    """The shades and the counts each stands for."""
    bounds = _heat_bounds(largest)
    steps = [("0", 0), (str(SUPPRESSED), 1)] + [
        (str(low) if low == high else f"{low}–{high}", level)
        for level, low, high in zip(
            range(2, 5), bounds, [bound - 1 for bound in bounds[1:]] + [int(largest)], strict=True
        )
        if low <= high
    ]
    parts, x = [], 0
    for label, level in steps:
        parts.append(svg.rect(x, 3, 14, 12, HEAT_LEVELS[level][0], stroke="currentColor"))
        parts.append(svg.text(x + 18, 13, label, size=SMALL_FONT_SIZE))
        x += 28 + 7 * len(label)
    note = "Requests in each hour; <5 is fewer than 5, hidden."
    parts.append(svg.text(0, 32, note, size=SMALL_FONT_SIZE))
    return svg.join(parts), 38


def _heat_bounds(largest: float) -> list[int]:
    """The lowest count of each of the three darkest shades: 5 (the smallest count shown)
    up to `largest`, in thirds."""
    span = max(0, largest - 4)
    return [5 + math.floor(third * span / 3) for third in range(3)]


def _heat_level(value, largest: float) -> tuple[str, str]:
    if value is SUPPRESSED or 0 < _amount(value) < 5:
        return HEAT_LEVELS[1]
    if not _amount(value):
        return HEAT_LEVELS[0]
    level = max(third for third, low in enumerate(_heat_bounds(largest)) if value >= low)
    return HEAT_LEVELS[2 + level]


def _value_axis(ticks, scale, left, top, bottom, unit) -> tuple[SafeString, float]:
    """Grid lines at the ticks, the axis along the bottom with their labels, and its name."""
    parts = []
    for tick in ticks:
        x = left + tick * scale
        anchor = "start" if tick == 0 else "middle"
        parts += [
            svg.line(x, top, x, bottom, opacity="0.15"),
            svg.line(x, bottom, x, bottom + 4),
            svg.text(x, bottom + 17, value_text(tick, unit), size=SMALL_FONT_SIZE, anchor=anchor),
        ]
    right = left + ticks[-1] * scale
    parts.append(svg.line(left, bottom, right, bottom))
    parts.append(svg.text((left + right) / 2, bottom + 35, unit.capitalize(), anchor="middle"))
    return svg.join(parts), bottom + 42


def _vertical_title(title: str, top: float, bottom: float) -> SafeString:
    middle = (top + bottom) / 2
    rotation = f"rotate(-90 12 {svg.number(middle)})"
    return svg.text(12, middle, title, anchor="middle", transform=rotation)


def _amount(value) -> float:
    """A cell's length on the chart: nothing for no data or a hidden small number."""
    return value if _is_number(value) else 0


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _largest(table, columns) -> float:
    return max((_amount(row[column]) for row in table.rows for column in columns), default=0)


def _counts(unit: str) -> bool:
    return unit == "requests"


def _category(value, *, year: bool = False) -> str:
    if isinstance(value, date):
        return date_format(value, "j M Y" if year else "j M")
    return "—" if value is None else str(value)


def _rate_name(column: str) -> str:
    """ "Of all requests (%)" → "of all requests"."""
    return column.removesuffix("(%)").strip().lower()


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
