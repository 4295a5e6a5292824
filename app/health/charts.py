"""Geometry for the health view's charts, drawn as inline SVG by templates (no JavaScript).

Numbers go in, rectangles and labels come out; the template only places them. Every chart also
renders its numbers as a table for screen readers and for people who prefer to read.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from app.core.dates import format_moment
from app.core.i18n import get_locale


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    grid: list[tuple[float, str]]  # (y, label)
    baseline: float
    left: float
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, text) under the bars


@dataclass
class HBar:
    y: float
    width: float
    value: int
    label: str
    share: float


@dataclass
class HBarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[HBar]


def nice_ceiling(value: float) -> int:
    """The next 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exponent:
            return int(step * exponent)
    return int(10 * exponent)


def week_labels(weeks: list[datetime]) -> list[str]:
    return [format_moment(week.date(), "day_month", get_locale()) for week in weeks]


def bar_chart(
    values: list[int], labels: list[str], *, width: int = 360, height: int = 150
) -> BarChart:
    """Vertical bars, one per week, on a 0..nice maximum scale with three grid lines."""
    left, right, top, bottom = 28.0, 14.0, 8.0, 22.0
    plot_height = height - top - bottom
    top_value = nice_ceiling(max(values, default=0))
    slot = (width - left - right) / max(len(values), 1)
    bar_width = max(slot * 0.7, 2.0)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = plot_height * value / top_value
        x = left + i * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(top + plot_height - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                value=value,
                label=label,
            )
        )
    grid = [
        (round(top + plot_height * (1 - fraction), 1), str(round(top_value * fraction)))
        for fraction in (0.0, 0.5, 1.0)
    ]
    # Label every week when they fit, otherwise every few, so the dates never overlap.
    every = max(1, math.ceil(len(values) / 6))
    under = [
        (round(left + i * slot + slot / 2, 1), label)
        for i, label in enumerate(labels)
        if i % every == (len(labels) - 1) % every
    ]
    return BarChart(
        width=width,
        height=height,
        bars=bars,
        grid=grid,
        baseline=top + plot_height,
        left=left,
        labels=under,
    )


def hbar_chart(
    rows: list[tuple[str, int]], *, width: int = 360, label_width: int = 118, bar_height: int = 18
) -> HBarChart:
    """Horizontal bars for a distribution (e.g. how soon posts got a peer reply)."""
    total = sum(value for _label, value in rows) or 1
    top_value = max((value for _label, value in rows), default=0) or 1
    room = width - label_width - 64
    bars = [
        HBar(
            y=i * (bar_height + 6),
            width=round(room * value / top_value, 1),
            value=value,
            label=label,
            share=value / total,
        )
        for i, (label, value) in enumerate(rows)
    ]
    return HBarChart(
        width=width,
        height=len(rows) * (bar_height + 6),
        label_width=label_width,
        bar_height=bar_height,
        bars=bars,
    )


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"
