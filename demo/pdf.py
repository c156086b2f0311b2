"""A minimal PDF writer for the demo's documents: real, valid one-page PDFs with text."""

from __future__ import annotations

import textwrap


def _escape(line: str) -> bytes:
    encoded = line.encode("cp1252", errors="replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _lines(title: str, paragraphs: list[str]) -> list[tuple[int, str]]:
    """The page's lines (font size, text): the title, then the paragraphs wrapped, as many as fit."""
    lines: list[tuple[int, str]] = [(15, title), (11, "")]
    for paragraph in paragraphs:
        lines.extend((11, part) for part in textwrap.wrap(paragraph, 88) or [""])
        lines.append((11, ""))
    return lines[:54]


def pdf_text(title: str, paragraphs: list[str]) -> str:
    """The text a reader finds in ``text_pdf(title, paragraphs)``: its lines that hold text, as the page
    spells them (WinAnsi: a character it lacks becomes a question mark)."""
    return "\n".join(
        line.encode("cp1252", errors="replace").decode("cp1252").rstrip()
        for _size, line in _lines(title, paragraphs)
        if line.strip()
    )


def text_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A one-page A4 PDF with a title and wrapped paragraphs (Helvetica, WinAnsi)."""
    content = [b"BT", b"56 790 Td"]
    for size, line in _lines(title, paragraphs):
        content.append(b"/F1 %d Tf" % size)
        content.append(b"(" + _escape(line) + b") Tj")
        content.append(b"0 -%d Td" % (size + 4))
    content.append(b"ET")
    stream = b"\n".join(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (" + _escape(title) + b") /Producer (Regiotafel demo) >>",
    ]
    return pdf_of(objects, info=6)


def pdf_of(objects: list[bytes], *, info: int | None = None) -> bytes:
    """A PDF file of these objects, numbered 1, 2, …: object 1 is the catalog; ``info`` the document
    information dictionary, if any. Writes the cross-reference table and the trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    info_entry = b" /Info %d 0 R" % info if info is not None else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info_entry, xref)
    return bytes(out)
