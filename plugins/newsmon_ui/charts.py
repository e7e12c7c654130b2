"""Geometry for the two small inline-SVG charts; the templates only place the numbers computed here.

Server-side SVG needs no script and no chart library, loads with the page, and passes the strict CSP.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from newsmon.store.queries import CopyView, DayCount

PALETTE_SIZE = 6  # CSS classes .s0 .. .s5


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    series: int
    label: str


@dataclass(frozen=True)
class Tick:
    pos: float
    text: str


@dataclass(frozen=True)
class DailyChart:
    days: int
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    legend: tuple[tuple[str, int], ...]
    total: int


def daily_chart(
    counts: Sequence[DayCount], until: date, days: int, width: int = 1200, height: int = 150
) -> DailyChart:
    """Stacked bars: stories flagged per day, one colour per topic."""
    left, right, top, bottom = 34, 8, 10, height - 22
    first = until - timedelta(days=days - 1)
    topics = sorted({c.topic for c in counts})
    series = {t: i % PALETTE_SIZE for i, t in enumerate(topics)}
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for c in counts:
        if first <= c.day <= until:
            per_day[c.day][c.topic] = c.stories
    peak = max((sum(v.values()) for v in per_day.values()), default=0)
    scale_max = max(peak, 4)
    slot = (width - left - right) / days
    bars = []
    for i in range(days):
        day = first + timedelta(days=i)
        y = float(bottom)
        for topic in topics:
            n = per_day.get(day, {}).get(topic, 0)
            if not n:
                continue
            h = (bottom - top) * n / scale_max
            y -= h
            bars.append(
                Bar(left + i * slot + 1, y, max(slot - 2, 1), h, series[topic], f"{day} {topic}: {n}")
            )
    step = max(1, days // 6)
    marked = list(range(0, days, step))
    if days - 1 - marked[-1] >= step / 2:
        marked.append(days - 1)  # the newest day is the one people look for
    elif marked[-1] != days - 1:
        marked[-1] = days - 1
    x_ticks = tuple(
        Tick(left + i * slot + slot / 2, (first + timedelta(days=i)).strftime("%d %b")) for i in marked
    )
    y_ticks = tuple(Tick(bottom - (bottom - top) * v / scale_max, str(v)) for v in _nice_ticks(scale_max))
    return DailyChart(
        days=days,
        width=width,
        height=height,
        plot_top=top,
        plot_bottom=bottom,
        bars=tuple(bars),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        legend=tuple((t, series[t]) for t in topics),
        total=sum(sum(v.values()) for v in per_day.values()),
    )


def _nice_ticks(maximum: int) -> list[int]:
    step = max(1, round(maximum / 4))
    return list(range(0, maximum + 1, step))


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    original: bool
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    baseline: int
    dots: tuple[Dot, ...]
    steps: str  # "x,y x,y ..." of the cumulative copies line (numbers only)
    x_ticks: tuple[Tick, ...]
    span_text: str


def copies_timeline(copies: Sequence[CopyView], width: int = 900, height: int = 110) -> Timeline | None:
    """Copies over time: a dot per copy and the running count, so a burst of syndication is visible."""
    if not copies:
        return None
    left, right, top, bottom = 12, 12, 12, height - 22
    times = sorted(((c.seen_at, c) for c in copies), key=lambda tc: tc[0])
    start, end = times[0][0], times[-1][0]
    span = max((end - start).total_seconds(), 60.0)

    def x_of(t: datetime) -> float:
        return left + (width - left - right) * (t - start).total_seconds() / span

    n = len(times)
    dots, points = [], [f"{left:.1f},{bottom:.1f}"]
    for i, (t, c) in enumerate(times, start=1):
        x = x_of(t)
        y = bottom - (bottom - top) * i / n
        prev_y = bottom - (bottom - top) * (i - 1) / n
        points += [f"{x:.1f},{prev_y:.1f}", f"{x:.1f},{y:.1f}"]
        label = f"{t:%Y-%m-%d %H:%M} UTC — {c.site or 'unknown site'}" + (
            " (original)" if c.is_original else ""
        )
        dots.append(Dot(x, y, c.is_original, label))
    ticks = (Tick(left, f"{start:%d %b %H:%M}"), Tick(width - right, f"{end:%d %b %H:%M}"))
    return Timeline(
        width=width,
        height=height,
        baseline=bottom,
        dots=tuple(dots),
        steps=" ".join(points),
        x_ticks=ticks,
        span_text=_human_span(end - start),
    )


def _human_span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
