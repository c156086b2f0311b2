"""Charts drawn on the server as inline SVG: stacked bars, bars, a step chart and a timeline.

``layout`` computes the geometry: pure functions from data to a view object of plain numbers and
words (``drawing``), with no database, no request, no language of their own (every word they show is
passed in) and no markup. The macros in ``core/templates/core/charts.html`` draw a view object as
SVG, and Jinja's autoescaping escapes every text and attribute. A view passes the objects to its
template, which draws them: ``{% import "core/charts.html" as draw %}{{ draw.bars(chart) }}``.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``; the page puts a table
with the same numbers beside it, because a screen reader reads the table, not the drawing.

Colour never carries meaning alone: a series has a pattern as well as a colour (and the legend
names it), every bar has its number written in or next to it, and the timeline tells past from
coming by shape (filled or open) and by the "today" line, not by colour. The colours are the
stylesheet's palette (``core/static/css/regiotafel.css``), each at least 3:1 against white; text
is dark on white.

Marks carry ``data-label`` and ``data-value`` attributes, so that tests read back what was drawn.
"""

from core.charts.drawing import (
    ACCENT,
    AREA,
    BAD,
    BRAND,
    FONT,
    INK,
    LINE,
    MUTED,
    OK,
    PAPER,
    PATTERNS,
    PLAIN,
    REGIO,
    SMALL,
    TEXT,
    TINT,
    WARN,
    BarChart,
    Chart,
    StackedBarChart,
    StepChart,
    Timeline,
)
from core.charts.layout import Event, Lane, Point, Row, Series, bars, stacked_bars, step_chart, text_width, timeline

__all__ = [
    "ACCENT",
    "AREA",
    "BAD",
    "BRAND",
    "FONT",
    "INK",
    "LINE",
    "MUTED",
    "OK",
    "PAPER",
    "PATTERNS",
    "PLAIN",
    "REGIO",
    "SMALL",
    "TEXT",
    "TINT",
    "WARN",
    "BarChart",
    "Chart",
    "Event",
    "Lane",
    "Point",
    "Row",
    "Series",
    "StackedBarChart",
    "StepChart",
    "Timeline",
    "bars",
    "stacked_bars",
    "step_chart",
    "text_width",
    "timeline",
]
