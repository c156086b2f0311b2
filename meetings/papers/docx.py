"""Papers as Word files: the same ``meetings.papers.pdf.Paper`` the PDF is made of, laid out alike.

The secretariat and the members take an agenda or a besluitenlijst into their own document systems
and work on from there, which is why they want Word besides PDF. The layout follows the PDF's: A4,
the body and the kind of paper in the page header, the facts column as a borderless table, items
numbered as the reader sees them (typed numbers, not Word's list numbering, which would renumber
them by itself), decisions hanging under their item, actions under their decision. Agenda items are
"Kop 2" paragraphs, so that Word's navigation pane lists them.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.dates import now
from meetings.papers.pdf import ATTENDANCE, DOCUMENTS, MEETING_DOCUMENTS, PAGE, Paper, PaperItem, printable

FONT = "Arial"  # the nearest of Word's own fonts to the PDF's Helvetica
INK = RGBColor(0x1B, 0x1B, 0x1B)
BRAND = RGBColor(0x15, 0x42, 0x73)  # the Rijkshuisstijl's donkerblauw, as in the PDF
MUTED = RGBColor(0x4A, 0x4A, 0x4A)
INDENT = Mm(10)
DECISION_INDENT = Mm(22)


def _style(
    document: DocxDocument,
    name: str,
    *,
    size: float,
    bold: bool = False,
    colour: RGBColor = INK,
    indent: Length | None = None,
    hanging: Length | None = None,
    before: float = 0,
    after: float = 2,
) -> ParagraphStyle:
    """A paragraph style in our font; the built-in ones (Title, Heading 2) are restyled in place."""
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    if style.base_style is None and name != "Normal":
        style.base_style = styles["Normal"]
    font = style.font
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, False
    font.color.rgb = colour
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        # A theme font wins over the named one in Word: the built-in headings carry one.
        fonts.attrib.pop(qn(theme), None)
    layout = style.paragraph_format
    layout.space_before, layout.space_after = Pt(before), Pt(after)
    layout.left_indent = indent
    layout.first_line_indent = Emu(-hanging) if hanging else None
    if indent is not None and hanging is not None:
        layout.tab_stops.add_tab_stop(indent)
    layout.keep_with_next = name in ("Heading 2", "Title")
    return style


def _styles(document: DocxDocument) -> None:
    normal = _style(document, "Normal", size=10, after=3)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "nl-NL")
    normal.element.get_or_add_rPr().append(language)  # for the spelling checker and screen readers
    _style(document, "Title", size=18, bold=True, colour=BRAND, after=2)
    _style(document, "Subtitle", size=12, after=8)
    _style(document, "Heading 2", size=11, bold=True, indent=INDENT, hanging=INDENT, before=10, after=1)
    _style(document, "Kopregel", size=9, bold=True, colour=BRAND, after=1)
    _style(document, "Klein", size=8.5, colour=MUTED, after=1)
    _style(document, "Punttekst", size=10, indent=INDENT, before=2)
    _style(document, "Punt klein", size=8.5, colour=MUTED, indent=INDENT, after=1)
    _style(document, "Besluit", size=10, indent=DECISION_INDENT, hanging=Emu(DECISION_INDENT - INDENT), before=4)
    _style(document, "Actie", size=9, indent=DECISION_INDENT, before=2, after=0)
    _style(document, "Actie klein", size=8.5, colour=MUTED, indent=DECISION_INDENT, after=1)


def _add(document: DocxDocument, text: str, style: str) -> Paragraph:
    return document.add_paragraph(printable(text), style=style)


def _page_number(paragraph: Paragraph) -> None:
    """A PAGE field: Word fills in the number of each page."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page(document: DocxDocument, paper: Paper) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(28), Mm(22)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    # The first page opens with the header block itself; the running header starts on page 2.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = document.styles["Kopregel"]
    header.add_run(printable(paper.body))
    header.add_run().add_break()
    sub = header.add_run(printable(f"{paper.title} · {paper.meeting}"))
    sub.font.bold, sub.font.size, sub.font.color.rgb = False, Pt(8), MUTED
    for footer in (section.footer.paragraphs[0], section.first_page_footer.paragraphs[0]):
        _footer(document, footer, paper)


def _footer(document: DocxDocument, footer: Paragraph, paper: Paper) -> None:
    footer.style = document.styles["Klein"]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    before, _n, after = str(PAGE).partition("%(n)s")
    footer.add_run(printable(paper.footer) + before)
    _page_number(footer)
    if after:
        footer.add_run(after)


def _facts(document: DocxDocument, paper: Paper) -> Table:
    table = document.add_table(rows=0, cols=2)
    table.autofit = False
    for label, value in paper.facts:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(32), Mm(128)
        cells[0].paragraphs[0].style = document.styles["Kopregel"]
        cells[0].paragraphs[0].add_run(printable(label))
        cells[1].paragraphs[0].add_run(printable(value))
    return table


def _item(document: DocxDocument, item: PaperItem) -> None:
    _add(document, f"{item.number}.\t{item.title}", "Heading 2")
    _add(document, item.kind_line, "Punt klein")
    if item.description:
        _add(document, item.description, "Punttekst")
    if item.documents:
        _add(document, f"{DOCUMENTS}:", "Punt klein")
        for title in item.documents:
            _add(document, f"– {title}", "Punt klein")
    for decision in item.decisions:
        _add(document, f"{decision.number}\t{decision.text}", "Besluit")
        for action in decision.actions:
            _add(document, action.heading, "Actie")
            if action.details:
                _add(document, action.details, "Actie klein")


def _properties(document: DocxDocument, paper: Paper) -> None:
    properties = document.core_properties
    properties.title = printable(f"{paper.title} {paper.meeting}")
    properties.subject = printable(paper.title)
    properties.author = properties.last_modified_by = printable(paper.body)
    properties.comments = "Regiotafel"
    properties.language = "nl-NL"
    properties.created = properties.modified = now().replace(tzinfo=None)
    properties.revision = 1


def to_docx(paper: Paper) -> bytes:
    """The paper as a Word file (.docx), with the same lines as its PDF."""
    document = Document()
    _styles(document)
    _page(document, paper)
    _add(document, paper.body, "Kopregel")
    _add(document, paper.title, "Title")
    _add(document, paper.meeting, "Subtitle")
    _facts(document, paper)
    if paper.attendance:
        _add(document, str(ATTENDANCE), "Kopregel").paragraph_format.space_before = Pt(12)
        for line in paper.attendance:
            _add(document, line, "Klein")
    if not paper.items:
        _add(document, paper.empty, "Normal").paragraph_format.space_before = Pt(12)
    for item in paper.items:
        _item(document, item)
    if paper.documents:
        _add(document, str(MEETING_DOCUMENTS), "Kopregel").paragraph_format.space_before = Pt(12)
        for title in paper.documents:
            _add(document, f"– {title}", "Klein")
    _properties(document, paper)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
