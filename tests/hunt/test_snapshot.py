"""The long hunt's way on PostgreSQL (``tests/hunt/snapshot.py``): a run commits, and afterwards every
table holds exactly the rows it held before, the audit chain verifies and the app writes on."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from audit.chain import verify
from core.acting import origin
from core.extensions import db
from tests.conftest import new_action, own_database, postgres_server
from tests.hunt.snapshot import Snapshot

pytestmark = pytest.mark.own_database


def contents(engine: Engine, snapshot: Snapshot) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            name: sorted(
                connection.execute(text(f'SELECT {", ".join(snapshot.columns[name])} FROM "{name}"')).all(), key=repr
            )
            for name in snapshot.tables
        }


def act(app: Any) -> int:
    """One committed write the way a run makes them: an actiepunt, audited (the chain's head moves)."""
    with app.app_context(), origin("test"):
        case_id = new_action(title="Laadpalen bij de stations").id
        db.session.commit()
        db.session.remove()
        return case_id


def test_a_committed_run_is_put_back_to_the_row(tmp_path):
    with own_database(tmp_path, on=postgres_server()) as app, app.app_context():
        snapshot = Snapshot(db.engine)
        snapshot.take()
        try:
            before = contents(db.engine, snapshot)
            first = act(app)
            assert contents(db.engine, snapshot) != before
            snapshot.restore()
            assert contents(db.engine, snapshot) == before
            with db.engine.connect() as connection:
                assert verify(connection).intact
            # The app goes on as after any rollback: a new id (never one handed out before) and a chain
            # that still verifies.
            assert act(app) > first
            with db.engine.connect() as connection:
                assert verify(connection).intact
        finally:
            snapshot.drop()
