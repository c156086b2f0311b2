"""A document's text is read in a limited child process: the text, or the reason there is none.

The hostile files stop at a limit of the child (which is what the assertions name), never by how long
a test takes.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document as DocxDocument
from pypdf import PdfWriter

from core import sandbox
from demo.pdf import text_pdf
from meetings.models import TextStatus
from meetings.services.document_text import Reading, read_text
from tests.meetings.hostile import docx_bomb, long_docx, scanned_pdf, shared_stream_pdf

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def reader(app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """In an app context (the limits come from the configuration); ``reader.results`` holds what
    each child came back with."""
    results: list[sandbox.Result] = []
    real = sandbox.run

    def recorded(*args: Any) -> sandbox.Result:
        results.append(real(*args))
        return results[-1]

    monkeypatch.setattr(sandbox, "run", recorded)
    with app.app_context():
        yield type("Reader", (), {"results": results, "config": app.config})


def test_the_text_of_a_pdf_and_a_word_file_is_read(reader):
    assert "zonneweides" in (read_text(PDF, text_pdf("Titel", ["Over zonneweides."])).text or "")
    buffer = io.BytesIO()
    word = DocxDocument()
    word.add_paragraph("Netcongestie in de Brainportregio")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Actie"
    table.rows[0].cells[1].text = "Transformatorstation"
    word.save(buffer)
    reading = read_text(DOCX, buffer.getvalue())
    assert reading.status is TextStatus.GELEZEN
    assert "Netcongestie" in (reading.text or "") and "Transformatorstation" in (reading.text or "")


def test_a_scan_a_damaged_file_an_encrypted_one_and_another_kind_each_say_why_they_have_no_text(reader):
    assert read_text(PDF, scanned_pdf()) == Reading(TextStatus.GEEN_TEKST)
    assert read_text(PDF, b"%PDF-1.4 damaged") == Reading(TextStatus.ONLEESBAAR)
    assert read_text(DOCX, b"PK not a zip") == Reading(TextStatus.ONLEESBAAR)
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf("Geheim", ["Alleen met wachtwoord."])))
    writer.encrypt("wachtwoord", algorithm="RC4-128")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    assert read_text(PDF, encrypted.getvalue()) == Reading(TextStatus.ONLEESBAAR)
    assert read_text(XLSX, b"PK anything") == Reading(TextStatus.NIET_ONDERSTEUND)
    assert len(reader.results) == 4, "a kind of file without a reader starts no child"


def test_a_pdf_whose_pages_share_one_large_stream_is_stopped_at_the_cpu_limit(reader, monkeypatch):
    monkeypatch.setitem(reader.config, "DOCUMENT_TEXT_CPU_SECONDS", 2)
    assert read_text(PDF, shared_stream_pdf()) == Reading(TextStatus.TE_ZWAAR)
    assert reader.results[-1].detail == "stopped by SIGXCPU"


def test_a_word_file_whose_tree_outgrows_the_memory_limit_is_too_heavy(reader, monkeypatch):
    monkeypatch.setitem(reader.config, "DOCUMENT_TEXT_MEMORY_MB", 128)
    assert read_text(DOCX, long_docx()) == Reading(TextStatus.TE_ZWAAR)


def test_a_word_bomb_stored_before_uploads_were_checked_is_refused_by_the_reader_before_parsing(reader):
    assert read_text(DOCX, docx_bomb()) == Reading(TextStatus.TE_ZWAAR)
    assert "TooHeavy" in reader.results[-1].detail and "document.xml" in reader.results[-1].detail
