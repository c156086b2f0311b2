"""The scheduler keeps SQLite's planner statistics: taken when there are none, again when the data has
grown by a tenth; PostgreSQL keeps its own."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from audit.chain import append_rows
from audit.models import AuditRecord
from core import planner
from core.extensions import db
from tests.conftest import own_database


def _statistics(connection) -> int | None:
    if not connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        return None
    return connection.execute(
        text("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = 'audit_records' LIMIT 1")
    ).scalar()


@pytest.mark.own_database
def test_statistics_are_taken_when_missing_and_again_when_the_data_has_grown(tmp_path, monkeypatch):
    with own_database(tmp_path) as app, app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert planner.refresh_statistics("test").startswith("niet nodig")
            return
        with db.engine.connect() as connection:
            assert _statistics(connection) is None
            records = connection.execute(text("SELECT max(id) FROM audit_records")).scalar_one()
        assert planner.refresh_statistics("test") == "statistieken vernieuwd"
        with db.engine.connect() as connection:
            assert _statistics(connection) == records
        # The trail is the largest table, and the one the job watches.
        assert (
            planner.refresh_statistics("test")
            == f"statistieken bij (audit_records: {records} rijen toen, {records} nu)"
        )

        monkeypatch.setattr(planner, "GROWTH", 0)
        with db.engine.begin() as connection:
            last = connection.execute(select(AuditRecord.__table__).order_by(AuditRecord.id.desc())).mappings().first()
            append_rows(connection, [{k: v for k, v in dict(last).items() if k not in ("id", "prev_hash", "hash")}])
        assert planner.refresh_statistics("test") == "statistieken vernieuwd"
        with db.engine.connect() as connection:
            assert _statistics(connection) == records + 1
