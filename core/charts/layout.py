"""The charts' geometry: from data (rows, series, points, lanes of events) to the view objects of
``core.charts.drawing``. Pure functions: no database, no request, no language of their own (every word
they show is passed in) and no markup."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.charts.drawing import (
    BAD,
    BRAND,
    INK,
    LINE,
    MUTED,
    PAPER,
    PATTERNS,
    PLAIN,
    SMALL,
    TEXT,
    Bar,
    BarChart,
    Chip,
    Dot,
    GridLine,
    Line,
    Number,
    PatternFill,
    Segment,
    StackedBarChart,
    StackedRow,
    StepChart,
    StepPoint,
    Swatch,
    Text,
    Timeline,
    TimelineEvent,
    TimelineLane,
    TodayLine,
    Trace,
)

# --- what the charts are made of --------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One kind of segment in a stacked bar: its name, colour and pattern (one of ``PATTERNS``)
    with the pattern's name in the reader's language, for the legend."""

    key: str
    label: str
    colour: str
    pattern: str = PLAIN
    pattern_label: str = ""

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise ValueError(f"unknown pattern {self.pattern!r}; one of {PATTERNS}")


@dataclass(frozen=True)
class Row:
    """One bar: a label and a value per series (one value for a plain bar chart)."""

    label: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Point:
    """One point of a step chart; ``tick`` is the label on the x axis ("" for none)."""

    label: str
    value: int
    tick: str = ""


@dataclass(frozen=True)
class Event:
    """A dated event on a timeline, with its date already written out for the reader."""

    day: date
    label: str
    date_text: str
    #: Drawn larger and in bold (the meeting of a cycle).
    main: bool = False


@dataclass(frozen=True)
class Lane:
    """A group of events on a timeline (a cycle and its milestones)."""

    label: str
    events: tuple[Event, ...] = field(default_factory=tuple)


# --- helpers ------------------------------------------------------------------------------------


def _n(value: float) -> Number:
    """A coordinate: at most one decimal, and a whole number written without one."""
    rounded = round(float(value), 1)
    return int(rounded) if rounded.is_integer() else rounded


def text_width(text: str, size: float = TEXT, bold: bool = False) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font (no font metrics here)."""
    return len(text) * size * (0.62 if bold else 0.57)


def _fit(text: str, width: float, size: float = TEXT) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (the full text is in the table and the title)."""
    if text_width(text, size) <= width:
        return text
    keep = max(1, int(width / (size * 0.57)) - 1)
    return text[:keep].rstrip() + "…"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = TEXT,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    css_class: str | None = None,
) -> Text:
    return Text(_n(x), _n(y), content, size, anchor, fill, weight, css_class)


def _fill(chart_id: str, series: Series) -> str:
    return series.colour if series.pattern == PLAIN else f"url(#{chart_id}-p-{series.key})"


def _legend(chart_id: str, series: Sequence[Series], width: float, top: float) -> tuple[list[Swatch], float]:
    """The legend, wrapped over lines: a swatch with colour and pattern, the name and the pattern's name."""
    swatches: list[Swatch] = []
    x, y = 0.0, top
    for s in series:
        words = f"{s.label} ({s.pattern_label})" if s.pattern_label else s.label
        item = 22 + text_width(words) + 22
        if x > 0 and x + item > width:
            x, y = 0.0, y + 26
        swatches.append(Swatch(_n(x), _n(y), _fill(chart_id, s), _text(x + 24, y + 14, words)))
        x += item
    return swatches, y + 26 - top


def _nice_step(maximum: int, ticks: int = 5) -> int:
    """A round step (1, 2, 5, 10, 20, …) that divides 0..maximum into at most ``ticks`` parts."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)


# --- the charts ---------------------------------------------------------------------------------


def stacked_bars(
    rows: Sequence[Row],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    desc: str,
    total_label: str,
    width: float = 760,
) -> StackedBarChart:
    """Horizontal stacked bars, one per row, with every segment's number written in it (or just
    above it, with a leader line, when it is too narrow) and the row's total after the bar."""
    label_width = min(240.0, max((text_width(r.label) for r in rows), default=60) + 8)
    left = label_width + 12
    totals_room = text_width(f"{total_label} 0000", SMALL) + 12
    area = max(100.0, width - left - totals_room)
    largest = max((r.total for r in rows), default=0) or 1
    patterns = tuple(PatternFill(f"{chart_id}-p-{s.key}", s.colour, s.pattern) for s in series if s.pattern != PLAIN)
    legend, legend_height = _legend(chart_id, series, width, 4)
    y = legend_height + 14
    bar_height, chip_height = 28, 20

    def chip(value: int) -> float:
        return text_width(str(value), SMALL, bold=True) + 10

    drawn: list[StackedRow] = []
    for row in rows:
        parts = []
        x = left
        for s, value in zip(series, row.values, strict=True):
            if value:
                w = value / largest * area
                parts.append((s, value, x, w))
                x += w
        overflow = [part for part in parts if part[3] < chip(part[1]) + 4]
        lane = chip_height + 8 if overflow else 0
        bar_y = y + lane
        segments: list[Segment] = []
        previous_end = -1.0
        for s, value, sx, sw in parts:
            cw = chip(value)
            leader = None
            if sw >= cw + 4:
                cx, cy = sx + sw / 2 - cw / 2, bar_y + (bar_height - chip_height) / 2
            else:
                cx = max(sx + sw / 2 - cw / 2, previous_end + 3, left)
                cy = y
                previous_end = cx + cw
                leader = Line(f"M{_n(sx + sw / 2)},{_n(bar_y)} L{_n(cx + cw / 2)},{_n(cy + chip_height)}", INK, 1)
            number = _text(cx + cw / 2, cy + 14.5, str(value), size=SMALL, anchor="middle", weight="700")
            segments.append(
                Segment(
                    label=s.label,
                    value=value,
                    x=_n(sx),
                    y=_n(bar_y),
                    width=_n(sw),
                    height=bar_height,
                    fill=_fill(chart_id, s),
                    title=f"{row.label}, {s.label}: {value}",
                    chip=Chip(_n(cx), _n(cy), _n(cw), chip_height, s.colour, number),
                    leader=leader,
                )
            )
        drawn.append(
            StackedRow(
                label=row.label,
                total=row.total,
                name=_text(left - 12, bar_y + bar_height / 2 + 5, _fit(row.label, label_width), anchor="end"),
                segments=tuple(segments),
                total_text=_text(
                    x + 8, bar_y + bar_height / 2 + 5, f"{total_label} {row.total}", size=SMALL, fill=MUTED
                ),
            )
        )
        y = bar_y + bar_height + 16
    return StackedBarChart(
        chart_id=chart_id,
        width=_n(width),
        height=_n(y),
        title=title,
        desc=desc,
        patterns=patterns,
        legend=tuple(legend),
        rows=tuple(drawn),
        axis=Line(f"M{_n(left)},{_n(legend_height + 8)} V{_n(y - 8)}", MUTED, 1),
    )


def bars(
    rows: Sequence[Row],
    *,
    chart_id: str,
    title: str,
    desc: str,
    colour: str = BRAND,
    width: float = 760,
) -> BarChart:
    """Horizontal bars, one value each, with the value written after the bar."""
    label_width = min(260.0, max((text_width(r.label) for r in rows), default=60) + 8)
    left = label_width + 12
    area = max(100.0, width - left - 60)
    largest = max((r.total for r in rows), default=0) or 1
    drawn: list[Bar] = []
    y, bar_height = 8.0, 24
    for row in rows:
        w = row.total / largest * area
        drawn.append(
            Bar(
                label=row.label,
                value=row.total,
                name=_text(left - 12, y + bar_height / 2 + 5, _fit(row.label, label_width), anchor="end"),
                x=_n(left),
                y=_n(y),
                width=_n(max(w, 1)),
                height=bar_height,
                fill=colour,
                title=f"{row.label}: {row.total}",
                value_text=_text(left + w + 8, y + bar_height / 2 + 5, str(row.total), weight="700"),
            )
        )
        y += bar_height + 12
    return BarChart(
        chart_id=chart_id,
        width=_n(width),
        height=_n(y + 4),
        title=title,
        desc=desc,
        rows=tuple(drawn),
        axis=Line(f"M{_n(left)},0 V{_n(y)}", MUTED, 1),
    )


def step_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_title: str,
    y_title: str,
    latest_text: str,
    colour: str = BAD,
    width: float = 760,
    height: float = 300,
) -> StepChart:
    """A step line over evenly spaced points, with a y axis of round numbers, the ticks given on
    the x axis, both axes titled, and the last value written beside its point."""
    left, right, top, bottom = 64.0, width - 150, 16.0, height - 64
    largest = max((p.value for p in points), default=0)
    step = _nice_step(max(largest, 1))
    y_max = max(step * math.ceil(max(largest, 1) / step), 1)

    def py(value: float) -> float:
        return bottom - value / y_max * (bottom - top)

    gap = (right - left) / max(len(points) - 1, 1)

    def px(i: int) -> float:
        return left + i * gap

    grid = tuple(
        GridLine(
            Line(f"M{_n(left)},{_n(py(tick))} H{_n(right)}", LINE, 1),
            _text(left - 8, py(tick) + 4.5, str(tick), size=SMALL, anchor="end", fill=MUTED),
        )
        for tick in range(0, y_max + 1, step)
    )
    trace = None
    if points:
        d = [f"M{_n(px(0))},{_n(py(points[0].value))}"]
        for i in range(1, len(points)):
            d.append(f"H{_n(px(i))} V{_n(py(points[i].value))}")
        line = " ".join(d)
        marks = []
        for i, p in enumerate(points):
            tick = tick_label = None
            if p.tick:
                tick = Line(f"M{_n(px(i))},{_n(bottom)} v5", MUTED, 1)
                tick_label = _text(px(i), bottom + 20, p.tick, size=SMALL, anchor="middle", fill=MUTED)
            marks.append(
                StepPoint(p.label, p.value, _n(px(i)), _n(py(p.value)), f"{p.label}: {p.value}", tick, tick_label)
            )
        lx, ly = px(len(points) - 1), py(points[-1].value)
        trace = Trace(
            area=f"{line} V{_n(bottom)} H{_n(px(0))} Z",
            line=line,
            points=tuple(marks),
            ring=Dot(_n(lx), _n(ly), 6, "none", INK, 1.5),
            latest=_text(lx + 12, ly + 5, latest_text, weight="700", css_class="latest"),
        )
    return StepChart(
        chart_id=chart_id,
        width=_n(width),
        height=_n(height),
        title=title,
        desc=desc,
        colour=colour,
        grid=grid,
        axes=Line(f"M{_n(left)},{_n(top)} V{_n(bottom)} H{_n(right)}", MUTED, 1.2),
        y_title=_text(16, (top + bottom) / 2, y_title, anchor="middle"),
        x_title=_text((left + right) / 2, height - 10, x_title, anchor="middle"),
        trace=trace,
    )


def timeline(
    lanes: Sequence[Lane],
    *,
    today: date,
    today_text: str,
    chart_id: str,
    title: str,
    desc: str,
    past_text: str,
    coming_text: str,
    width: float = 760,
) -> Timeline:
    """A timeline running down the page: per lane (a cycle) its events in date order, each with its
    date and name written out; past events filled, coming ones open; a dashed line marks today."""
    lane_width = min(180.0, max((text_width(lane.label, bold=True) for lane in lanes), default=60) + 8)
    axis = lane_width + 28
    date_x = axis + 22
    date_width = max((text_width(e.date_text) for lane in lanes for e in lane.events), default=80)
    name_x = date_x + date_width + 18
    names_width = max((text_width(e.label, bold=True) for lane in lanes for e in lane.events), default=80)
    width = max(width, name_x + names_width + 12, date_x + text_width(today_text, bold=True) + 12)
    row = 26.0
    # The legend says which shape is which, in words.
    coming_x = 22 + text_width(past_text) + 24
    legend = (
        Dot(10, 14, 6, BRAND, BRAND, 2),
        _text(22, 19, past_text),
        Dot(_n(coming_x), 14, 6, PAPER, BRAND, 2),
        _text(coming_x + 12, 19, coming_text),
    )
    y = axis_top = 44.0
    today_drawn = False

    def today_line(at: float) -> TodayLine:
        return TodayLine(
            line=Line(f"M0,{_n(at)} H{_n(width)}", BAD, 2, dash="6 4"),
            box_x=_n(date_x - 4),
            box_y=_n(at - 11),
            box_width=_n(text_width(today_text, bold=True) + 8),
            text=_text(date_x, at + 5, today_text, fill=BAD, weight="700"),
        )

    drawn: list[TimelineLane] = []
    for lane in lanes:
        events = sorted(lane.events, key=lambda e: e.day)
        between = None
        if not today_drawn and events and events[0].day >= today:  # today falls between two lanes
            between = today_line(y + row / 2 - 6)
            today_drawn = True
            y += row
        top = y
        marks: list[TimelineEvent] = []
        for event in events:
            before = None
            if not today_drawn and event.day >= today:
                before = today_line(y + row / 2)
                today_drawn = True
                y += row
            centre = y + row / 2
            past = event.day < today
            r = 8.0
            colour = MUTED if past else INK
            marks.append(
                TimelineEvent(
                    label=event.label,
                    day=event.day.isoformat(),
                    cx=_n(axis),
                    cy=_n(centre),
                    fill=BRAND if past else PAPER,
                    stroke=BRAND,
                    date_text=_text(date_x, centre + 5, event.date_text, fill=colour),
                    name_text=_text(
                        name_x, centre + 5, event.label, fill=colour, weight="700" if event.main else "400"
                    ),
                    diamond=(
                        f"M{_n(axis)},{_n(centre - r)} l{_n(r)},{_n(r)} l{_n(-r)},{_n(r)} l{_n(-r)},{_n(-r)} Z"
                        if event.main
                        else None
                    ),
                    today_before=before,
                )
            )
            y += row
        bar = name = None
        if events:
            bar = Line(f"M{_n(lane_width + 8)},{_n(top + 6)} V{_n(y - 6)}", BRAND, 3)
            name = _text(lane_width, top + 18, _fit(lane.label, lane_width - 4), anchor="end", weight="700")
        drawn.append(TimelineLane(tuple(marks), bar, name, today_before=between))
        y += 12
    after = None
    if not today_drawn:
        after = today_line(y + row / 2)
        y += row
    return Timeline(
        chart_id=chart_id,
        width=_n(width),
        height=_n(y + 8),
        title=title,
        desc=desc,
        legend=legend,
        axis=Line(f"M{_n(axis)},{_n(axis_top)} V{_n(y)}", LINE, 2),
        lanes=tuple(drawn),
        today_after=after,
    )
