"""Charts as inline SVG, drawn on the server: stacked bars, bars, a step chart and a timeline.

Pure functions from data to markup: no database, no request, no language of their own (every
word they show is passed in). Every text is escaped. Each chart is an ``<svg role="img">`` named
by its ``<title>`` and ``<desc>``; the page puts a table with the same numbers beside it, because
a screen reader reads the table, not the drawing.

Colour never carries meaning alone: a series has a pattern as well as a colour (and the legend
names it), every bar has its number written in or next to it, and the timeline tells past from
coming by shape (filled or open) and by the "today" line, not by colour. The colours are the
stylesheet's palette (``core/static/css/regiotafel.css``), each at least 3:1 against white; text
is dark on white.

Marks carry ``data-label`` and ``data-value`` attributes, so that tests read back what was drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

INK = "#1b1b1b"
MUTED = "#4a4a4a"
LINE = "#c9ced6"
PAPER = "#ffffff"
TINT = "#f3f5f8"
BRAND = "#154273"
ACCENT = "#01689b"
OK = "#1e6b33"
WARN = "#8a4b00"
BAD = "#b0001e"
REGIO = "#5e2a84"

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
TEXT = 14  # px: body text in charts
SMALL = 13  # px: ticks and numbers; nothing smaller

#: Patterns laid over a series' colour, in white, so that series differ without colour.
#: "effen" (plain) is a pattern too: the legend says so.
PATTERNS: dict[str, str] = {
    "effen": "",
    "stippen": '<circle cx="2" cy="2" r="1.3" fill="#ffffff"/><circle cx="6" cy="6" r="1.3" fill="#ffffff"/>',
    "schuin": '<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="#ffffff" stroke-width="1.6"/>',
    "ruit": (
        '<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2 M-1,7 l2,2 M0,0 l8,8 M7,-1 l2,2" '
        'stroke="#ffffff" stroke-width="1.3"/>'
    ),
    "liggend": '<path d="M0,2 h8 M0,6 h8" stroke="#ffffff" stroke-width="1.5"/>',
    "staand": '<path d="M2,0 v8 M6,0 v8" stroke="#ffffff" stroke-width="1.5"/>',
}


@dataclass(frozen=True)
class Series:
    """One kind of segment in a stacked bar: its name, colour and pattern (a key of ``PATTERNS``)
    with the pattern's name in the reader's language, for the legend."""

    key: str
    label: str
    colour: str
    pattern: str = "effen"
    pattern_label: str = ""


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


def _e(value: object) -> str:
    return str(escape(str(value)))


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


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
    x: float, y: float, content: str, *, size: int = TEXT, anchor: str = "start", fill: str = INK, **attrs: str
) -> str:
    """A ``<text>``; ``attrs`` in Python spelling (``font_weight``, ``class_``)."""
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{_e(fill)}"{extra}>'
        f"{_e(content)}</text>"
    )


def _svg(chart_id: str, width: float, height: float, title: str, desc: str, body: Sequence[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_e(chart_id)}" role="img" '
        f'aria-labelledby="{_e(chart_id)}-title {_e(chart_id)}-desc" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{FONT}">'
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>'
        f'<desc id="{_e(chart_id)}-desc">{_e(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _fill(chart_id: str, series: Series) -> str:
    return series.colour if not PATTERNS.get(series.pattern) else f"url(#{_e(chart_id)}-p-{_e(series.key)})"


def _patterns(chart_id: str, series: Sequence[Series]) -> str:
    defs = []
    for s in series:
        marks = PATTERNS.get(s.pattern, "")
        if marks:
            defs.append(
                f'<pattern id="{_e(chart_id)}-p-{_e(s.key)}" patternUnits="userSpaceOnUse" width="8" height="8">'
                f'<rect width="8" height="8" fill="{_e(s.colour)}"/>{marks}</pattern>'
            )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _legend(chart_id: str, series: Sequence[Series], width: float, top: float) -> tuple[list[str], float]:
    """The legend, wrapped over lines: a swatch with colour and pattern, the name and the pattern's name."""
    parts: list[str] = ['<g class="legend">']
    x, y = 0.0, top
    for s in series:
        words = f"{s.label} ({s.pattern_label})" if s.pattern_label else s.label
        item = 22 + text_width(words) + 22
        if x > 0 and x + item > width:
            x, y = 0.0, y + 26
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="18" height="18" fill="{_fill(chart_id, s)}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(_text(x + 24, y + 14, words))
        x += item
    parts.append("</g>")
    return parts, y + 26 - top


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
) -> Markup:
    """Horizontal stacked bars, one per row, with every segment's number written in it (or just
    above it, with a leader line, when it is too narrow) and the row's total after the bar."""
    label_width = min(240.0, max((text_width(r.label) for r in rows), default=60) + 8)
    left = label_width + 12
    totals_room = text_width(f"{total_label} 0000", SMALL) + 12
    area = max(100.0, width - left - totals_room)
    largest = max((r.total for r in rows), default=0) or 1
    body: list[str] = [_patterns(chart_id, series)]
    legend, legend_height = _legend(chart_id, series, width, 4)
    body += legend
    y = legend_height + 14
    bar_height, chip_height = 28, 20

    def chip(value: int) -> float:
        return text_width(str(value), SMALL, bold=True) + 10

    for row in rows:
        segments = []
        x = left
        for s, value in zip(series, row.values, strict=True):
            if value:
                w = value / largest * area
                segments.append((s, value, x, w))
                x += w
        overflow = [seg for seg in segments if seg[3] < chip(seg[1]) + 4]
        lane = chip_height + 8 if overflow else 0
        bar_y = y + lane
        body.append(f'<g class="row" data-label="{_e(row.label)}" data-value="{row.total}">')
        body.append(_text(left - 12, bar_y + bar_height / 2 + 5, _fit(row.label, label_width), anchor="end", fill=INK))
        previous_end = -1.0
        for s, value, sx, sw in segments:
            cw = chip(value)
            body.append(
                f'<rect class="segment" data-label="{_e(s.label)}" data-value="{value}" x="{_n(sx)}" '
                f'y="{_n(bar_y)}" width="{_n(sw)}" height="{bar_height}" fill="{_fill(chart_id, s)}" '
                f'stroke="{PAPER}" stroke-width="1.5"><title>{_e(f"{row.label}, {s.label}: {value}")}</title></rect>'
            )
            if sw >= cw + 4:
                cx, cy = sx + sw / 2 - cw / 2, bar_y + (bar_height - chip_height) / 2
            else:
                cx = max(sx + sw / 2 - cw / 2, previous_end + 3, left)
                cy = y
                previous_end = cx + cw
                body.append(
                    f'<path fill="none" d="M{_n(sx + sw / 2)},{_n(bar_y)} L{_n(cx + cw / 2)},{_n(cy + chip_height)}" '
                    f'stroke="{INK}" stroke-width="1"/>'
                )
            body.append(
                f'<rect x="{_n(cx)}" y="{_n(cy)}" width="{_n(cw)}" height="{chip_height}" rx="3" fill="{PAPER}" '
                f'stroke="{_e(s.colour)}" stroke-width="1.5"/>'
            )
            body.append(_text(cx + cw / 2, cy + 14.5, str(value), size=SMALL, anchor="middle", font_weight="700"))
        body.append(_text(x + 8, bar_y + bar_height / 2 + 5, f"{total_label} {row.total}", size=SMALL, fill=MUTED))
        body.append("</g>")
        y = bar_y + bar_height + 16
    body.append(
        f'<path fill="none" d="M{_n(left)},{_n(legend_height + 8)} V{_n(y - 8)}" stroke="{MUTED}" stroke-width="1"/>'
    )
    return _svg(chart_id, width, y, title, desc, body)


def bars(
    rows: Sequence[Row],
    *,
    chart_id: str,
    title: str,
    desc: str,
    colour: str = BRAND,
    width: float = 760,
) -> Markup:
    """Horizontal bars, one value each, with the value written after the bar."""
    label_width = min(260.0, max((text_width(r.label) for r in rows), default=60) + 8)
    left = label_width + 12
    area = max(100.0, width - left - 60)
    largest = max((r.total for r in rows), default=0) or 1
    body: list[str] = []
    y, bar_height = 8.0, 24
    for row in rows:
        w = row.total / largest * area
        body.append(f'<g class="row" data-label="{_e(row.label)}" data-value="{row.total}">')
        body.append(_text(left - 12, y + bar_height / 2 + 5, _fit(row.label, label_width), anchor="end", fill=INK))
        body.append(
            f'<rect class="bar" x="{_n(left)}" y="{_n(y)}" width="{_n(max(w, 1))}" height="{bar_height}" '
            f'fill="{_e(colour)}"><title>{_e(f"{row.label}: {row.total}")}</title></rect>'
        )
        body.append(_text(left + w + 8, y + bar_height / 2 + 5, str(row.total), size=TEXT, font_weight="700"))
        body.append("</g>")
        y += bar_height + 12
    body.append(f'<path fill="none" d="M{_n(left)},0 V{_n(y)}" stroke="{MUTED}" stroke-width="1"/>')
    return _svg(chart_id, width, y + 4, title, desc, body)


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
) -> Markup:
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

    body: list[str] = []
    for tick in range(0, y_max + 1, step):
        body.append(f'<path fill="none" d="M{_n(left)},{_n(py(tick))} H{_n(right)}" stroke="{LINE}" stroke-width="1"/>')
        body.append(_text(left - 8, py(tick) + 4.5, str(tick), size=SMALL, anchor="end", fill=MUTED))
    body.append(
        f'<path fill="none" d="M{_n(left)},{_n(top)} V{_n(bottom)} H{_n(right)}" stroke="{MUTED}" stroke-width="1.2"/>'
    )
    body.append(
        f'<text transform="translate(16 {_n((top + bottom) / 2)}) rotate(-90)" font-size="{TEXT}" '
        f'text-anchor="middle" fill="{INK}">{_e(y_title)}</text>'
    )
    body.append(_text((left + right) / 2, height - 10, x_title, anchor="middle"))
    if points:
        d = [f"M{_n(px(0))},{_n(py(points[0].value))}"]
        for i in range(1, len(points)):
            d.append(f"H{_n(px(i))} V{_n(py(points[i].value))}")
        line = " ".join(d)
        area = f"{line} V{_n(bottom)} H{_n(px(0))} Z"
        body.append(f'<path d="{area}" fill="#fbeaec" stroke="none"/>')
        body.append(f'<path d="{line}" fill="none" stroke="{_e(colour)}" stroke-width="2.5"/>')
        for i, p in enumerate(points):
            body.append(
                f'<circle class="point" data-label="{_e(p.label)}" data-value="{p.value}" cx="{_n(px(i))}" '
                f'cy="{_n(py(p.value))}" r="3.5" fill="{_e(colour)}" stroke="{PAPER}" stroke-width="1">'
                f"<title>{_e(f'{p.label}: {p.value}')}</title></circle>"
            )
            if p.tick:
                body.append(f'<path fill="none" d="M{_n(px(i))},{_n(bottom)} v5" stroke="{MUTED}" stroke-width="1"/>')
                body.append(_text(px(i), bottom + 20, p.tick, size=SMALL, anchor="middle", fill=MUTED))
        last = points[-1]
        lx, ly = px(len(points) - 1), py(last.value)
        body.append(f'<circle cx="{_n(lx)}" cy="{_n(ly)}" r="6" fill="none" stroke="{INK}" stroke-width="1.5"/>')
        body.append(_text(lx + 12, ly + 5, latest_text, size=TEXT, font_weight="700", class_="latest"))
    return _svg(chart_id, width, height, title, desc, body)


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
) -> Markup:
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
    legend = [
        f'<circle cx="10" cy="14" r="6" fill="{BRAND}" stroke="{BRAND}" stroke-width="2"/>',
        _text(22, 19, past_text),
    ]
    cx = 22 + text_width(past_text) + 24
    legend += [
        f'<circle cx="{_n(cx)}" cy="14" r="6" fill="{PAPER}" stroke="{BRAND}" stroke-width="2"/>',
        _text(cx + 12, 19, coming_text),
    ]
    marks: list[str] = []
    y = axis_top = 44.0
    today_drawn = False

    def today_line(at: float) -> str:
        label_width = text_width(today_text, bold=True) + 8
        return (
            f'<g class="today"><path fill="none" d="M0,{_n(at)} H{_n(width)}" stroke="{BAD}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
            f'<rect x="{_n(date_x - 4)}" y="{_n(at - 11)}" width="{_n(label_width)}" height="22" fill="{PAPER}"/>'
            + _text(date_x, at + 5, today_text, fill=BAD, font_weight="700")
            + "</g>"
        )

    for lane in lanes:
        events = sorted(lane.events, key=lambda e: e.day)
        if not today_drawn and events and events[0].day >= today:  # today falls between two lanes
            marks.append(today_line(y + row / 2 - 6))
            today_drawn = True
            y += row
        top = y
        for event in events:
            if not today_drawn and event.day >= today:
                marks.append(today_line(y + row / 2))
                today_drawn = True
                y += row
            centre = y + row / 2
            past = event.day < today
            fill = BRAND if past else PAPER
            data = f'class="event" data-label="{_e(event.label)}" data-value="{event.day.isoformat()}"'
            if event.main:
                r = 8.0
                marks.append(
                    f'<path {data} d="M{_n(axis)},{_n(centre - r)} l{_n(r)},{_n(r)} l{_n(-r)},{_n(r)} '
                    f'l{_n(-r)},{_n(-r)} Z" fill="{fill}" stroke="{BRAND}" stroke-width="2"/>'
                )
            else:
                marks.append(
                    f'<circle {data} cx="{_n(axis)}" cy="{_n(centre)}" r="5.5" fill="{fill}" stroke="{BRAND}" '
                    f'stroke-width="2"/>'
                )
            colour = MUTED if past else INK
            weight = "700" if event.main else "400"
            marks.append(_text(date_x, centre + 5, event.date_text, fill=colour))
            marks.append(_text(name_x, centre + 5, event.label, fill=colour, font_weight=weight))
            y += row
        if events:
            marks.append(
                f'<path fill="none" d="M{_n(lane_width + 8)},{_n(top + 6)} V{_n(y - 6)}" '
                f'stroke="{BRAND}" stroke-width="3"/>'
            )
            marks.append(_text(lane_width, top + 18, _fit(lane.label, lane_width - 4), anchor="end", font_weight="700"))
        y += 12
    if not today_drawn:
        marks.append(today_line(y + row / 2))
        y += row
    axis_line = f'<path fill="none" d="M{_n(axis)},{_n(axis_top)} V{_n(y)}" stroke="{LINE}" stroke-width="2"/>'
    return _svg(chart_id, width, y + 8, title, desc, [*legend, axis_line, *marks])
