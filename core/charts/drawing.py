"""What the chart macros (``core/templates/core/charts.html``) draw: the palette, and view objects of
plain numbers and words saying where every bar, point, label and line goes. ``core.charts.layout``
computes them; the macros only turn them into SVG, with Jinja escaping every text and attribute."""

from __future__ import annotations

from dataclasses import dataclass

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
#: Under the step chart's line.
AREA = "#fbeaec"

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
TEXT = 14  # px: body text in charts
SMALL = 13  # px: ticks and numbers; nothing smaller

#: Patterns laid over a series' colour, in white, so that series differ without colour; the macros
#: draw them. "plain" is a pattern too (without marks): the legend says so.
PLAIN = "plain"
PATTERNS = (PLAIN, "dots", "diagonal", "crosshatch", "horizontal", "vertical")

#: A coordinate as written: at most one decimal, a whole number without one.
Number = int | float


@dataclass(frozen=True)
class Text:
    """A ``<text>``: where (``x``, ``y``; for a rotated text, the point it turns around), what, and how."""

    x: Number
    y: Number
    content: str
    size: int = TEXT
    anchor: str = "start"
    fill: str = INK
    weight: str | None = None
    css_class: str | None = None


@dataclass(frozen=True)
class Line:
    """An unfilled ``<path>``: an axis, a grid line, a tick, a leader or a lane's bar."""

    d: str
    stroke: str
    width: Number
    dash: str | None = None


@dataclass(frozen=True)
class Dot:
    """A ``<circle>`` without data: a legend's swatch, the ring around a step chart's last point."""

    cx: Number
    cy: Number
    r: Number
    fill: str
    stroke: str
    width: Number


@dataclass(frozen=True, kw_only=True)
class Chart:
    """What every chart has: its id (the page's anchor), size, title and description."""

    chart_id: str
    width: Number
    height: Number
    title: str
    desc: str
    font: str = FONT
    #: Outlines and the white below numbers, boxes and patterns' marks.
    ink: str = INK
    paper: str = PAPER


@dataclass(frozen=True)
class PatternFill:
    """A series' pattern in ``<defs>``: its id (``fill="url(#id)"``), the colour below, the marks over it."""

    id: str
    colour: str
    pattern: str


@dataclass(frozen=True)
class Swatch:
    """A legend entry: an 18×18 square in the series' fill and its words."""

    x: Number
    y: Number
    fill: str
    text: Text


@dataclass(frozen=True)
class Chip:
    """The white box a segment's number is written in, outlined in the series' colour."""

    x: Number
    y: Number
    width: Number
    height: Number
    stroke: str
    number: Text


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked bar, with its number in a chip (on a leader when it is narrow)."""

    label: str
    value: int
    x: Number
    y: Number
    width: Number
    height: Number
    fill: str
    title: str
    chip: Chip
    leader: Line | None = None


@dataclass(frozen=True)
class StackedRow:
    label: str
    total: int
    name: Text
    segments: tuple[Segment, ...]
    total_text: Text


@dataclass(frozen=True, kw_only=True)
class StackedBarChart(Chart):
    patterns: tuple[PatternFill, ...]
    legend: tuple[Swatch, ...]
    rows: tuple[StackedRow, ...]
    axis: Line


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    name: Text
    x: Number
    y: Number
    width: Number
    height: Number
    fill: str
    title: str
    value_text: Text


@dataclass(frozen=True, kw_only=True)
class BarChart(Chart):
    rows: tuple[Bar, ...]
    axis: Line


@dataclass(frozen=True)
class GridLine:
    line: Line
    label: Text


@dataclass(frozen=True)
class StepPoint:
    label: str
    value: int
    cx: Number
    cy: Number
    title: str
    tick: Line | None = None
    tick_label: Text | None = None


@dataclass(frozen=True)
class Trace:
    """The step line, the area below it, its points and the ring and words at the last one."""

    area: str
    line: str
    points: tuple[StepPoint, ...]
    ring: Dot
    latest: Text


@dataclass(frozen=True, kw_only=True)
class StepChart(Chart):
    colour: str
    area_fill: str = AREA
    grid: tuple[GridLine, ...]
    axes: Line
    #: Turned a quarter to the left around its point.
    y_title: Text
    x_title: Text
    trace: Trace | None


@dataclass(frozen=True)
class TodayLine:
    """The dashed line at today, with its words on a white box."""

    line: Line
    box_x: Number
    box_y: Number
    box_width: Number
    text: Text


@dataclass(frozen=True)
class TimelineEvent:
    """An event's mark (a diamond ``d`` for a main event, else a circle), its date and its name;
    ``today_before`` when the today line falls just above it."""

    label: str
    day: str
    cx: Number
    cy: Number
    fill: str
    stroke: str
    date_text: Text
    name_text: Text
    diamond: str | None = None
    today_before: TodayLine | None = None


@dataclass(frozen=True)
class TimelineLane:
    events: tuple[TimelineEvent, ...]
    bar: Line | None
    name: Text | None
    #: When today falls between the lane before and this one.
    today_before: TodayLine | None = None


@dataclass(frozen=True, kw_only=True)
class Timeline(Chart):
    legend: tuple[Dot, Text, Dot, Text]
    axis: Line
    lanes: tuple[TimelineLane, ...]
    #: When today comes after every event.
    today_after: TodayLine | None
