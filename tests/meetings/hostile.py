"""Hostile uploads, built in the test: small files that are expensive to read.

Each is the kind the security review found: a PDF whose pages share one large content stream, an
OpenDocument file whose ``mimetype`` entry unpacks to hundreds of megabytes, a Word file whose
``document.xml`` does. The zips are written in pieces, so building one costs no memory to speak of;
the bombs take a few seconds to pack, once per run.
"""

from __future__ import annotations

import functools
import io
import random
import zipfile
import zlib

from docx import Document as DocxDocument

from demo.pdf import pdf_of

MB = 1024 * 1024
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def shared_stream_pdf(pages: int = 20, stream_bytes: int = 2 * MB) -> bytes:
    """About 9 kB: ``pages`` pages that all draw one content stream of ``stream_bytes`` (a graphics
    state saved and restored, over and over, without text). A reader parses it again for each page:
    without limits, most of a minute."""
    unit = b"q 1 0 0 1 0 0 cm Q\n"
    content = zlib.compress(unit * (stream_bytes // len(unit)), 9)
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + font + b" /Contents 3 0 R >>"
    ] * pages
    return pdf_of(objects)


def scanned_pdf() -> bytes:
    """A page with only a drawing on it, as a scan has only an image: no text to find."""
    content = b"0 0 m 595 842 l S"
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )


def _write_spaces(member: io.BufferedIOBase, size: int, first: bytes = b"") -> None:
    member.write(first)
    block = b" " * MB
    for _ in range((size - len(first)) // MB):
        member.write(block)


@functools.cache
def odt_mimetype_bomb(unpacked: int = 400 * MB) -> bytes:
    """About 400 kB: an OpenDocument text whose ``mimetype`` entry is the right content type followed
    by ``unpacked`` bytes of spaces (what the upload used to read in full to check the type)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            _write_spaces(member, unpacked, b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def _docx_with(document_xml: bytes | None = None, *, spaces: int = 0) -> bytes:
    """A real Word file whose ``word/document.xml`` is replaced; ``spaces`` pads one paragraph."""
    base = io.BytesIO()
    DocxDocument().save(base)
    buffer = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            if document_xml is not None:
                member.write(document_xml)
            else:
                member.write(b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>")
                _write_spaces(member, spaces)
                member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


@functools.cache
def docx_bomb(unpacked: int = 300 * MB) -> bytes:
    """About 340 kB: a Word file whose ``document.xml`` unpacks to ``unpacked`` bytes."""
    return _docx_with(spaces=unpacked)


def long_docx(paragraphs: int = 200_000) -> bytes:
    """About 900 kB that packs as ordinary text does (ten to one): 9 MB of ``document.xml``, whose
    parsed tree takes some 150 MB more than the reader has to start with."""
    rng = random.Random(2023)
    body = b"".join(b"<w:p><w:r><w:t>Regel %d</w:t></w:r></w:p>" % rng.randrange(10**6) for _ in range(paragraphs))
    return _docx_with(b"<w:document " + _W + b"><w:body>" + body + b"</w:body></w:document>")
