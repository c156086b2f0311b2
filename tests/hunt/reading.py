"""What a reader receives, as text to look for markers in: HTML, CSV, JSON, iCalendar, PDF, Word, Excel
and zip files (a zip's members read by their own kind, so a bundle's documents are read too)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

MARKER = re.compile(r"hunt(\d{6})", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def marker(number: int) -> str:
    return f"HUNT{number:06d}"


def markers_in(text: str) -> set[str]:
    return {f"HUNT{m.group(1)}" for m in MARKER.finditer(text)}


#: The text of files already read, by their bytes: a document, a bundle or an export that many personas
#: get alike, or again at every sweep, is taken apart once (what it holds is judged every time).
_EXTRACTED: dict[tuple[str, bytes], str] = {}
_EXTRACTED_MAX = 4000


def text_of(data: bytes, content_type: str = "", name: str = "") -> str:
    """Everything a reader could read in ``data``: for binary formats the extracted text, and, in case a
    format hides text the extractor misses (metadata, a spreadsheet's shared strings), the raw bytes."""
    kind = _kind(content_type, name, data)
    if kind in ("pdf", "zip"):
        key = (kind, hashlib.blake2b(data, digest_size=20).digest())
        text = _EXTRACTED.get(key)
        if text is None:
            if len(_EXTRACTED) >= _EXTRACTED_MAX:
                _EXTRACTED.clear()
            text = _EXTRACTED[key] = _pdf(data) if kind == "pdf" else _zip(data)
        return text
    if kind == "ics":
        # A line of iCalendar folds after 75 octets: unfold before looking.
        return re.sub(r"\r?\n[ \t]", "", data.decode("utf-8", "replace"))
    return data.decode("utf-8", "replace")


def _kind(content_type: str, name: str, data: bytes) -> str:
    lowered = name.lower()
    if "pdf" in content_type or lowered.endswith(".pdf") or data.startswith(b"%PDF"):
        return "pdf"
    if "calendar" in content_type or lowered.endswith(".ics"):
        return "ics"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return "text"


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    parts = [data.decode("latin-1")]  # uncompressed metadata and strings, whatever the extractor makes of them
    reader = PdfReader(io.BytesIO(data))
    parts += [str(value) for value in (reader.metadata or {}).values()]
    parts += [page.extract_text() or "" for page in reader.pages]
    return "\n".join(parts)


def _zip(data: bytes) -> str:
    """A zip (a bundle, a Woo package, and Word and Excel files, which are zips of XML)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if "word/document.xml" in names:
            parts.append(_docx(data))
        if "xl/workbook.xml" in names:
            parts.append(_xlsx(data))
        for member in names:
            parts.append(member)  # a file's name is read too
            content = archive.read(member)
            if member.endswith((".xml", ".rels")):
                # Text split over runs (<w:t>HUNT</w:t><w:t>000123</w:t>) still reads as one word here.
                parts.append(_TAG.sub("", content.decode("utf-8", "replace")))
            else:
                parts.append(text_of(content, name=member))
    return "\n".join(parts)


def _docx(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    parts += [str(getattr(document.core_properties, name) or "") for name in ("title", "subject", "keywords")]
    return "\n".join(parts)


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    parts = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(value) for value in row if value is not None)
    workbook.close()
    return "\n".join(parts)


#: Links to pages of objects, in HTML: (table the path names, id).
_LINK = re.compile(
    r"""href=["'](?:https?://[^/"']+)?/(vergaderingen|cycli|agendapunten|besluiten|notities|zaken|documenten)/(\d+)"""
)
LINK_TABLES = {
    "vergaderingen": "meetings",
    "cycli": "cycles",
    "agendapunten": "agenda_items",
    "besluiten": "decisions",
    "notities": "notes",
    "zaken": "cases",
    "documenten": "documents",
}


def links_in(html: str) -> set[tuple[str, int]]:
    """The objects an HTML page links to, as (table, id)."""
    return {(LINK_TABLES[m.group(1)], int(m.group(2))) for m in _LINK.finditer(html)}


_CYCLE_SELECT = re.compile(r'<select[^>]*name="cyclus"[^>]*>(.*?)</select>', re.DOTALL)
_OPTION = re.compile(r'<option[^>]*value="(\d+)"')


def cycle_choices(html: str) -> set[int]:
    """The cycles the search page offers as a filter."""
    found: set[int] = set()
    for select in _CYCLE_SELECT.finditer(html):
        found |= {int(v) for v in _OPTION.findall(select.group(1))}
    return found
