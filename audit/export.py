"""Exports of the audit trail (CSV or JSON Lines), streamed in constant memory, with a manifest.

Records are read in batches on a server-side cursor, filtered by what the reader may read (the
policy's ``readable_records``), written out, and forgotten. The manifest states how many records the
file holds, their first and last sequence numbers, the chain's head at the time of the export (number
and hash), and the SHA-256 of the file itself, so that a recipient can check the file, and check the
records' hashes against a later ``audit verify`` of the whole chain.

JSON Lines holds every value exactly as recorded. The CSV is for opening in a spreadsheet: text that
one would run as a formula (a reason or a title typed by a participant) gets the apostrophe that all
our tables give it (``core.spreadsheet.safe_text``). Check records against their hashes in JSON Lines.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, or_, select

from audit.chain import head
from audit.events import record_event
from audit.models import AuditRecord
from audit.services import model_for_table, readable_rows
from core.dates import AMSTERDAM, now
from core.extensions import db
from core.spreadsheet import safe_text

BATCH = 1000
FORMATS = ("csv", "jsonl")
COLUMNS = [
    "id",
    "occurred_at",
    "action",
    "result",
    "actor_user_id",
    "actor_label",
    "actor_organisation",
    "service",
    "object_type",
    "object_id",
    "object_label",
    "main_object",
    "body_id",
    "audience",
    "changes",
    "reason",
    "origin",
    "visibility",
    "withheld",
    "prev_hash",
    "hash",
]


@dataclass(frozen=True)
class ExportFilter:
    """What to export: a period (Amsterdam calendar days, inclusive), a body, a case, an actor."""

    start: date | None = None
    end: date | None = None
    body_id: int | None = None
    case_id: int | None = None
    #: Only what the account with this e-mail address did (lower case). An address without an account
    #: selects nothing, like an account without records: the filter never tells whether it exists.
    actor: str | None = None

    def describe(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None}


@dataclass
class Manifest:
    format: str
    exported_for: str
    filters: dict[str, Any]
    exported_at: str = ""
    records: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    chain_head_seq: int = 0
    chain_head_hash: str = ""
    sha256: str = ""
    file: str = ""
    _digest: Any = field(default_factory=hashlib.sha256, repr=False)

    def as_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _query(selection: ExportFilter) -> Any:
    query = select(AuditRecord.__table__).order_by(AuditRecord.id)
    if selection.start is not None:
        query = query.where(AuditRecord.occurred_at >= datetime.combine(selection.start, time(0), AMSTERDAM))
    if selection.end is not None:
        end = datetime.combine(selection.end + timedelta(days=1), time(0), AMSTERDAM)
        query = query.where(AuditRecord.occurred_at < end)
    if selection.body_id is not None:
        query = query.where(AuditRecord.body_id == selection.body_id)
    if selection.case_id is not None:
        query = query.where(
            or_(
                (AuditRecord.object_type == "cases") & (AuditRecord.object_id == selection.case_id),
                AuditRecord.main_object == f"cases/{selection.case_id}",
            )
        )
    if selection.actor is not None:
        users: Any = model_for_table("users")
        account = select(users.id).where(users.email == selection.actor).scalar_subquery()
        query = query.where(AuditRecord.actor_user_id == account)
    return query


def readable(connection: Connection, reader: Any, selection: ExportFilter) -> Iterator[dict[str, Any]]:
    """What ``reader`` may read of the records of ``selection``, oldest first, a batch in memory at a time."""
    # On the statement, not the connection: Connection.execution_options changes the connection itself.
    result = connection.execute(_query(selection).execution_options(yield_per=BATCH))
    try:
        for batch in result.mappings().partitions(BATCH):
            yield from readable_rows(connection, reader, [dict(row) for row in batch])
    finally:
        result.close()  # a download broken off halfway must not leave the server-side cursor open


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    moment = row["occurred_at"]
    if isinstance(moment, datetime):
        row["occurred_at"] = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return {column: row.get(column) for column in COLUMNS}


def lines(records: Iterator[dict[str, Any]], form: str, manifest: Manifest) -> Iterator[bytes]:
    """The file, chunk by chunk; ``manifest`` counts and digests what passes."""
    if form not in FORMATS:
        raise ValueError(f"unknown format {form}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n") if form == "csv" else None
    if writer is not None:
        writer.writerow(COLUMNS)
    for record in records:
        row = _plain(record)
        if writer is not None:
            writer.writerow([_cell(value) for value in row.values()])
        else:
            buffer.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        manifest.records += 1
        manifest.first_seq = manifest.first_seq or row["id"]
        manifest.last_seq = row["id"]
        if buffer.tell() > 64 * 1024:
            yield _drain(buffer, manifest)
    yield _drain(buffer, manifest)
    manifest.sha256 = manifest._digest.hexdigest()


def _cell(value: Any) -> Any:
    """A CSV cell: structures as JSON, text a spreadsheet cannot take for a formula."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return safe_text(value) if isinstance(value, str) else value


def _drain(buffer: io.StringIO, manifest: Manifest) -> bytes:
    chunk = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    manifest._digest.update(chunk)
    return chunk


def start(connection: Connection, reader_label: str, selection: ExportFilter, form: str) -> Manifest:
    """A manifest for an export that starts now, with the chain's current head."""
    seq, value = head(connection)
    return Manifest(
        format=form,
        exported_for=reader_label,
        filters=selection.describe(),
        exported_at=now().isoformat(),
        chain_head_seq=seq,
        chain_head_hash=value,
        file=f"audittrail.{form}",
    )


class _Sink:
    """A write-only file for ``zipfile`` that hands over what was written, chunk by chunk."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zipped(chunks: Iterator[bytes], manifest: Manifest) -> Iterator[bytes]:
    """The export and its manifest in one zip, streamed (no seeking, nothing held but a chunk)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        with archive.open(manifest.file, "w") as entry:
            for chunk in chunks:
                entry.write(chunk)
                yield sink.take()
        archive.writestr("manifest.json", manifest.as_json())
    yield sink.take()


def with_manifest_line(chunks: Iterator[bytes], manifest: Manifest) -> Iterator[bytes]:
    """The export as JSON Lines with its manifest as the last line (the API's form): the manifest's
    sha256 covers the lines before it."""
    yield from chunks
    yield (json.dumps({"manifest": json.loads(manifest.as_json())}, ensure_ascii=False) + "\n").encode()


def taken(
    reader: Any,
    selection: ExportFilter,
    form: str,
    package: Callable[[Iterator[bytes], Manifest], Iterator[bytes]],
    *,
    via: str | None = None,
) -> Iterator[bytes]:
    """An export the reader takes, page or API alike. It is in the trail before a byte leaves, and
    committed, so that a download broken off halfway is on record too; then the records the reader may
    read stream out on a connection of their own, ``package``d with their manifest."""
    record_event(
        "export",
        object_type="audit_records",
        object_id=None,
        label=f"export ({form}{f', {via}' if via else ''}) voor {reader.email}",
        actor=reader.as_actor(),
        details={"formaat": form, "filters": selection.describe()},
        result=200,
    )
    db.session.commit()

    def stream() -> Iterator[bytes]:
        with db.engine.connect() as connection:
            manifest = start(connection, reader.email, selection, form)
            yield from package(lines(readable(connection, reader, selection), form, manifest), manifest)

    return stream()
