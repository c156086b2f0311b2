"""The database layer: SQLite settings on every connection, UTC times, the service door for writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from core.extensions import db
from meetings.models import Meeting
from tests.conftest import in_app


def test_every_connection_is_configured_for_its_database(app):
    """SQLite: WAL, foreign keys and a busy timeout. PostgreSQL: the session speaks UTC."""
    with app.app_context(), db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        else:
            assert connection.execute(text("SHOW timezone")).scalar().upper() == "UTC"


def test_times_are_stored_in_utc_and_shown_in_amsterdam(app, clients):
    """The BO-Brainport of 14 March 2023 began at 13:00 in The Hague (CET): 12:00 UTC."""
    with in_app(app):
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")).one()
        assert meeting.starts_at == datetime(2023, 3, 14, 12, 0, tzinfo=UTC)
        assert meeting.starts_at.utcoffset() == timedelta(0)
        raw = db.session.execute(text("SELECT starts_at FROM meetings WHERE id = :id"), {"id": meeting.id}).scalar()
    assert str(raw).startswith("2023-03-14 12:00")
    page = clients("beleid@ezk.test").get(f"/vergaderingen/{meeting.id}").get_data(as_text=True)
    assert "14 maart 2023, 13:00" in page


def test_a_naive_datetime_is_refused(app):
    from core.db import UTCDateTime

    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2023, 3, 14, 12), db)


def test_an_aware_time_round_trips_as_utc(app):
    from core.db import UTCDateTime

    class SQLite:
        name = "sqlite"

    kind = UTCDateTime()
    moment = datetime(2023, 3, 14, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    stored = kind.process_bind_param(moment, SQLite())
    assert stored == datetime(2023, 3, 14, 12, 0)
    assert kind.process_result_value(stored, SQLite()) == datetime(2023, 3, 14, 12, 0, tzinfo=UTC)
