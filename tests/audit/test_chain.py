"""The audit trail is append-only and sealed: the database refuses change, and ``audit verify`` finds
any record edited, removed, reordered or inserted behind its back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from audit.chain import verify
from audit.models import AuditRecord
from core.extensions import db
from tests.conftest import own_database

TRIGGERS = ("audit_records_no_update", "audit_records_no_delete")


def drop_triggers(connection: Any) -> None:
    """What an administrator with database access could do first."""
    for trigger in TRIGGERS:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"DROP TRIGGER {trigger} ON audit_records"))
        else:
            connection.execute(text(f"DROP TRIGGER {trigger}"))


@pytest.fixture
def chain(app, _rollback):
    """The test's own connection: tampering here is rolled back with the test, triggers included."""
    with app.app_context():
        yield _rollback


def test_the_demos_chain_is_intact(chain):
    verdict = verify(chain)
    assert verdict.intact and verdict.records > 200, verdict.summary()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_records SET reason = 'weg' WHERE id = 3", "DELETE FROM audit_records WHERE id = 3"]
)
def test_the_database_refuses_update_and_delete(chain, statement):
    savepoint = chain.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        chain.execute(text(statement))
    savepoint.rollback()
    assert verify(chain).intact


@pytest.mark.parametrize(
    ("tampering", "broken_at", "problem"),
    [
        ("UPDATE audit_records SET actor_label = 'iemand anders' WHERE id = 17", 17, "inhoud"),
        ("DELETE FROM audit_records WHERE id = 40", 40, "ontbreekt"),
    ],
    ids=["edited", "deleted"],
)
def test_an_edited_or_deleted_record_is_found(chain, tampering, broken_at, problem):
    drop_triggers(chain)
    chain.execute(text(tampering))
    verdict = verify(chain)
    assert (verdict.intact, verdict.broken_at) == (False, broken_at) and problem in verdict.problem


def test_an_edited_record_with_a_recomputed_hash_breaks_the_next_link(chain):
    from audit.chain import seal

    drop_triggers(chain)
    row = dict(chain.execute(select(AuditRecord.__table__).where(AuditRecord.id == 17)).mappings().one())
    row["reason"] = "achteraf verzonnen"
    chain.execute(
        text("UPDATE audit_records SET reason = :r, hash = :h WHERE id = 17"), {"r": row["reason"], "h": seal(row)}
    )
    verdict = verify(chain)
    assert (verdict.intact, verdict.broken_at) == (False, 18) and "schakel" in verdict.problem


def test_two_swapped_records_are_found(chain):
    drop_triggers(chain)
    chain.execute(text("UPDATE audit_records SET id = -60 WHERE id = 60"))
    chain.execute(text("UPDATE audit_records SET id = 60 WHERE id = 61"))
    chain.execute(text("UPDATE audit_records SET id = 61 WHERE id = -60"))
    verdict = verify(chain)
    assert (verdict.intact, verdict.broken_at) == (False, 60)


def test_an_inserted_record_is_found(chain):
    last = chain.execute(text("SELECT max(id) FROM audit_records")).scalar()
    row = dict(chain.execute(text("SELECT * FROM audit_records WHERE id = :id"), {"id": last}).mappings().one())
    columns = ", ".join(k for k in row)
    values = ", ".join(f":{k}" for k in row)
    forged = {**row, "id": last + 1, "prev_hash": row["hash"], "object_label": "ingevoegd"}
    for key in ("changes", "origin", "visibility"):
        forged[key] = forged[key] if isinstance(forged[key], str | None) else json.dumps(forged[key])
    chain.execute(text(f"INSERT INTO audit_records ({columns}) VALUES ({values})"), forged)
    verdict = verify(chain)
    assert (verdict.intact, verdict.broken_at) == (False, last + 1)


def test_a_record_removed_from_the_end_is_found(chain):
    drop_triggers(chain)
    last = chain.execute(text("SELECT max(id) FROM audit_records")).scalar()
    chain.execute(text("DELETE FROM audit_records WHERE id = :id"), {"id": last})
    verdict = verify(chain)
    assert (verdict.intact, verdict.broken_at) == (False, last)


def test_records_sealed_with_the_former_dutch_origin_keys_verify_and_keep_them(chain):
    """Records written before the origin keys became English keep their Dutch keys: renaming a key in a
    stored record is an edit, and ``verify`` finds it."""
    from audit.chain import append_rows
    from core.acting import FORMER_ORIGIN_KEYS, current_origin, origin_value

    last = dict(chain.execute(select(AuditRecord.__table__).order_by(AuditRecord.id.desc()).limit(1)).mappings().one())
    content = {k: v for k, v in last.items() if k not in ("id", "prev_hash", "hash")}
    former = {"bron": "web", "methode": "POST", "pad": "/mijlpalen/1", "adres": "127.0.0.1"}
    current = {"source": "web", "method": "POST", "path": "/mijlpalen/1", "address": "127.0.0.1"}
    append_rows(chain, [{**content, "origin": former}, {**content, "origin": current}])
    verdict = verify(chain)
    assert verdict.intact, verdict.summary()
    old_id = verdict.records - 1
    stored = [
        chain.execute(select(AuditRecord.origin).where(AuditRecord.id == n)).scalar_one() for n in (old_id, old_id + 1)
    ]
    assert stored == [former, current]
    for origin in stored:
        assert {key: origin_value(origin, key) for key in FORMER_ORIGIN_KEYS} == current
    assert set(current_origin()) == {"source"}  # outside a request: the command's name, under the English key

    drop_triggers(chain)
    chain.execute(text("UPDATE audit_records SET origin = :o WHERE id = :id"), {"o": json.dumps(current), "id": old_id})
    verdict = verify(chain)
    assert (verdict.intact, verdict.broken_at) == (False, old_id) and "inhoud" in verdict.problem


# --- on a database of its own: the command line and concurrent writers ----------------------------


@pytest.mark.own_database
def test_audit_verify_exits_0_when_intact_and_1_naming_the_record_when_not(tmp_path):
    with own_database(tmp_path) as app:
        runner = app.test_cli_runner()
        for workers in ("1", "2"):  # one walk, or stretches in processes of their own
            intact = runner.invoke(args=["audit", "verify", "--workers", workers])
            assert intact.exit_code == 0 and "Auditketen intact" in intact.output and "kop " in intact.output
        with app.app_context(), db.engine.begin() as connection:
            drop_triggers(connection)
            connection.execute(text("UPDATE audit_records SET object_label = 'vervalst' WHERE id = 25"))
        for workers in ("1", "2"):
            broken = runner.invoke(args=["audit", "verify", "--workers", workers])
            assert broken.exit_code == 1 and "gebroken bij record 25" in broken.output


@pytest.mark.own_database
def test_eight_writers_at_once_leave_one_chain_that_verifies(tmp_path):
    """Eight threads add twelve notes each at the same moment: every note is stored, with its record,
    in one chain that verifies. (How many a second get in: ``make bench-chain``.)"""
    from bench.audit_chain import at_once, write_note
    from meetings.models import Note

    writers, each = 8, 12
    with own_database(tmp_path) as app:
        with app.app_context():
            before = verify(db.session.connection()).records
            db.session.remove()

        def notes_of(writer: int) -> None:
            for k in range(each):
                write_note(app, writer, k)

        failures = at_once(writers, notes_of)
        assert not failures, failures[:3]
        with app.app_context(), db.engine.connect() as connection:
            verdict = verify(connection)
            written = select(Note.id).where(Note.title.like("Schrijver %"))
            stored = connection.scalar(select(func.count()).select_from(written.subquery()))
            recorded = connection.scalar(
                select(func.count(AuditRecord.id)).where(
                    AuditRecord.object_type == "notes",
                    AuditRecord.action == "create",
                    AuditRecord.object_id.in_(written),
                )
            )
        assert verdict.intact, verdict.summary()
        assert stored == recorded == writers * each
        assert verdict.records >= before + writers * each, verdict.summary()


#: Ways to tamper, around the seams of stretches of ten (11, 21, 31, … begin one): what ``verify`` in
#: parallel must find exactly as one walk from the first record does.
TAMPERINGS = {
    "intact": [],
    "edited": ["UPDATE audit_records SET actor_label = 'iemand anders' WHERE id = 17"],
    "first of a stretch edited": ["UPDATE audit_records SET reason = 'achteraf' WHERE id = 31"],
    "first record deleted": ["DELETE FROM audit_records WHERE id = 1"],
    "deleted at a seam": ["DELETE FROM audit_records WHERE id = 21"],
    "deleted before a seam": ["DELETE FROM audit_records WHERE id = 20"],
    "a whole stretch deleted": ["DELETE FROM audit_records WHERE id BETWEEN 21 AND 30"],
    "the end deleted": ["DELETE FROM audit_records WHERE id > (SELECT max(id) - 3 FROM audit_records)"],
    "renumbered below one": ["UPDATE audit_records SET id = -5 WHERE id = 5"],
    "swapped across a seam": [
        "UPDATE audit_records SET id = -20 WHERE id = 20",
        "UPDATE audit_records SET id = 20 WHERE id = 21",
        "UPDATE audit_records SET id = 21 WHERE id = -20",
    ],
    "a seam's record sealed again": ["SEAL 20"],
    "added behind the head": ["APPEND"],
}


@pytest.mark.own_database
def test_verify_in_parallel_finds_what_one_walk_finds(tmp_path):
    """Stretches walked by other processes, joined at their seams, give the same verdict as one walk:
    the same record, the same problem, the same count and hash before it."""
    from audit.chain import seal, verify_in_parallel

    with own_database(tmp_path) as app, app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        table = AuditRecord.__table__
        with db.engine.begin() as connection:
            drop_triggers(connection)
            original = [dict(row) for row in connection.execute(select(table).order_by(table.c.id)).mappings()]
        assert len(original) > 60
        verdicts = {}
        for name, statements in TAMPERINGS.items():
            with db.engine.begin() as connection:
                for statement in statements:
                    if statement == "APPEND":  # sealed and linked as the app would, but the head not moved
                        last = original[-1]
                        extra = {**last, "id": last["id"] + 1, "prev_hash": last["hash"], "reason": "erbij"}
                        connection.execute(table.insert(), [{**extra, "hash": seal(extra)}])
                    elif statement.startswith("SEAL"):
                        row = {**original[int(statement.split()[1]) - 1], "reason": "achteraf verzonnen"}
                        connection.execute(
                            table.update().where(table.c.id == row["id"]).values(reason=row["reason"], hash=seal(row))
                        )
                    else:
                        connection.execute(text(statement))
            with db.engine.connect() as connection:
                alone = verify(connection)
            together = verify_in_parallel(url, workers=2, stretch=10)
            assert together == alone, name
            verdicts[name] = alone
            with db.engine.begin() as connection:
                connection.execute(table.delete())
                connection.execute(table.insert(), original)
    assert verdicts.pop("intact").intact
    assert {name: verdict.intact for name, verdict in verdicts.items()} == dict.fromkeys(verdicts, False)
    assert (verdicts["a whole stretch deleted"].broken_at, verdicts["a seam's record sealed again"].broken_at) == (
        21,
        21,
    )


@pytest.mark.own_database
def test_verify_in_parallel_is_not_misled_by_records_appended_while_it_walks(tmp_path):
    """The app goes on writing during a verify: records appended after it began are in the last
    stretch's snapshot and in the head it compares with, or in neither; never "records erbij"."""
    import threading

    from audit.chain import append_rows, head, verify_in_parallel

    with own_database(tmp_path) as app, app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        table = AuditRecord.__table__
        with db.engine.connect() as connection:
            last = dict(connection.execute(select(table).order_by(table.c.id.desc())).mappings().first())
            before, _hash = head(connection)
        content = {k: v for k, v in last.items() if k not in ("id", "prev_hash", "hash")}
        stop, engine = threading.Event(), db.engine

        def keep_appending() -> None:  # as another process of the app would, outside this app context
            while not stop.is_set():
                with engine.begin() as connection:
                    append_rows(connection, [dict(content)])
                stop.wait(0.01)

        writer = threading.Thread(target=keep_appending)
        writer.start()
        try:
            verdict = verify_in_parallel(url, workers=2, stretch=50)
        finally:
            stop.set()
            writer.join()
        with db.engine.connect() as connection:
            after, _hash = head(connection)
    assert verdict.intact, verdict.summary()
    assert before < after, "nothing was appended while it walked: the test shows nothing"
