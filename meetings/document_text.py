"""The text of an uploaded PDF or Word document, for search.

Best effort: a file whose text cannot be read (scanned, encrypted, damaged, another format) has
none, and its upload goes ahead all the same. Both readers are pure-Python wheels.
"""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)

#: Enough for any meeting document; bounds the work (and the row) for a very long one.
MAX_PAGES = 300
MAX_CHARS = 500_000


def extract_text(extension: str, content: bytes) -> str | None:
    """The text of a PDF or DOCX file, or None when there is none to be had."""
    try:
        if extension == "pdf":
            text = _pdf_text(content)
        elif extension == "docx":
            text = _docx_text(content)
        else:
            return None
    except Exception:  # any reader failure: no text, never a failed upload
        log.info("geen tekst uit %s-document te halen", extension, exc_info=True)
        return None
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    return text[:MAX_CHARS] or None


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        return ""
    parts: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        part = page.extract_text() or ""
        parts.append(part)
        size += len(part)
        if size >= MAX_CHARS:
            break
    return "\n\n".join(parts)


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)
