"""The documents' storage full: documents live in the database, so a database that refuses the bytes (its
disk full, a limit reached) refuses the upload with a Dutch message next to the file field, and nothing of
the upload is recorded: no document, no stored bytes, no audit record."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from audit.models import AuditRecord
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import Document, Meeting, StoredFile
from tests.conftest import DEMO_PASSWORD, Client, in_app, own_database

SEC = "secretariaat@ezk.test"
FULL = "De opslag van Regiotafel is vol"


class _DiskFull(Exception):
    """What the drivers say: PostgreSQL's SQLSTATE 53100 (disk_full), SQLite's SQLITE_FULL."""

    sqlstate = "53100"
    sqlite_errorname = "SQLITE_FULL"


@contextmanager
def full_after(connection: Any, stored: int) -> Iterator[None]:
    """The database takes ``stored`` more files, then refuses the next one's bytes."""
    taken = [0]

    def refuse(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO STORED_FILES"):
            taken[0] += 1
            if taken[0] > stored:
                raise OperationalError(statement, parameters, _DiskFull("could not extend file: No space left"))

    event.listen(connection, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(connection, "before_cursor_execute", refuse)


def _state(app: Any) -> tuple[int, int, int]:
    with in_app(app):
        count = db.session.scalar
        return (
            count(select(func.count(Document.id))) or 0,
            count(select(func.count()).select_from(StoredFile)) or 0,
            count(select(func.count(AuditRecord.id))) or 0,
        )


def _upload(client: Any, meeting_id: int, files: list[tuple[bytes, str]]) -> Any:
    return client.post_form(
        f"/vergaderingen/{meeting_id}/documenten/nieuw",
        {"file": [(io.BytesIO(content), name) for content, name in files]},
        content_type="multipart/form-data",
    )


def _meeting(app: Any) -> int:
    with in_app(app):
        return int(db.session.scalars(select(Meeting.id).where(Meeting.agenda_published_at.is_(None))).first())


def test_an_upload_the_full_database_refuses_shows_a_message_at_the_field_and_records_nothing(app, clients, _rollback):
    sec, meeting_id = clients(SEC), _meeting(app)
    before = _state(app)
    files = [
        (text_pdf("Eerste stuk", ["Past nog."]), "eerste.pdf"),
        (text_pdf("Tweede stuk", ["Te veel."]), "tweede.pdf"),
    ]
    with full_after(_rollback, stored=1):  # the first file's bytes go in, the second's are refused
        refused = _upload(sec, meeting_id, files)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    field_error = page[page.index('id="file-fout"') :]
    assert FULL in field_error[: field_error.index("</p>")]
    assert _state(app) == before  # neither document, nor the first file's bytes, nor a record

    stored = _upload(sec, meeting_id, files)  # room again: the same upload goes through
    assert stored.status_code == 302
    assert _state(app)[0] == before[0] + 2


@pytest.mark.own_database
def test_on_sqlite_a_database_at_its_size_limit_stores_nothing_and_says_the_storage_is_full(tmp_path):
    """Not a simulation: SQLite itself says SQLITE_FULL when its file may grow no further, and then rolls
    the whole transaction back. The upload is refused (507, in Dutch), nothing of it stays, and the next
    upload, with room again, goes through."""
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("max_page_count is SQLite's")
    with own_database(tmp_path, on="sqlite", MAX_DOCUMENT_BYTES=512 * 1024) as app:
        app.test_client_class = Client
        sec: Client = app.test_client()  # type: ignore[assignment]
        assert sec.login(SEC, DEMO_PASSWORD).status_code == 302
        meeting_id = _meeting(app)
        before = _state(app)
        engine = app.extensions["regiotafel.db"]
        size = 400 * 1024  # bytes that do not compress

        @event.listens_for(engine, "connect")
        def _no_room(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages + 4}")
            cursor.close()

        engine.dispose()  # every connection from now on is one without room
        refused = _upload(sec, meeting_id, [(b"%PDF-1.4\n" + os.urandom(size), "groot.pdf")])
        event.remove(engine, "connect", _no_room)
        engine.dispose()
        assert refused.status_code == 507 and "De opslag van Regiotafel is vol" in refused.get_data(as_text=True)
        assert _state(app) == before
        assert _upload(sec, meeting_id, [(text_pdf("Klein stuk", ["Past."]), "klein.pdf")]).status_code == 302
