"""Papers: the agenda and the besluitenlijst of a meeting, laid out as Dutch government papers are.

One content model, ``Paper``, built once and rendered twice: as PDF here (reportlab) and as Word in
``meetings.papers.docx`` (python-docx). On top the body and the kind of paper, then a column of
facts (date, time, place, chair, kenmerk, status), the attendance, numbered agenda items with their
kind, submitter and documents, decisions numbered per item, and under each decision its actions
with owner and due date.

What goes in is decided by whoever builds the model: ``meetings.papers.reading`` for a reader
(what that reader may see, numbered as that reader sees it), ``meetings.woo.package`` for the public (what
is publishable, numbered as the official agenda is). The renderers lay out only what they are
given, and take the text of every line from the model, so the two formats cannot drift apart.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.dates import show_date

# --- the content model ---------------------------------------------------------------------------------

#: Headings both renderers print; kept here so that the PDF and the Word file say the same.
ATTENDANCE = _l("Aanwezigheid")
DOCUMENTS = _l("Stukken")
MEETING_DOCUMENTS = _l("Stukken bij de vergadering")
PAGE = _l("pagina %(n)s")

# Characters XML 1.0 does not allow (a Word file refuses them) and reportlab cannot draw; a form
# accepts them all the same, e.g. pasted from another program.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` without the control characters neither file format can hold."""
    return _UNPRINTABLE.sub("", text)


@dataclass(frozen=True)
class PaperAction:
    """An action or commitment that follows from a decision."""

    kind: str
    title: str
    owner: str | None = None
    due: date | None = None
    status: str = ""

    @property
    def heading(self) -> str:
        return f"{self.kind[:1].upper()}{self.kind[1:]}: {self.title}"

    @property
    def details(self) -> str:
        parts = []
        if self.owner:
            parts.append(_("Eigenaar: %(owner)s", owner=self.owner))
        if self.due:
            parts.append(_("Gereed op: %(date)s", date=show_date(self.due)))
        if self.status:
            parts.append(_("Status: %(status)s", status=self.status))
        return " · ".join(parts)


@dataclass(frozen=True)
class PaperDecision:
    #: As the paper's reader numbers it: the item's number and the decision's place under it (2.1).
    number: str
    text: str
    actions: tuple[PaperAction, ...] = ()


@dataclass(frozen=True)
class PaperItem:
    """An agenda item as a paper shows it: on the agenda with its explanation and documents, on
    the besluitenlijst with its decisions."""

    number: str
    title: str
    kind: str
    submitter: str | None = None
    description: str = ""
    documents: tuple[str, ...] = ()
    decisions: tuple[PaperDecision, ...] = ()
    #: When the item starts ("13:40"), counted as the reader's agenda runs; None when unknown.
    start: str | None = None
    #: Minutes set aside for the item, if any.
    minutes: int | None = None

    @property
    def kind_line(self) -> str:
        parts = []
        if self.start:
            parts.append(_("%(time)s uur", time=self.start))
        if self.minutes:
            parts.append(_("%(n)s min.", n=self.minutes))
        parts.append(self.kind)
        if self.submitter:
            parts.append(_("indiener: %(organisation)s", organisation=self.submitter))
        return " · ".join(parts)


@dataclass(frozen=True)
class Paper:
    """One paper of one meeting, holding only what its reader may read, in the reader's language."""

    #: "Agenda", "Conceptbesluitenlijst", …
    title: str
    body: str
    meeting: str
    #: (label, value) rows of the facts column: Datum, Tijd, Plaats, Voorzitter, Kenmerk, Status.
    facts: tuple[tuple[str, str], ...]
    items: tuple[PaperItem, ...]
    #: What the paper says when it has no items to show.
    empty: str
    attendance: tuple[str, ...] = ()
    #: Titles of the documents of the meeting as a whole (not of one item).
    documents: tuple[str, ...] = ()
    #: The meeting's kenmerk, repeated in the footer of every page; None when it has none.
    reference: str | None = None

    @property
    def footer(self) -> str:
        return f"{self.reference} · " if self.reference else ""


@dataclass
class FollowUpLine:
    """One action or commitment on the Woo package's list, with its state on the day of the package."""

    reference: str
    title: str
    kind: str
    owner: str
    due: date | None
    status: str
    source: str | None = None


# --- PDF -----------------------------------------------------------------------------------------------------

INK = colors.HexColor("#1b1b1b")
#: The Rijkshuisstijl's dark blue ("donkerblauw"), the colour of the lint on Rijksoverheid papers.
BRAND = colors.HexColor("#154273")
MUTED = colors.HexColor("#4a4a4a")
#: Where an item's text starts, right of its number; decisions hang one step further in.
INDENT = 10 * mm
DECISION_INDENT = 22 * mm

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=10, leading=14, textColor=INK, alignment=TA_LEFT)
STYLES = {
    "body": _BASE,
    "small": ParagraphStyle("small", parent=_BASE, fontSize=8.5, leading=11, textColor=MUTED),
    "kicker": ParagraphStyle("kicker", parent=_BASE, fontName="Helvetica-Bold", fontSize=9, textColor=BRAND),
    "title": ParagraphStyle(
        "title", parent=_BASE, fontName="Helvetica-Bold", fontSize=18, leading=22, textColor=BRAND, spaceAfter=2
    ),
    "subtitle": ParagraphStyle("subtitle", parent=_BASE, fontSize=12, leading=16, spaceAfter=8),
    "item": ParagraphStyle(
        "item",
        parent=_BASE,
        fontName="Helvetica-Bold",
        fontSize=11,
        leading=15,
        spaceBefore=10,
        leftIndent=INDENT,
        bulletIndent=0,
        bulletFontName="Helvetica-Bold",
        bulletFontSize=11,
    ),
    "indent": ParagraphStyle("indent", parent=_BASE, leftIndent=INDENT, spaceBefore=2),
    "indent_small": ParagraphStyle(
        "indent_small", parent=_BASE, leftIndent=INDENT, fontSize=8.5, leading=11, textColor=MUTED
    ),
    "decision": ParagraphStyle(
        "decision", parent=_BASE, leftIndent=DECISION_INDENT, bulletIndent=INDENT, spaceBefore=4
    ),
    "action": ParagraphStyle("action", parent=_BASE, leftIndent=DECISION_INDENT, fontSize=9, leading=12, spaceBefore=2),
    "action_small": ParagraphStyle(
        "action_small", parent=_BASE, leftIndent=DECISION_INDENT, fontSize=8.5, leading=11, textColor=MUTED
    ),
}


def _p(text: str, style: str = "body", bullet: str | None = None) -> Paragraph:
    markup = escape(printable(text)).replace("\n", "<br/>")
    return Paragraph(markup, STYLES[style], bulletText=escape(bullet) if bullet else None)


def _facts(paper: Paper) -> Table:
    table = Table(
        [[_p(label, "kicker"), _p(value)] for label, value in paper.facts],
        colWidths=[32 * mm, 128 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, BRAND),
            ]
        )
    )
    return table


def _head(paper: Paper) -> list[Any]:
    """The header block: the body, the kind of paper, the meeting, and the facts column."""
    return [
        _p(paper.body, "kicker"),
        _p(paper.title, "title"),
        _p(paper.meeting, "subtitle"),
        _facts(paper),
        Spacer(1, 6 * mm),
    ]


def _item(item: PaperItem) -> list[Any]:
    block = [_p(item.title, "item", bullet=f"{item.number}."), _p(item.kind_line, "indent_small")]
    if item.description:
        block.append(_p(item.description, "indent"))
    if item.documents:
        block.append(_p(f"{DOCUMENTS}:", "indent_small"))
        block.extend(_p(f"– {title}", "indent_small") for title in item.documents)
    for decision in item.decisions:
        block.append(_p(decision.text, "decision", bullet=decision.number))
        for action in decision.actions:
            block.append(_p(action.heading, "action"))
            if action.details:
                block.append(_p(action.details, "action_small"))
    return block


def _page(canvas: Any, document: Any, paper: Paper, running_head: bool) -> None:
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.rect(20 * mm, A4[1] - 18 * mm, 3 * mm, 10 * mm, stroke=0, fill=1)
    canvas.setFillColor(MUTED)
    if running_head:
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(26 * mm, A4[1] - 13 * mm, printable(paper.body))
        canvas.setFont("Helvetica", 8)
        canvas.drawString(26 * mm, A4[1] - 17 * mm, printable(f"{paper.title} · {paper.meeting}"))
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, printable(paper.footer) + str(PAGE) % {"n": document.page})
    canvas.restoreState()


def _build(paper: Paper, story: list[Any]) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=28 * mm,
        bottomMargin=22 * mm,
        title=printable(f"{paper.title} {paper.meeting}"),
        author=printable(paper.body),
        subject=printable(paper.title),
        creator="Regiotafel",
        lang="nl-NL",
    )

    # The first page opens with the header block itself; the running header starts on page 2.
    def first(canvas: Any, doc: Any) -> None:
        _page(canvas, doc, paper, running_head=False)

    def later(canvas: Any, doc: Any) -> None:
        _page(canvas, doc, paper, running_head=True)

    document.build(story, onFirstPage=first, onLaterPages=later)
    return out.getvalue()


def to_pdf(paper: Paper) -> bytes:
    """The paper as PDF: header block, attendance, items with their decisions and actions."""
    story = _head(paper)
    if paper.attendance:
        story.append(_p(str(ATTENDANCE), "kicker"))
        story.extend(_p(line, "small") for line in paper.attendance)
        story.append(Spacer(1, 4 * mm))
    if not paper.items:
        story.append(_p(paper.empty))
    story.extend(KeepTogether(_item(item)) for item in paper.items)
    if paper.documents:
        story.append(Spacer(1, 4 * mm))
        story.append(_p(str(MEETING_DOCUMENTS), "kicker"))
        story.extend(_p(f"– {title}", "small") for title in paper.documents)
    return _build(paper, story)


def follow_ups(paper: Paper, lines: Sequence[FollowUpLine]) -> bytes:
    """Actions and commitments of a meeting with their status, as a table under the paper's header."""
    story = _head(paper)
    if not lines:
        story.append(_p(paper.empty))
    else:
        headings = (_("Nr."), _("Wat"), _("Eigenaar"), _("Gereed op"), _("Status"))
        rows = [[_p(h, "kicker") for h in headings]]
        for line in lines:
            what = line.title + (f"\n({line.source})" if line.source else "")
            due = show_date(line.due, "d MMM yyyy") if line.due else "—"
            rows.append(
                [_p(line.reference, "small"), _p(what), _p(line.owner, "small"), _p(due, "small"), _p(line.status)]
            )
        table = Table(rows, colWidths=[16 * mm, 70 * mm, 32 * mm, 22 * mm, 20 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#c9ced6")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        story.append(table)
    return _build(paper, story)
