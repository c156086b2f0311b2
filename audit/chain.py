"""The hash chain: every audit record seals its own content and the record before it.

A record's hash is SHA-256 over a canonical serialisation (sorted-key JSON, no spaces, UTF-8) of its
content fields and the previous record's hash. Sequence numbers run 1, 2, 3, … without gaps, and the
chain head (one row, ``audit_chain``) holds the last number and hash. Changing, removing, inserting or
reordering a record breaks a hash, a link or the numbering; ``verify`` finds the first place it broke.

Appends are serialised: the head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
writing transaction already holds the database's write lock), so two writers never extend the same
head. The hashes are not keyed: someone who can rewrite the whole table can recompute them. Against
that, hand the head hash to someone else (every export's manifest carries it) and compare later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from audit.models import AuditRecord, chain_head

GENESIS = "0" * 64

#: The fields a record's hash covers, in the canonical form's (sorted) order.
SEALED = (
    "action",
    "actor_label",
    "actor_organisation",
    "actor_user_id",
    "audience",
    "body_id",
    "changes",
    "id",
    "main_object",
    "object_id",
    "object_label",
    "object_type",
    "occurred_at",
    "origin",
    "prev_hash",
    "reason",
    "result",
    "service",
)
#: Fields added to records later: sealed when present, so that the records before them still verify.
SEALED_WHEN_SET = ("visibility",)


def _plain(name: str, value: Any) -> Any:
    if name == "occurred_at" and isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical(record: dict[str, Any]) -> bytes:
    """The bytes a record's hash is taken over."""
    content = {name: _plain(name, record.get(name)) for name in SEALED}
    content.update({name: record[name] for name in SEALED_WHEN_SET if record.get(name) is not None})
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def seal(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def append_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Number, link and seal ``rows`` after the current head, insert them and move the head."""
    seq, previous = connection.execute(
        select(chain_head.c.seq, chain_head.c.head).where(chain_head.c.id == 1).with_for_update()
    ).one()
    for row in rows:
        seq += 1
        row["id"] = seq
        row["prev_hash"] = previous
        row.setdefault("result", None)
        row.setdefault("main_object", None)
        row.setdefault("visibility", None)
        row["hash"] = previous = seal(row)
    connection.execute(insert(AuditRecord.__table__), rows)  # type: ignore[arg-type]
    connection.execute(update(chain_head).where(chain_head.c.id == 1).values(seq=seq, head=previous))


def head(connection: Connection) -> tuple[int, str]:
    """The number and hash of the last record."""
    seq, value = connection.execute(select(chain_head.c.seq, chain_head.c.head).where(chain_head.c.id == 1)).one()
    return int(seq), str(value)


@dataclass(frozen=True)
class Verdict:
    intact: bool
    records: int
    head: str
    #: The first sequence number at which the chain is broken, and how.
    broken_at: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        if self.intact:
            return f"Auditketen intact: {self.records} records, kop {self.head}"
        return f"Auditketen gebroken bij record {self.broken_at}: {self.problem}"


def _records(connection: Connection, batch: int) -> Generator[dict[str, Any], None, None]:
    # On the statement, not the connection: Connection.execution_options changes the connection itself.
    result = connection.execute(select(AuditRecord.__table__).order_by("id").execution_options(yield_per=batch))
    try:
        for row in result.mappings():
            yield dict(row)
    finally:
        result.close()  # a walk that stops at a break must not leave the server-side cursor open


def verify(connection: Connection, progress: Callable[[int], None] | None = None, batch: int = 2000) -> Verdict:
    """Walk the chain from the first record; the first break, or that it is intact. Constant memory."""
    records = _records(connection, batch)
    try:
        return _walk(connection, records, progress, batch)
    finally:
        records.close()


def _walk(
    connection: Connection, records: Iterator[dict[str, Any]], progress: Callable[[int], None] | None, batch: int
) -> Verdict:
    expected, previous, count = 1, GENESIS, 0
    for record in records:
        if record["id"] != expected:
            return Verdict(False, count, previous, expected, "dit record ontbreekt (verwijderd of omgenummerd)")
        if record["prev_hash"] != previous:
            return Verdict(False, count, previous, expected, "de schakel naar het vorige record klopt niet")
        if seal(record) != record["hash"]:
            return Verdict(False, count, previous, expected, "de inhoud is gewijzigd")
        previous, expected, count = record["hash"], expected + 1, count + 1
        if progress is not None and count % batch == 0:
            progress(count)
    head_seq, head_hash = head(connection)
    if head_seq != count or head_hash != previous:
        where = min(head_seq, count) + 1
        return Verdict(
            False, count, previous, where, "het einde van de keten klopt niet met de kop (records weg of erbij)"
        )
    return Verdict(True, count, previous)
