"""The scheduler reads documents' text: each document claimed by one process, read with no transaction
open, its outcome stored once, in the search index and the audit trail in the same transaction."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from audit.models import AuditRecord
from core.acting import SYSTEM
from core.dates import now
from core.extensions import db
from demo.pdf import text_pdf
from meetings.jobs.documents import read_texts
from meetings.models import AgendaItem, Document, Meeting, TextStatus
from meetings.services import agenda, texts
from meetings.services.document_text import Reading
from tests.conftest import Client, in_app, own_database, user

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
LEASE = timedelta(minutes=2)


def _meeting() -> Meeting:
    return db.session.scalars(select(Meeting).join(AgendaItem).order_by(Meeting.starts_at.desc())).first()


def _add(title: str, paragraph: str = "Inhoud.") -> int:
    document = agenda.add_document(
        user(SEC), _meeting(), title=title, filename=f"{title}.pdf", content=text_pdf(title, [paragraph])
    )
    db.session.flush()
    return document.id


def test_a_new_document_waits_for_the_scheduler_and_a_tick_reads_it(app):
    with in_app(app):
        ident = _add("Verkenning warmtenet", "Restwarmte uit de datacentra van Eindhoven.")
    with in_app(app):
        document = db.session.get(Document, ident)
        assert document.text_status is TextStatus.WACHT and document.text_content is None
    result = app.test_cli_runner().invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    assert "tekst van documenten lezen: 1 gelezen" in result.output
    with in_app(app):
        document = db.session.get(Document, ident)
        assert document.text_status is TextStatus.GELEZEN
        assert "Restwarmte" in (document.text_content or "")
        # The system's reading is in the audit trail: that the status changed, not the text.
        record = db.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_type == "documents", AuditRecord.object_id == ident)
            .order_by(AuditRecord.id.desc())
        ).first()
        assert record.actor_label == "systeem" and record.service == "meetings.store_text"
        # (and the version the change made, as every update record names it: ``core.db.VersionedMixin``)
        changes = dict(record.changes)
        assert changes.pop("version")[1] == db.session.get(Document, ident).version
        assert changes == {"text_status": ["wacht", "gelezen"]}
    again = app.test_cli_runner().invoke(args=["scheduler", "tick"])
    assert "tekst van documenten lezen: geen documenten te lezen" in again.output


def test_two_processes_never_hold_one_document_and_a_claim_that_ran_out_stores_nothing(app, clock):
    with in_app(app):
        ids = {_add("Stuk een"), _add("Stuk twee")}
    with in_app(app):
        first = texts.claim_text(SYSTEM, token="a", lease=LEASE)
        second = texts.claim_text(SYSTEM, token="b", lease=LEASE)
        assert first and second and {first.document_id, second.document_id} == ids
        assert texts.claim_text(SYSTEM, token="c", lease=LEASE) is None, "both are claimed"
    # Process a dies while reading; after its lease, c takes the document over.
    clock(now() + LEASE + timedelta(seconds=1))
    with in_app(app):
        taken = texts.claim_text(SYSTEM, token="c", lease=LEASE)
        assert taken is not None and taken.document_id == first.document_id
        assert not texts.store_text(SYSTEM, first, token="a", reading=Reading(TextStatus.GELEZEN, "te laat"))
        assert texts.store_text(SYSTEM, taken, token="c", reading=Reading(TextStatus.GEEN_TEKST))
        assert not texts.store_text(SYSTEM, taken, token="c", reading=Reading(TextStatus.GELEZEN, "nog eens"))
    with in_app(app):
        document = db.session.get(Document, first.document_id)
        assert document.text_status is TextStatus.GEEN_TEKST and document.text_content is None
        assert document.text_claimed_by is None


def test_a_document_withdrawn_while_it_is_read_is_not_brought_back(app):
    with in_app(app):
        ident = _add("Ingetrokken stuk")
    with in_app(app):
        claim = texts.claim_text(SYSTEM, token="a", lease=LEASE)
        assert claim is not None and claim.document_id == ident
        agenda.remove_document(user(SEC), db.session.get(Document, ident))
    with in_app(app):
        assert not texts.store_text(SYSTEM, claim, token="a", reading=Reading(TextStatus.GELEZEN, "tekst"))
        assert db.session.get(Document, ident) is None


def test_reading_inside_a_transaction_is_refused(app):
    with in_app(app):
        _add("Stuk")
        claim = texts.claim_text(SYSTEM, token="a", lease=LEASE)
        assert claim is not None
        with pytest.raises(RuntimeError, match="no transaction open"):
            texts.read_claimed(claim)  # the claim is not committed yet


@pytest.mark.own_database
def test_others_sign_in_while_a_document_is_read(tmp_path: Any, monkeypatch: pytest.MonkeyPatch):
    """The finding: a reading that held SQLite's write lock made sign-ins fail with "database is
    locked". Here a sign-in happens in the middle of a reading; a held lock would fail it at once."""
    with own_database(tmp_path, SQLITE_BUSY_TIMEOUT_MS=200) as app:
        app.test_client_class = Client
        sec: Client = app.test_client()  # type: ignore[assignment]
        assert sec.login(SEC).status_code == 302
        with app.app_context():
            meeting_id = _meeting().id
        pdf = text_pdf("Notitie stikstofruimte", ["Over de stikstofruimte in de regio."])
        response = sec.post_form(
            f"/vergaderingen/{meeting_id}/documenten/nieuw",
            {"title": "Notitie stikstofruimte", "file": (io.BytesIO(pdf), "stikstof.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        during: list[tuple[bool, int]] = []
        real = texts.read_text

        def sign_in() -> None:
            other: Client = app.test_client()  # type: ignore[assignment]
            during.append((reader_in_transaction, other.login(REGIO).status_code))

        def read_while_someone_signs_in(content_type: str, content: bytes) -> Reading:
            nonlocal reader_in_transaction
            reader_in_transaction = db.session().in_transaction()  # the job's own session
            # Another user, in a thread of its own as in another web worker: its own app context,
            # session and connection.
            other = threading.Thread(target=sign_in)
            other.start()
            other.join()
            return real(content_type, content)

        reader_in_transaction = None

        monkeypatch.setattr(texts, "read_text", read_while_someone_signs_in)
        with app.app_context():
            outcomes = read_texts("test-process", everything=True)
            document = db.session.scalars(select(Document).where(Document.title == "Notitie stikstofruimte")).one()
            assert document.text_status is TextStatus.GELEZEN
        assert during == [(False, 302)], "the sign-in was recorded while the document was read"
        assert outcomes == {TextStatus.GELEZEN: 1}
