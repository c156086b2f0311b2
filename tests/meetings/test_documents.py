"""Documents leave under their title, PDFs open in the browser, and nothing is removed without asking:
*Verwijderen* and *intrekken* lead to a question first, and are offered only where the removal is allowed."""

from __future__ import annotations

from datetime import date
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from core.db import Audience
from core.downloads import filename_for
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItem, AgendaItemKind, Document, Meeting, Note
from meetings.services import agenda, decisions, notes
from tests.conftest import docx_bytes, find_body, in_app, meeting_held, new_meeting, user

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


# --- asking before removing ------------------------------------------------------------------------------------


def audit_count(app) -> int:
    with in_app(app):
        return db.session.scalar(select(func.count(AuditRecord.id)))


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_removing_an_agenda_item_asks_first_and_the_question_changes_nothing(app, clients, documents):
    sec = clients(SEC)
    before = audit_count(app)
    question = page(sec, f"/agendapunten/{documents['empty']}/verwijderen")
    assert "Agendapunt verwijderen?" in question and "Rondvraag" in question
    assert 'method="post"' in question and "Ja, verwijderen" in question and "Annuleren" in question
    assert audit_count(app) == before
    with in_app(app):
        assert db.session.get(AgendaItem, documents["empty"]) is not None
    done = sec.post_form(f"/agendapunten/{documents['empty']}/verwijderen")
    assert done.status_code == 302
    with in_app(app):
        assert db.session.get(AgendaItem, documents["empty"]) is None


def test_verwijderen_is_offered_only_for_an_item_that_may_come_off_the_agenda(clients, documents):
    meeting = page(clients(SEC), f"/vergaderingen/{documents['meeting']}")
    assert f"/agendapunten/{documents['empty']}/verwijderen" in meeting
    assert f"/agendapunten/{documents['full']}/verwijderen" not in meeting  # it has documents
    question = page(clients(SEC), f"/agendapunten/{documents['full']}/verwijderen")
    assert "kan niet meer van de agenda af" in question and "Ja, verwijderen" not in question
    for member in (RIJK, REGIO):
        assert "/verwijderen" not in page(clients(member), f"/vergaderingen/{documents['meeting']}")


def test_withdrawing_a_document_asks_first(app, clients, documents):
    sec = clients(SEC)
    item = page(sec, f"/agendapunten/{documents['full']}")
    assert f"/documenten/{documents['pdf']}/verwijderen" in item
    member = page(clients(REGIO), f"/agendapunten/{documents['full']}")
    assert f"/documenten/{documents['pdf']}/verwijderen" not in member
    question = page(sec, f"/documenten/{documents['pdf']}/verwijderen")
    assert "Stuk intrekken?" in question and "Notitie netcapaciteit" in question
    with in_app(app):
        assert db.session.get(Document, documents["pdf"]) is not None
    assert sec.post_form(f"/documenten/{documents['pdf']}/verwijderen").status_code == 302
    with in_app(app):
        assert db.session.get(Document, documents["pdf"]) is None


def test_a_note_is_removed_by_its_author_after_the_question_and_offered_to_no_one_else(app, clients):
    with in_app(app):
        bo = find_body()
        note = notes.add_note(user(RIJK), bo, title="Lijn voor het BO", text="Tekst.", audience=Audience.OVERLEG)
        db.session.flush()
        note_id = note.id
    author, colleague = clients(RIJK), clients(REGIO)
    assert f"/notities/{note_id}/verwijderen" in page(author, f"/notities/{note_id}")
    assert f"/notities/{note_id}/verwijderen" not in page(colleague, f"/notities/{note_id}")
    assert colleague.get(f"/notities/{note_id}/verwijderen").status_code == 403
    assert "Notitie verwijderen?" in page(author, f"/notities/{note_id}/verwijderen")
    with in_app(app):
        assert db.session.get(Note, note_id) is not None
    assert author.post_form(f"/notities/{note_id}/verwijderen").status_code == 302
    with in_app(app):
        assert db.session.get(Note, note_id) is None


def test_removing_a_decision_asks_first_and_is_refused_once_the_besluitenlijst_is_adopted(
    app, clients, clock, documents
):
    with in_app(app):
        meeting_held(clock, db.session.get(Meeting, documents["meeting"]))
        decision = decisions.add_decision(
            user(SEC), db.session.get(AgendaItem, documents["full"]), text="Het overleg neemt kennis."
        )
        db.session.flush()
        decision_id = decision.id
    sec = clients(SEC)
    assert f"/besluiten/{decision_id}/verwijderen" in page(sec, f"/vergaderingen/{documents['meeting']}/besluitenlijst")
    assert "Besluit verwijderen?" in page(sec, f"/besluiten/{decision_id}/verwijderen")
    march_decision = _adopted_decision(app)
    refused = page(sec, f"/besluiten/{march_decision}/verwijderen")
    assert "vastgesteld" in refused and "Ja, verwijderen" not in refused


def _adopted_decision(app) -> int:
    from meetings.models import Decision, Meeting

    with in_app(app):
        return db.session.scalars(
            select(Decision.id)
            .join(Meeting, Decision.meeting_id == Meeting.id)
            .where(Meeting.title == "BO-Brainport 14 maart 2023")
        ).first()
