"""The text of a PDF or Word file, for search.

These readers meet whatever was uploaded, so they run only inside ``core.sandbox``'s limited child
(``meetings.services.document_text`` starts it); this module imports nothing of the app. Both readers are
pure-Python wheels. A Word file is a zip: its sizes are checked (``core.archive``) before the
reader opens it.
"""

from __future__ import annotations

import io

from core.archive import ArchiveTooLarge, open_archive
from core.sandbox import TooHeavy

#: Enough for any meeting document; bounds the work (and the row) for a very long one.
MAX_PAGES = 300
MAX_CHARS = 500_000


def text_of(content: bytes, extension: str, max_unpacked: str) -> bytes:
    """The text of a PDF or DOCX file, as UTF-8; empty when it holds none (a scan).

    Raises for a damaged or encrypted file, and ``TooHeavy`` for a Word file that would unpack to
    more than ``max_unpacked`` bytes.
    """
    if extension == "pdf":
        text = _pdf_text(content)
    elif extension == "docx":
        text = _docx_text(content, int(max_unpacked))
    else:
        raise ValueError(f"no reader for .{extension} files")
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    return text[:MAX_CHARS].encode("utf-8")


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        raise ValueError("the PDF is encrypted")
    parts: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        part = page.extract_text() or ""
        parts.append(part)
        size += len(part)
        if size >= MAX_CHARS:
            break
    return "\n\n".join(parts)


def _docx_text(content: bytes, max_unpacked: int) -> str:
    from docx import Document

    try:
        with open_archive(content, max_unpacked=max_unpacked):
            pass
    except ArchiveTooLarge as exc:
        raise TooHeavy(str(exc)) from exc
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)
