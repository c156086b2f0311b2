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
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, insert, select, update

from audit.models import AuditRecord, chain_head
from core.db import make_engine

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


MISSING = "dit record ontbreekt (verwijderd of omgenummerd)"
BROKEN_LINK = "de schakel naar het vorige record klopt niet"
CHANGED = "de inhoud is gewijzigd"
WRONG_END = "het einde van de keten klopt niet met de kop (records weg of erbij)"

#: The canonical form's encoder, made once (``json.dumps`` with options builds one per call).
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
#: JSON's C scanner, without the layers of Python around it in ``json.loads``.
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
#: What ``verify`` reads of each record, in this order: the sealed fields, then the hash.
_READ = (*SEALED, *SEALED_WHEN_SET, "hash")
_AT, _ID, _PREV = SEALED.index("occurred_at"), SEALED.index("id"), SEALED.index("prev_hash")
_JSON_COLUMNS = tuple(i for i, name in enumerate(_READ) if isinstance(AuditRecord.__table__.c[name].type, JSON))


def _load(text: str) -> Any:
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)  # json.loads says what is wrong with it


def _moment(value: Any) -> Any:
    """``_plain`` of a moment as the driver hands it over: SQLite's text (UTC, as the app writes it), or a
    datetime. The text the app writes has one shape; anything else goes the long way, as a datetime."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    return _plain("occurred_at", value)


def _rows(
    connection: Connection, batch: int, *, low: int | None = None, end: int | None = None
) -> Generator[Sequence[Any], None, None]:
    """The records as the driver's own rows in ``_READ`` order, oldest first, a batch at a time (on
    PostgreSQL a server-side cursor). Not through SQLAlchemy's result: at a million records, every step
    taken per row costs a second, and its type processing was most of them. ``low`` and ``end``: only
    the records numbered from ``low`` up to (not including) ``end``."""
    raw: Any = connection.connection.dbapi_connection
    postgresql = connection.dialect.name == "postgresql"
    mark = "%s" if postgresql else "?"
    bounds = [(f"id >= {mark}", low), (f"id < {mark}", end)]
    where = " AND ".join(clause for clause, value in bounds if value is not None) or "TRUE"
    parameters = [value for _clause, value in bounds if value is not None]
    sql = f"SELECT {', '.join(_READ)} FROM {AuditRecord.__tablename__} WHERE {where} ORDER BY id"
    if postgresql:
        from psycopg.types.json import set_json_loads

        cursor = raw.cursor(name="audit_verify")
        set_json_loads(lambda data: _load(data if isinstance(data, str) else bytes(data).decode()), cursor)
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql, parameters)
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()  # a walk that stops at a break must not leave the server-side cursor open


def verify(connection: Connection, progress: Callable[[int], None] | None = None, batch: int = 5000) -> Verdict:
    """Walk the chain from the first record; the first break, or that it is intact. Constant memory."""
    rows = _rows(connection, batch)
    try:
        walked = _walk(rows, progress, batch, parse=connection.dialect.name != "postgresql")
    finally:
        rows.close()
    return walked.broken or _against_head(connection, walked.records, walked.last)


@dataclass(frozen=True)
class _Walked:
    """What a walk over consecutive records found: how many verified, the hash of the last, the number it
    expected next, and the first break (its ``records`` and ``head`` counted from where the walk began)."""

    records: int
    last: str
    next_id: int
    broken: Verdict | None = None
    #: A stretch's first record, for the seam: its number and its link to the record before it (``None``
    #: when the stretch held no record).
    first_id: int | None = None
    first_prev: str | None = None
    #: The last stretch's: the chain's head as it read it, in the same snapshot as its records.
    head: tuple[int, str] | None = None


def _walk(
    rows: Iterator[Sequence[Any]],
    progress: Callable[[int], None] | None,
    batch: int,
    *,
    parse: bool,
    expected: int = 1,
    previous: str = GENESIS,
) -> _Walked:
    """``canonical`` and ``seal`` in a tight loop: the same bytes, from the row as it comes. ``parse``: the
    driver hands JSON over as text (SQLite); PostgreSQL's driver has parsed it already."""
    count = 0
    sealed, n, sha256, encode = SEALED, len(SEALED), hashlib.sha256, _ENCODE
    json_columns = _JSON_COLUMNS if parse else ()
    late = tuple(enumerate(SEALED_WHEN_SET, start=n))
    problem = None
    for row in rows:
        if row[_ID] != expected:
            problem = MISSING
            break
        if row[_PREV] != previous:
            problem = BROKEN_LINK
            break
        if json_columns:
            row = list(row)
            for i in json_columns:
                if row[i] is not None:
                    row[i] = _load(row[i])
        content = dict(zip(sealed, row[:n], strict=True))
        content["occurred_at"] = _moment(row[_AT])
        for i, name in late:
            if row[i] is not None:
                content[name] = row[i]
        record_hash = row[-1]
        if sha256(encode(content).encode("utf-8")).hexdigest() != record_hash:
            problem = CHANGED
            break
        previous, expected, count = record_hash, expected + 1, count + 1
        if progress is not None and count % batch == 0:
            progress(count)
    broken = Verdict(False, count, previous, expected, problem) if problem else None
    return _Walked(count, previous, expected, broken)


def consistent(connection: Connection) -> Connection:
    """``connection``, reading one snapshot from its next transaction on, so that the head and the records
    agree while the app goes on appending: a SQLite transaction is one already, PostgreSQL's default
    (READ COMMITTED) takes a new one at every statement."""
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


def _against_head(connection: Connection, records: int, last: str) -> Verdict:
    """The walk reached the end: it must end where the head says."""
    return _against(head(connection), records, last)


def _against(chain_head: tuple[int, str], records: int, last: str) -> Verdict:
    head_seq, head_hash = chain_head
    if head_seq != records or head_hash != last:
        return Verdict(False, records, last, min(head_seq, records) + 1, WRONG_END)
    return Verdict(True, records, last)


# --- in parallel ---------------------------------------------------------------------------------

#: Records per stretch when the chain is walked in parallel: small enough for a progress bar that moves,
#: large enough that starting a stretch (a query, a process's first rows) is lost in the walking.
STRETCH = 100_000


def verify_in_parallel(
    url: str,
    *,
    workers: int,
    stretch: int = STRETCH,
    progress: Callable[[int], None] | None = None,
    batch: int = 5000,
) -> Verdict:
    """``verify``, the chain cut into stretches of consecutive numbers that ``workers`` processes walk at
    once; the seams (each stretch's first link to the last hash of the one before) are checked after,
    in order, so the verdict is the one a single walk from the first record gives. ``url``: the
    database's, for each process to connect to (so: committed records only)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            total, _hash = head(connection)
            starts = list(range(1, total + 1, stretch)) or [1]
            # The first stretch has no lower bound and the last no upper one: a record numbered outside
            # 1..head (renumbered, or added behind the head's back) is still walked over.
            bounds = [
                (first, None if i == 0 else first, starts[i + 1] if i + 1 < len(starts) else None)
                for i, first in enumerate(starts)
            ]
            # Spawned, not forked: a forked process would share this one's database connections.
            with ProcessPoolExecutor(min(workers, len(bounds)), mp_context=get_context("spawn")) as pool:
                futures = [pool.submit(_walk_stretch, url, *bound, batch) for bound in bounds]
                walked, done = [], 0
                for future in futures:
                    walked.append(future.result())
                    done += walked[-1].records
                    if progress is not None:
                        progress(done)
            return _joined([(first, end) for first, _low, end in bounds], walked)
    finally:
        engine.dispose()


def _walk_stretch(url: str, expected: int, low: int | None, end: int | None, batch: int) -> _Walked:
    """One process's share: the records numbered from ``low`` up to ``end`` (``None``: no bound), which
    should start at ``expected``; their own links and hashes. The first record's link is the seam's. The
    last stretch also reads the head, in the snapshot of its records: what was appended after the walk
    began is in both or in neither."""
    from itertools import chain

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            consistent(connection).begin()
            rows = _rows(connection, batch, low=low, end=end)
            try:
                first = next(rows, None)
                walked = _Walked(0, GENESIS, expected)
                if first is not None:
                    parse = connection.dialect.name != "postgresql"
                    walked = _walk(
                        chain([first], rows), None, batch, parse=parse, expected=expected, previous=first[_PREV]
                    )
            finally:
                rows.close()
            chain_head = head(connection) if end is None else None
        if first is None:
            return _Walked(0, GENESIS, expected, head=chain_head)
        return _Walked(walked.records, walked.last, walked.next_id, walked.broken, first[_ID], first[_PREV], chain_head)
    finally:
        engine.dispose()


def _joined(bounds: list[tuple[int, int | None]], walked: list[_Walked]) -> Verdict:
    """The stretches' findings, in order, as one walk from the first record finds them (against the head
    the last stretch read)."""
    final = walked[-1].head
    assert final is not None, "the last stretch reads the head"
    records, previous = 0, GENESIS
    for index, ((first, end), part) in enumerate(zip(bounds, walked, strict=True)):
        more = any(later.first_id is not None for later in walked[index + 1 :])
        if part.first_id is None:  # no record here: a gap when any follow, else the chain ends
            if more:
                return Verdict(False, records, previous, first, MISSING)
            break
        if part.first_id != first:
            return Verdict(False, records, previous, first, MISSING)
        if part.first_prev != previous:
            return Verdict(False, records, previous, first, BROKEN_LINK)
        if part.broken is not None:
            broken = part.broken
            return Verdict(False, records + broken.records, broken.head, broken.broken_at, broken.problem)
        records, previous = records + part.records, part.last
        if end is not None and part.next_id != end:  # the stretch's last records are gone
            if more:
                return Verdict(False, records, previous, part.next_id, MISSING)
            break
    return _against(final, records, previous)
