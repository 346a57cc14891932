"""
SVG elements for the insights charts (booking/insights/charts.py), built with format_html so
that every label is escaped. Styling is by presentation attributes (fill, stroke, font-size),
which the Content Security Policy allows; never a style attribute.
"""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

NOTHING = SafeString("")


def text(x, y, content, *, size=None, anchor="start", weight=None, **attributes) -> SafeString:
    attributes |= {"font-size": size, "font-weight": weight}
    if anchor != "start":
        attributes["text-anchor"] = anchor
    return format_html(
        '<text x="{}" y="{}"{}>{}</text>', number(x), number(y), _attributes(attributes), content
    )


def rect(x, y, width, height, fill, **attributes) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>',
        number(x),
        number(y),
        number(max(0, width)),
        number(height),
        fill,
        _attributes(attributes),
    )


def line(x1, y1, x2, y2, colour="currentColor", *, dash="", width=1, opacity=None) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>',
        number(x1),
        number(y1),
        number(x2),
        number(y2),
        colour,
        width,
        _attributes({"stroke-dasharray": dash or None, "stroke-opacity": opacity}),
    )


def path_through(points, colour: str, *, dash: str) -> SafeString:
    """One line through the points, broken where a point is None (no data)."""
    commands, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{number(point[0])} {number(point[1])}")
        pen_down = True
    return format_html(
        '<path d="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
        " ".join(commands),
        colour,
        _attributes({"stroke-dasharray": dash or None}),
    )


def marker(x, y, shape: str, colour: str) -> SafeString:
    """A point drawn as a circle, square, triangle or diamond."""
    if shape == "circle":
        return format_html(
            '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>', number(x), number(y), colour
        )
    if shape == "square":
        return rect(x - 3.5, y - 3.5, 7, 7, colour)
    corners = {
        "triangle": [(0, -4.5), (4.5, 3.5), (-4.5, 3.5)],
        "diamond": [(0, -4.5), (4.5, 0), (0, 4.5), (-4.5, 0)],
    }[shape]
    return format_html(
        '<polygon points="{}" fill="{}"/>',
        " ".join(f"{number(x + dx)},{number(y + dy)}" for dx, dy in corners),
        colour,
    )


def join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def number(value: float) -> str:
    """A coordinate: one decimal at most."""
    return f"{value:.1f}".removesuffix(".0")


def ticks(largest: float, *, whole: bool) -> list[float]:
    """Round steps (1, 2, 2.5 or 5 times a power of ten) from 0 to just above `largest`."""
    if largest <= 0:
        return [0, 1]
    rough = largest / 5
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    if whole:
        step = max(1, math.ceil(step))
    return [step * index for index in range(math.ceil(largest / step) + 1)]


def _attributes(attributes: dict) -> SafeString:
    return format_html_join(
        "", ' {}="{}"', ((name, value) for name, value in attributes.items() if value is not None)
    )
