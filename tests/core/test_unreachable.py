"""The database unreachable: pages answer with a Dutch 503 page, /healthz with 503, nothing is half-stored,
and once the database answers again everything works without a restart, the user still signed in."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from audit.models import AuditRecord
from core import create_app
from core.extensions import db
from meetings.models import AgendaItem, Meeting
from tests.conftest import in_app
from tools.relay import Relay, relayed_url, target_of

SEC = "secretariaat@ezk.test"


@contextmanager
def outage(connection: Any, only: str | None = None) -> Iterator[None]:
    """Every statement on ``connection`` fails as when the server is gone (or only those starting with
    ``only``: the connection dropping halfway through a request's writes)."""

    def refuse(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if only is None or statement.lstrip().upper().startswith(only):
            raise OperationalError(statement, parameters, ConnectionRefusedError("connection refused"))

    event.listen(connection, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(connection, "before_cursor_execute", refuse)


def _counts(app: Any, title: str) -> tuple[int, int]:
    with in_app(app):
        items = db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.title == title)) or 0
        return items, db.session.scalar(select(func.count(AuditRecord.id))) or 0


def test_pages_give_a_dutch_503_and_the_app_recovers_when_the_database_is_back(app, clients, _rollback):
    sec = clients(SEC)
    with in_app(app):
        meeting_id = db.session.scalars(select(Meeting.id).where(Meeting.agenda_published_at.is_(None))).first()
    page = f"/vergaderingen/{meeting_id}"
    assert sec.get(page).status_code == 200
    token = sec.csrf_token()
    before = _counts(app, "Punt tijdens de storing")

    with outage(_rollback):
        down = sec.get(page)
        assert down.status_code == 503 and down.headers["Retry-After"] == "60"
        body = down.get_data(as_text=True)
        assert "Even niet beschikbaar" in body and "Er is niets opgeslagen" in body
        assert "Secretariaat BO-Brainport" not in body  # nobody was looked up
        posted = sec.post(
            f"/vergaderingen/{meeting_id}/agendapunten/nieuw",
            data={"title": "Punt tijdens de storing", "kind": "ter_bespreking", "csrf_token": token},
        )
        assert posted.status_code == 503
        health = sec.get("/healthz")
        assert health.status_code == 503
        assert health.json == {
            "status": "error",
            "database": "unreachable",
            "message": "De database is niet bereikbaar.",
        }

    assert sec.get("/healthz").status_code == 200
    back = sec.get(page)
    assert back.status_code == 200 and "Secretariaat BO-Brainport" in back.get_data(as_text=True)  # still signed in
    assert _counts(app, "Punt tijdens de storing") == before


def test_a_connection_lost_halfway_through_a_save_leaves_nothing_of_it(app, clients, _rollback):
    """The item's row is written, then the connection drops before its audit record: neither stays."""
    sec = clients(SEC)
    with in_app(app):
        meeting_id = db.session.scalars(select(Meeting.id).where(Meeting.agenda_published_at.is_(None))).first()
    token = sec.csrf_token()
    before = _counts(app, "Half opgeslagen punt")
    with outage(_rollback, only="INSERT INTO AUDIT_RECORDS"):
        posted = sec.post(
            f"/vergaderingen/{meeting_id}/agendapunten/nieuw",
            data={"title": "Half opgeslagen punt", "kind": "ter_bespreking", "csrf_token": token},
        )
    assert posted.status_code == 503
    assert _counts(app, "Half opgeslagen punt") == before


def test_a_connection_lost_during_the_commit_does_not_claim_that_nothing_was_stored(app, clients):
    """The COMMIT itself fails: it may have reached the server, whose answer never came back (drill-faults
    saw such writes stored). The page says so, and says to look before doing it again."""
    from core.db import AppSession

    sec = clients(SEC)
    with in_app(app):
        meeting_id = db.session.scalars(select(Meeting.id).where(Meeting.agenda_published_at.is_(None))).first()
    token = sec.csrf_token()

    def lost(_session: Any) -> None:
        raise OperationalError("COMMIT", {}, ConnectionResetError("connection reset by peer"))

    event.listen(AppSession, "before_commit", lost)
    try:
        posted = sec.post(
            f"/vergaderingen/{meeting_id}/agendapunten/nieuw",
            data={"title": "Punt bij het vastleggen", "kind": "ter_bespreking", "csrf_token": token},
        )
    finally:
        event.remove(AppSession, "before_commit", lost)
    body = posted.get_data(as_text=True)
    assert posted.status_code == 503
    assert "kan zijn opgeslagen of niet" in body and "Er is niets opgeslagen" not in body
    plain = sec.get(f"/vergaderingen/{meeting_id}")
    assert plain.status_code == 200  # the next request starts without the doubt


@pytest.mark.own_database
def test_on_postgresql_a_cut_network_gives_503_and_heals_without_a_restart():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("the network to a database server: PostgreSQL only (SQLite is a file)")
    relay = Relay(target_of(url)).start()
    relayed = relayed_url(url, relay)
    app = create_app({"DATABASE_URL": relayed, "REGIOTAFEL_ENV": "test", "TESTING": True})
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 200  # a pooled connection, through the relay
        relay.cut()
        down = client.get("/healthz")
        assert down.status_code == 503 and down.json["database"] == "unreachable"
        login = client.get("/auth/login")
        assert login.status_code in (200, 503)  # the sign-in page needs no database until a POST
        relay.restore()
        assert client.get("/healthz").status_code == 200  # the stale pooled connection is replaced
    finally:
        relay.close()
        with app.app_context():
            db.engine.dispose()


@pytest.mark.own_database
def test_a_connection_that_dies_before_the_request_ends_leaves_the_answer_as_it_was(tmp_path):
    """The page was made (or the redirect after a commit), then the connection dies before the session is
    closed: closing's rollback fails. The answer stands; it did not become gunicorn's bare 500 (found by
    ``make drill-faults``: a write stored and answered 500, cut between its commit and the request's end)."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.db'}", "REGIOTAFEL_ENV": "test", "TESTING": True})

    @app.get("/_proef")
    def probe() -> str:
        db.session.execute(select(1))
        return "gemaakt"

    engine = app.extensions["regiotafel.db"]
    real, gone = engine.dialect.do_rollback, [False]

    @app.after_request
    def cut(response: Any) -> Any:
        gone[0] = True  # the answer is made: from here on the connection is gone
        return response

    def rollback(dbapi_connection: Any) -> None:
        if gone[0]:
            raise sqlite3.OperationalError("disk I/O error: the connection is gone")
        real(dbapi_connection)

    engine.dialect.do_rollback = rollback
    try:
        answer = app.test_client().get("/_proef")
    finally:
        engine.dialect.do_rollback = real
    assert gone[0]
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "gemaakt"
    assert app.test_client().get("/_proef").status_code == 200  # a fresh session and connection
    with app.app_context():
        db.engine.dispose()
