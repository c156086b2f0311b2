"""Documents leave under their title, and PDFs open in the browser."""

from __future__ import annotations

import io
from datetime import date
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any

import pytest
from docx import Document as new_docx

from core.downloads import filename_for
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItemKind
from meetings.services import agenda
from tests.conftest import in_app, new_meeting, user

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"


def disposition(response: Any) -> tuple[str, str | None]:
    """How the browser is told to handle the file, and the file name it offers, read as a mail client
    reads the header (RFC 2231/6266 ``filename*`` included): what it means, not how Werkzeug wrote it."""
    message = Message()
    message["Content-Disposition"] = response.headers["Content-Disposition"]
    names = [value for key, value in message.get_params(header="content-disposition") or [] if key == "filename"]
    # RFC 6266: the extended filename* (RFC 2231, decoded to a triple) wins over the plain ASCII one.
    extended = [collapse_rfc2231_value(v) for v in names if isinstance(v, tuple)]
    return message.get_content_disposition() or "", (extended or names or [None])[0]


def docx_bytes(text: str) -> bytes:
    document = new_docx()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def documents(app) -> dict[str, int]:
    """A published meeting with a PDF whose title is not its file's name, one with a title outside ASCII
    and characters no file name may hold, and a Word file; an item with a document and one without."""
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(date(2033, 5, 10))
        full = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESPREKING)
        empty = agenda.add_agenda_item(sec, meeting, title="Rondvraag", kind=AgendaItemKind.TER_BESPREKING)
        db.session.flush()

        def upload(title: str, filename: str, content: bytes) -> int:
            doc = agenda.add_document(sec, meeting, agenda_item=full, title=title, filename=filename, content=content)
            db.session.flush()
            return doc.id

        ids = {
            "meeting": meeting.id,
            "full": full.id,
            "empty": empty.id,
            "pdf": upload("Notitie netcapaciteit", "doc2.pdf", text_pdf("Notitie", ["Inhoud."])),
            "odd": upload('Reactie "café" / €-bijdrage: 2033?\nDeel 2', "x.pdf", text_pdf("Reactie", ["Inhoud."])),
            "word": upload("Begroting netuitbreiding", "begroting-v3-def.docx", docx_bytes("Begroting.")),
        }
        agenda.publish_agenda(sec, meeting)
        return ids


def download(client: Any, document_id: int) -> Any:
    response = client.get(f"/documenten/{document_id}/download")
    response.close()
    return response


def test_a_document_downloads_under_its_title_not_its_uploaded_file_name(clients, documents):
    response = download(clients(REGIO), documents["pdf"])
    assert response.status_code == 200
    assert disposition(response)[1] == "Notitie netcapaciteit.pdf"


def test_a_pdf_opens_in_the_browser_and_a_word_file_downloads(clients, documents):
    reader = clients(REGIO)
    assert disposition(download(reader, documents["pdf"]))[0] == "inline"
    assert disposition(download(reader, documents["word"])) == ("attachment", "Begroting netuitbreiding.docx")


def test_a_title_outside_ascii_is_offered_whole_and_what_no_file_name_may_hold_is_left_out(clients, documents):
    response = download(clients(RIJK), documents["odd"])
    assert response.status_code == 200
    assert disposition(response)[1] == "Reactie café €-bijdrage - 2033 Deel 2.pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]  # RFC 6266, for the browsers
    assert "\n" not in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("title", "extension", "expected"),
    [
        ("Notitie netcapaciteit", "pdf", "Notitie netcapaciteit.pdf"),
        ("Inbreng regio: positie talentaanpak", "PDF", "Inbreng regio - positie talentaanpak.pdf"),
        ("  ../../etc/passwd  ", "pdf", "etc passwd.pdf"),
        ("a\x00b\tc\r\nd", "docx", "a b c d.docx"),
        ("CON", "pdf", "document.pdf"),
        ("???", "xlsx", "document.xlsx"),
        ("x" * 300, "pdf", "x" * 120 + ".pdf"),
    ],
)
def test_file_names_from_titles(title, extension, expected):
    assert filename_for(title, extension) == expected
