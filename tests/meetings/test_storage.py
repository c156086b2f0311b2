"""Uploaded files live in the database (``stored_files``): every web node serves every upload, a file
and its document are stored in one transaction, and downloads leave in pieces."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from cases.models import CaseAttachment
from core.extensions import db
from demo.pdf import text_pdf
from meetings import storage
from meetings.models import AgendaItem, Document, Meeting, StoredFile
from meetings.services import agenda
from tests.conftest import DEMO_PASSWORD, Client, in_app, own_database, user
from tools import throwaway

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
MARCH = "BO-Brainport 14 maart 2023"
#: The revision before the documents moved into the database.
BEFORE_STORED_FILES = "cb6ced060154"


def _march(app: Any) -> tuple[int, int]:
    """The demo's BO of March 2023 and its item on talent, both visible to the province."""
    with in_app(app):
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == MARCH)).one()
        item = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.title.like("Talent%"))
        ).one()
        return meeting.id, item.id


def _add_to(march: tuple[int, int], title: str, filename: str, content: bytes) -> Document:
    """The secretariat adds a document to the March item (in the caller's app context)."""
    meeting_id, item_id = march
    return agenda.add_document(
        user(SEC),
        db.session.get(Meeting, meeting_id),
        agenda_item=db.session.get(AgendaItem, item_id),
        title=title,
        filename=filename,
        content=content,
    )


def _signed_in(app: Any, email: str) -> Client:
    app.test_client_class = Client
    client: Client = app.test_client()  # type: ignore[assignment]
    assert client.login(email, DEMO_PASSWORD).status_code == 302
    return client


@pytest.mark.own_database
def test_a_document_uploaded_through_one_node_downloads_through_the_other(tmp_path: Path):
    content = text_pdf("Stuk van node A", ["Geüpload op de ene node, gelezen op de andere."])
    digest = hashlib.sha256(content).hexdigest()
    (tmp_path / "a").mkdir()
    with own_database(tmp_path / "a", BUNDLE_CACHE_FOLDER=str(tmp_path / "a" / "bundels")) as node_a:
        # A second app on the same database, with nothing on disk in common with the first.
        node_b = throwaway.app_on(node_a.config["DATABASE_URL"], tmp_path / "b")
        try:
            meeting_id, item_id = _march(node_a)
            response = _signed_in(node_a, SEC).post_form(
                f"/vergaderingen/{meeting_id}/documenten/nieuw?agendapunt={item_id}",
                {"file": [(io.BytesIO(content), "node-a.pdf")], "title": "Stuk van node A"},
                content_type="multipart/form-data",
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            with node_a.app_context():
                document_id = db.session.scalars(select(Document.id).where(Document.sha256 == digest)).one()
                db.session.remove()

            reader = _signed_in(node_b, REGIO)
            download = reader.get(f"/documenten/{document_id}/download")
            assert download.status_code == 200
            assert download.data == content, "node B serves node A's upload, byte for byte"
            bundle = reader.get(f"/vergaderingen/{meeting_id}/vergaderbundel.zip")
            with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
                assert content in [archive.read(name) for name in archive.namelist()], "and puts it in the bundle"
            bundle.close()
            assert list((tmp_path / "a").rglob(digest)) == [], "no node keeps the file on its own disk"
        finally:
            with node_b.app_context():
                db.engine.dispose()


def test_a_file_is_stored_in_its_document_s_transaction_and_goes_with_it(app):
    content = text_pdf("Teruggedraaid", ["Deze upload wordt teruggedraaid."])
    digest = hashlib.sha256(content).hexdigest()
    march = _march(app)
    with app.app_context():
        _add_to(march, "Teruggedraaid", "terug.pdf", content)
        db.session.flush()
        assert storage.read(digest) == content
        db.session.rollback()
        assert not storage.is_stored(digest), "the failed transaction took the content along"
        assert db.session.scalar(select(func.count()).where(Document.sha256 == digest)) == 0
        db.session.remove()


def test_the_same_file_twice_is_kept_once(app):
    content = text_pdf("Tweemaal", ["Tweemaal geüpload."])
    march = _march(app)
    with in_app(app):
        for title in ("Eerste", "Tweede"):
            _add_to(march, title, "x.pdf", content)
        db.session.flush()
        digest = hashlib.sha256(content).hexdigest()
        assert db.session.scalar(select(func.count()).where(StoredFile.sha256 == digest)) == 1
        assert db.session.scalar(select(func.count()).where(Document.sha256 == digest)) == 2


def test_a_download_leaves_in_pieces_and_whole(app, clients, monkeypatch):
    monkeypatch.setattr(storage, "PIECE", 500)
    content = text_pdf("In stukjes", [f"Regel {n} van een lang verslag." for n in range(400)])
    assert len(content) > 3 * storage.PIECE
    march = _march(app)
    with in_app(app):
        document = _add_to(march, "In stukjes", "stukjes.pdf", content)
        db.session.flush()
        document_id = document.id
    reader = clients(REGIO)
    response = reader.get(f"/documenten/{document_id}/download", buffered=False)
    pieces = list(response.response)
    response.close()
    assert len(pieces) == -(-len(content) // 500), "one piece per PIECE bytes, read as they are sent"
    assert b"".join(pieces) == content
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Content-Disposition"] == 'inline; filename="In stukjes.pdf"'
    again = reader.get(f"/documenten/{document_id}/download", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.own_database
def test_the_migration_moves_the_files_from_the_instance_folder_and_names_a_missing_one(tmp_path: Path, capfd):
    folder = tmp_path / "documents"
    with own_database(tmp_path, UPLOAD_FOLDER=str(folder)) as app, app.app_context():
        named = set(db.session.scalars(select(Document.sha256).union(select(CaseAttachment.sha256))))
        assert named, "the demo has documents"
        # The read above holds a lock on documents until its transaction ends; on PostgreSQL the
        # downgrade's ALTER TABLE would wait for it forever (it did, until CI's time ran out).
        db.session.remove()
        # Back to files under the instance folder, as before; one of them then goes missing.
        downgrade(revision=BEFORE_STORED_FILES)
        on_disk = {path.name: path for path in folder.glob("*/*")}
        assert set(on_disk) >= named
        lost = sorted(named)[0]
        on_disk[lost].unlink()
        db.session.remove()

        capfd.readouterr()
        upgrade()  # alembic's log goes to stderr (migrations/alembic.ini)
        log = capfd.readouterr().err

        stored = {digest: size for digest, size in db.session.execute(select(StoredFile.sha256, StoredFile.size))}
        assert set(stored) == named - {lost}
        assert all(stored[d] == on_disk[d].stat().st_size for d in stored)
        assert any(lost in line and "missing" in line for line in log.splitlines()), log
        assert db.session.scalar(select(func.count()).where(Document.sha256 == lost)), "its document stays"
        assert storage.read(sorted(named - {lost})[0]) == on_disk[sorted(named - {lost})[0]].read_bytes()
        db.session.remove()
