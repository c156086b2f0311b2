"""The vergaderbundel: one PDF with a reader's agenda, a table of contents and every document that reader
may see, in agenda order; and *alles downloaden*, a zip with that PDF and the documents themselves.

What goes in is decided by ``meetings.papers.bundle`` (the reader's ``Bundle``); this module lays
out only what it is given:

* the agenda (the same paper as ``agenda.pdf``), then *Inhoud*, then per agenda item its documents;
* a PDF document's own pages, each stamped with the bundle's page number;
* for a Word, Excel, PowerPoint or OpenDocument file a page that names it (title, file name, size)
  and says it is in the zip: Regiotafel converts nothing (that would take LibreOffice on the server);
* for a PDF that cannot go in (damaged, locked with a password, or past the bundle's limits) a page
  that says why, so one bad file never spoils the bundle;
* bookmarks (the outline) per item and per document, page labels 1..n that match the table of
  contents, and the title, author and language in the document's properties.

The work is bounded: at most ``BUNDLE_MAX_PAGES`` pages and ``BUNDLE_MAX_MB`` of documents go in (pypdf
bounds what a hostile file can make it decompress). A bundle is kept on disk under a key of everything
it is made of (``Bundle.key``), so a reader who opens it again gets it at once, and a changed document,
title, number or language makes a new one; at most ``BUNDLE_CACHE_ENTRIES`` are kept.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from flask import current_app
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.dates import AMSTERDAM
from meetings.papers import pdf as papers
from meetings.papers.bundle import Bundle, BundleDocument, BundleSection
from meetings.papers.pdf import BRAND, MUTED, STYLES, printable

log = logging.getLogger(__name__)

#: A document's content by its SHA-256, None when it is missing (``meetings.storage.read``).
ContentOf = Callable[[str], bytes | None]


@dataclass(frozen=True)
class Limits:
    """How much work one bundle may take."""

    #: Pages of documents in one bundle.
    max_pages: int
    #: Bytes of documents read for one bundle.
    max_bytes: int

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(max_pages=int(config["BUNDLE_MAX_PAGES"]), max_bytes=int(config["BUNDLE_MAX_MB"]) * 1024 * 1024)


def file_size(size: int) -> str:
    """``45 kB``, ``1,2 MB``: a document's size as a reader reads it, in the reader's language."""
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)))} kB"
    return f"{format_decimal(size / (1024 * 1024), '0.0')} MB"


# --- the parts of the bundle -------------------------------------------------------------------------------------


class _Skip(Exception):
    """A PDF that cannot go into the bundle, and why (for its reader)."""


@dataclass
class _Part:
    """One document's place in the bundle: its own pages, or one page of ours standing in for it."""

    section: BundleSection
    document: BundleDocument
    #: The document's pages, rewritten by pypdf (None: a page of ours stands in).
    pdf: bytes | None = None
    pages: int = 1
    #: Why a PDF is not in the bundle (None: it is, or it is an office file that is in the zip).
    skipped: str | None = None
    #: Index of its first page in the bundle.
    start: int = 0

    @property
    def note(self) -> str:
        """What the table of contents says next to it."""
        if self.pdf is not None:
            return ""
        if self.skipped:
            return _("niet in de bundel, zie de zip")
        return _("%(kind)s, in de zip", kind=self.document.kind)


@dataclass
class _Budget:
    limits: Limits
    pages: int = 0
    bytes: int = 0


def _read_pdf(data: bytes, budget: _Budget) -> tuple[bytes, int]:
    """The document's pages written anew by pypdf, and how many; ``_Skip`` with the reason when it
    cannot go in. Rewriting it on its own first means a file that breaks pypdf breaks only itself."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Skip(_("Het bestand is met een wachtwoord beveiligd."))
        count = len(reader.pages)
    except _Skip:
        raise
    except Exception as exc:  # whatever a damaged or hostile file makes pypdf raise
        log.info("stuk niet leesbaar voor de vergaderbundel", exc_info=True)
        if "encrypt" in type(exc).__name__.lower() or "password" in str(exc).lower():
            raise _Skip(_("Het bestand is met een wachtwoord beveiligd.")) from exc
        raise _Skip(_("Het bestand is beschadigd of geen geldige PDF.")) from exc
    if count == 0:
        raise _Skip(_("Het bestand heeft geen pagina's."))
    if budget.pages + count > budget.limits.max_pages:
        raise _Skip(
            _(
                "Het stuk heeft %(n)s pagina's; daarmee zou de bundel meer dan %(max)s pagina's stukken tellen.",
                n=format_decimal(count),
                max=format_decimal(budget.limits.max_pages),
            )
        )
    try:
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except Exception as exc:
        log.info("stuk niet over te nemen in de vergaderbundel", exc_info=True)
        raise _Skip(_("Het bestand is beschadigd of geen geldige PDF.")) from exc
    return out.getvalue(), count


def _part(section: BundleSection, document: BundleDocument, content_of: ContentOf, budget: _Budget) -> _Part:
    part = _Part(section, document)
    if not document.is_pdf:
        return part
    size = document.size
    if budget.bytes + size > budget.limits.max_bytes:
        part.skipped = _(
            "Met dit stuk zou de bundel meer dan %(mb)s MB aan stukken bevatten.",
            mb=format_decimal(budget.limits.max_bytes // (1024 * 1024)),
        )
        return part
    content = content_of(document.sha256)
    if content is None:
        part.skipped = _("Het bestand ontbreekt op de server.")
        return part
    try:
        part.pdf, part.pages = _read_pdf(content, budget)
    except _Skip as skip:
        part.skipped = str(skip)
        return part
    budget.pages += part.pages
    budget.bytes += size
    return part


# --- pages of our own --------------------------------------------------------------------------------------------

MARGINS = {"leftMargin": 25 * mm, "rightMargin": 25 * mm, "topMargin": 25 * mm, "bottomMargin": 22 * mm}


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(printable(text)).replace("\n", "<br/>"), STYLES[style])


def page_text(number: int, total: int) -> str:
    return _("Vergaderbundel, pagina %(n)s van %(total)s", n=number, total=total)


def _render(bundle: Bundle, story: list[Any], first_page: int, total: int) -> bytes:
    """Our own pages (table of contents, a page standing in for a document) with the bundle's page
    numbers in their footers, counted from ``first_page`` (1-based)."""
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, **MARGINS)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(BRAND)
        canvas.rect(20 * mm, A4[1] - 18 * mm, 3 * mm, 10 * mm, stroke=0, fill=1)
        canvas.setFillColor(MUTED)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(26 * mm, A4[1] - 13 * mm, printable(bundle.body))
        canvas.setFont("Helvetica", 8)
        canvas.drawString(26 * mm, A4[1] - 17 * mm, printable(f"{bundle.title} · {bundle.meeting}"))
        reference = f"{bundle.reference} · " if bundle.reference else ""
        text = printable(reference + page_text(first_page + doc.page - 1, total))
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, text)
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _toc_story(bundle: Bundle, toc_start: int, parts: list[_Part]) -> list[Any]:
    rows: list[list[Any]] = [
        [_p(_("Agenda"), "kicker"), _p("1", "kicker")],
        [_p(_("Inhoud"), "kicker"), _p(str(toc_start + 1), "kicker")],
    ]
    by_section: dict[int, list[_Part]] = {}
    for part in parts:
        by_section.setdefault(id(part.section), []).append(part)
    for section in bundle.sections:
        mine = by_section.get(id(section), [])
        first = str(mine[0].start + 1) if mine else ""
        rows.append([_p(section.heading, "kicker"), _p(first, "kicker")])
        if not mine:
            rows.append([_p(_("geen stukken"), "indent_small"), ""])
        for part in mine:
            label = part.document.title + (f" ({part.note})" if part.note else "")
            rows.append([_p(label, "indent"), _p(str(part.start + 1))])
    table = Table(rows, colWidths=[140 * mm, 20 * mm], hAlign="LEFT", repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return [_p(_("Inhoud"), "title"), Spacer(1, 4 * mm), table]


def _stand_in_story(bundle: Bundle, part: _Part) -> list[Any]:
    document = part.document
    heading = part.section.heading if part.section.number else part.section.title
    facts = Table(
        [
            [_p(_("Bestand"), "kicker"), _p(document.filename)],
            [_p(_("Soort"), "kicker"), _p(document.kind)],
            [_p(_("Grootte"), "kicker"), _p(file_size(document.size))],
        ],
        colWidths=[32 * mm, 128 * mm],
        hAlign="LEFT",
    )
    facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    if part.skipped:
        lines = [
            _("Dit stuk kon niet in de vergaderbundel: %(reason)s", reason=part.skipped),
            _("Het zit wel in de zip (Alles downloaden), en is los te openen op de vergaderpagina."),
        ]
    else:
        lines = [
            _(
                "Dit stuk is een %(kind)s-bestand; de vergaderbundel bevat alleen PDF's. Het zit in de zip "
                "(Alles downloaden), en is los te openen op de vergaderpagina.",
                kind=document.kind,
            )
        ]
    return [
        _p(heading, "kicker"),
        _p(document.title, "title"),
        Spacer(1, 4 * mm),
        facts,
        Spacer(1, 6 * mm),
        *[_p(line) for line in lines],
    ]


# --- assembling ------------------------------------------------------------------------------------------------------

#: The page number on a document's own pages: top right, in a white box, clear of most letterheads.
STAMP_FONT = "/RtBundelFont"
STAMP_SIZE = 8
STAMP_MARGIN = 5 * mm


def _pdf_string(text: str) -> bytes:
    encoded = text.encode("cp1252", errors="replace")
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _stamp_ops(page: Any, text: str) -> bytes:
    """Content that writes ``text`` at the top right of the page as it is shown (its /Rotate taken into
    account), over a white box, in a graphics state of its own."""
    left, bottom, right, top = (float(v) for v in page.cropbox)
    width = stringWidth(text, "Helvetica", STAMP_SIZE)
    m, size = STAMP_MARGIN, STAMP_SIZE
    rotation = int(page.get("/Rotate", 0) or 0) % 360
    frames = {
        0: (1, 0, 0, 1, right - m - width, top - m - size),
        90: (0, 1, -1, 0, left + m + size, top - m - width),
        180: (-1, 0, 0, -1, left + m + width, bottom + m + size),
        270: (0, -1, 1, 0, right - m - size, bottom + m + width),
    }
    a, b, c, d, x, y = frames.get(rotation, frames[0])
    return b"".join(
        [
            b"q %d %d %d %d %.2f %.2f cm " % (a, b, c, d, x, y),
            b"1 g -3 -3 %.2f %.2f re f " % (width + 6, size + 5),
            b"0.29 g BT %s %d Tf 0 0 Td %s Tj ET Q\n" % (STAMP_FONT.encode(), size, _pdf_string(text)),
        ]
    )


def _stamp(writer: PdfWriter, page: Any, text: str, font: IndirectObject, push: IndirectObject) -> None:
    """Write the bundle's page number on a document's page, without touching its own content: the page
    gets its own copy of its resources (with our font) and its content is wrapped in q … Q."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    own = DictionaryObject({NameObject(k): v for k, v in resources.items()})
    fonts = own.get("/Font")
    fonts = fonts.get_object() if fonts is not None else DictionaryObject()
    own_fonts = DictionaryObject({NameObject(k): v for k, v in fonts.items()})
    own_fonts[NameObject(STAMP_FONT)] = font
    own[NameObject("/Font")] = own_fonts
    page[NameObject("/Resources")] = own
    contents = page.get("/Contents")
    existing: list[Any] = []
    if contents is not None:
        resolved = contents.get_object()
        existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    stamp = DecodedStreamObject()
    stamp.set_data(b"Q\n" + _stamp_ops(page, text))
    page[NameObject("/Contents")] = ArrayObject([push, *existing, writer._add_object(stamp)])


@dataclass
class _Layout:
    agenda: bytes
    agenda_pages: int
    parts: list[_Part] = field(default_factory=list)
    toc_pages: int = 1

    @property
    def total(self) -> int:
        return self.agenda_pages + self.toc_pages + sum(part.pages for part in self.parts)

    def place(self) -> None:
        start = self.agenda_pages + self.toc_pages
        for part in self.parts:
            part.start = start
            start += part.pages


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def render(bundle: Bundle, content_of: ContentOf, limits: Limits) -> bytes:
    """The bundle as one PDF."""
    agenda = papers.to_pdf(bundle.agenda)
    budget = _Budget(limits)
    layout = _Layout(agenda=agenda, agenda_pages=_pages(agenda))
    layout.parts = [_part(section, document, content_of, budget) for section, document in bundle.documents]
    # The table of contents names the pages that follow it, so its own length must be known first;
    # the page numbers sit in a column of their own, so a second round settles it.
    for _round in range(3):
        layout.place()
        toc = _render(
            bundle,
            _toc_story(bundle, layout.agenda_pages, layout.parts),
            layout.agenda_pages + 1,
            layout.total,
        )
        if _pages(toc) == layout.toc_pages:
            break
        layout.toc_pages = _pages(toc)

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(agenda)).pages:
        writer.add_page(page)
    for page in PdfReader(io.BytesIO(toc)).pages:
        writer.add_page(page)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    push = DecodedStreamObject()
    push.set_data(b"q\n")
    push_ref = writer._add_object(push)
    for part in layout.parts:
        if part.pdf is None:
            story = _stand_in_story(bundle, part)
            for page in PdfReader(io.BytesIO(_render(bundle, story, part.start + 1, layout.total))).pages[:1]:
                writer.add_page(page)
            continue
        for offset, page in enumerate(PdfReader(io.BytesIO(part.pdf)).pages):
            added = writer.add_page(page)
            _stamp(writer, added, page_text(part.start + offset + 1, layout.total), font, push_ref)

    _outline(writer, bundle, layout)
    writer.set_page_label(0, layout.total - 1, style=PageLabelStyle.DECIMAL, start=1)
    writer.add_metadata(
        {
            "/Title": printable(f"{bundle.title} {bundle.meeting}"),
            "/Author": printable(bundle.body),
            "/Subject": printable(bundle.title),
            "/Creator": "Regiotafel",
        }
    )
    writer._root_object[NameObject("/Lang")] = TextStringObject(_language())
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _language() -> str:
    """The bundle's language for screen readers: the reader's, in which its own pages are written."""
    return "en-GB" if str(get_locale() or "nl").startswith("en") else "nl-NL"


def _outline(writer: PdfWriter, bundle: Bundle, layout: _Layout) -> None:
    """Bookmarks: the agenda, the table of contents, and per item its documents."""
    writer.add_outline_item(_("Agenda"), 0)
    writer.add_outline_item(_("Inhoud"), layout.agenda_pages)
    for section in bundle.sections:
        mine = [part for part in layout.parts if part.section is section]
        parent = writer.add_outline_item(section.heading, mine[0].start if mine else 0)
        for part in mine:
            writer.add_outline_item(part.document.title, part.start, parent=parent)


# --- keeping it, and the zip -----------------------------------------------------------------------------------------


def _cache_folder() -> Path:
    folder = Path(current_app.config["BUNDLE_CACHE_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def bundle_pdf(bundle: Bundle, content_of: ContentOf) -> Path:
    """The bundle's PDF on disk: the one made before for the same content, or a new one."""
    limits = Limits.from_config()
    folder = _cache_folder()
    target = folder / f"{bundle.key(max_pages=limits.max_pages, max_bytes=limits.max_bytes)}.pdf"
    if target.exists():
        try:
            os.utime(target)  # recently used: the last to be cleared
            return target
        except OSError:
            pass  # cleared just now by another process: make it again
    data = render(bundle, content_of, limits)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".bundel-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)
    _clear(folder, keep=int(current_app.config["BUNDLE_CACHE_ENTRIES"]), current=target)
    return target


def _clear(folder: Path, *, keep: int, current: Path) -> None:
    """Keep the ``keep`` most recently used bundles; never the one just made."""
    kept = []
    for path in folder.glob("*.pdf"):
        try:
            kept.append((path.stat().st_mtime, path))
        except OSError:
            continue
    kept.sort(reverse=True)
    for _mtime, path in kept[keep:]:
        if path != current:
            path.unlink(missing_ok=True)


def zip_names(bundle: Bundle) -> list[tuple[str, BundleDocument]]:
    """Each document's name in the zip: the item's number (00 for the meeting's own documents) and the
    document's title, so the files sort in agenda order; a second file of the same name gets (2)."""
    width = max([2, *(len(s.number) for s in bundle.sections if s.number)])
    names: list[tuple[str, BundleDocument]] = []
    taken: set[str] = set()
    for section, document in bundle.documents:
        prefix = (section.number or "0").rjust(width, "0")
        stem, _dot, extension = document.filename.rpartition(".")
        name, n = f"{prefix} {document.filename}", 1
        while name.lower() in taken:
            n += 1
            name = f"{prefix} {stem} ({n}).{extension}"
        taken.add(name.lower())
        names.append((name, document))
    return names


def bundle_zip(bundle: Bundle, pdf: Path, content_of: ContentOf) -> IO[bytes]:
    """*Alles downloaden*: the bundle's PDF and every document of the bundle as it was uploaded, named by
    its title. Spooled to disk when large; the caller sends and closes it."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115  (handed to the response)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.write(pdf, f"{bundle.name}.pdf")
        for name, document in zip_names(bundle):
            content = content_of(document.sha256)
            if content is None:
                continue  # the bundle's page for it says the file is missing
            moment = document.uploaded_at.astimezone(AMSTERDAM)
            archive.writestr(zipfile.ZipInfo(name, date_time=moment.timetuple()[:6]), content)
    out.seek(0)
    return out
