"""Reading the audit trail: which records a reader may see, and of those, which values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, inspect, or_, select

from audit.models import AuditRecord
from audit.recorder import _plain
from core import refs
from core.access import policy
from core.db import AudienceMixin, ScaffoldingMixin
from core.extensions import db
from core.refs import ObjectRef

#: Where a value, a label or a reason was left out because the reader could not read it then.
WITHHELD_LABEL = "label"
WITHHELD_REASON = "reason"


def model_for_table(table_name: str) -> type[Any] | None:
    """The mapped class of a table name as it appears in audit records (an audited one only)."""
    model = refs.model_for_table(table_name)
    return model if model is not None and getattr(model, "__audited__", False) else None


def readable_rows(connection: Connection, reader: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of a batch of records (as dicts, oldest first), what ``reader`` may read: the records they may
    see, each without the values they could not read while those were current.

    A value left out is None in ``changes`` and named in the record's ``withheld`` list
    (``"title.before"``, ``"audience.after"``, ``"label"``, ``"reason"``). A value that is still the
    subject's own value now stays: the reader sees it on the subject's page anyway. A record of which
    nothing readable is left is left out entirely. A record shown in part keeps its hash, which covers
    the whole record: ``audit verify`` on the server checks it.
    """
    readings = policy().readable_records(reader, rows, lambda gone: _deletions(connection, gone))
    partial = [row for row, reading in zip(rows, readings, strict=True) if reading.shown and not _whole(reading)]
    current = _current_values(connection, partial)
    shown: list[dict[str, Any]] = []
    for row, reading in zip(rows, readings, strict=True):
        if not reading.shown:
            continue
        if _whole(reading):
            shown.append({**row, "withheld": []})
            continue
        kept = _redacted(row, reading, current.get((row["object_type"], row["object_id"])))
        if kept is not None:
            shown.append(kept)
    _withhold_hidden_references(connection, reader, shown)
    return shown


def _deletions(connection: Connection, subjects: set[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
    """The record of each subject's deletion (the state it sealed is the last the subject had)."""
    by_table: dict[str, set[int]] = {}
    for table, ident in subjects:
        by_table.setdefault(table, set()).add(ident)
    trail = AuditRecord.__table__.c
    query = (
        select(trail.object_type, trail.object_id, trail.action, trail.audience, trail.changes, trail.visibility)
        .where(
            trail.action == "delete",
            or_(*(and_(trail.object_type == table, trail.object_id.in_(ids)) for table, ids in by_table.items())),
        )
        .order_by(trail.id)
    )
    return {(row["object_type"], row["object_id"]): dict(row) for row in connection.execute(query).mappings()}


def _references(row: dict[str, Any]) -> list[tuple[str, int, str, int]]:
    """(field, position, table, id) of every value of the record that names an object with readers of its
    own (an amended decision, a meeting, an agenda item)."""
    model: Any = model_for_table(row["object_type"])
    if model is None:
        return []
    found = []
    for field, values in (row.get("changes") or {}).items():
        column = model.__table__.c.get(field)
        if column is None or not column.foreign_keys:
            continue
        target: Any = model_for_table(next(iter(column.foreign_keys)).column.table.name)
        if target is None or not issubclass(target, AudienceMixin | ScaffoldingMixin):
            continue
        found += [(field, i, target.__tablename__, v) for i, v in enumerate(values) if isinstance(v, int)]
    return found


def _withhold_hidden_references(connection: Connection, reader: Any, rows: list[dict[str, Any]]) -> None:
    """A reference to an object the reader may not see is left out: its id would tell that it exists."""
    wanted: dict[str, set[int]] = {}
    per_row = [_references(row) for row in rows]
    for references in per_row:
        for _field, _i, table, ident in references:
            wanted.setdefault(table, set()).add(ident)
    seen: set[tuple[str, int]] = set()
    for table, ids in wanted.items():
        model: Any = model_for_table(table)
        query = select(model.id).where(model.id.in_(ids), policy().visible(reader, model))
        seen |= {(table, ident) for ident in connection.execute(query).scalars()}
    for row, references in zip(rows, per_row, strict=True):
        for field, position, table, ident in references:
            if (table, ident) not in seen:
                row["changes"] = {**row["changes"], field: list(row["changes"][field])}
                row["changes"][field][position] = None
                row["withheld"] = [*row["withheld"], f"{field}.{('before', 'after')[position]}"]


def _whole(reading: Any) -> bool:
    return bool(reading.after and reading.before)


def _redacted(row: dict[str, Any], reading: Any, now: dict[str, Any] | None) -> dict[str, Any] | None:
    withheld: list[str] = []
    changes: dict[str, list[Any]] = {}

    def keep(field: str, value: Any, readable: bool, side: str) -> Any:
        if value is None or readable or (now is not None and field in now and now[field] == value):
            return value
        withheld.append(f"{field}.{side}")
        return None

    for field, (old, new) in (row.get("changes") or {}).items():
        changes[field] = [keep(field, old, reading.before, "before"), keep(field, new, reading.after, "after")]
    if not any(value is not None for pair in changes.values() for value in pair):
        return None  # nothing the reader could read: not even that something happened
    label, reason = row["object_label"], row["reason"]
    if not (reading.after if row["action"] != "delete" else reading.before):
        # A label is made of the object's values at the time: of a creation whose every value is still
        # current, it is today's label; otherwise it may show what was not readable.
        if row["action"] != "create" or withheld:
            label = f"{row['object_type']} {row['object_id']}"
            withheld.append(WITHHELD_LABEL)
        if reason is not None:
            reason = None
            withheld.append(WITHHELD_REASON)
    # Who else was named, and the audience before or after, are part of what was not readable.
    return {
        **row,
        "changes": changes,
        "object_label": label,
        "reason": reason,
        "audience": row["audience"] if reading.after else None,
        "visibility": None,
        "withheld": withheld,
    }


def _current_values(connection: Connection, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """The present values, as the trail writes them, of the objects these records are about."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row["object_id"] is not None:
            wanted.setdefault(row["object_type"], set()).add(row["object_id"])
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for table, ids in wanted.items():
        model: Any = model_for_table(table)
        if model is None or not issubclass(model, AudienceMixin | ScaffoldingMixin):
            continue
        secret: frozenset[str] = model.__audit_secret__
        columns = [c for c in inspect(model).column_attrs if c.key not in secret and c.key not in model.__audit_omit__]
        for values in connection.execute(
            select(*(c.expression.label(c.key) for c in columns)).where(model.id.in_(ids))
        ).mappings():
            found[(table, values["id"])] = {key: _plain(value) for key, value in values.items()}
    return found


#: Records per page of an object's history: a busy object gathers thousands over the years.
HISTORY_PAGE = 100


@dataclass(frozen=True)
class HistoryPage:
    records: list[dict[str, Any]]
    #: The sequence number the next page starts after; None on the last page.
    next_after: int | None


def readable_history(reader: Any, object_type: str, object_id: int) -> list[dict[str, Any]]:
    """The records of one object and of its parts (a case's history lines, a nota's route, a
    dossier's links), oldest first, as far as ``reader`` may read each of them."""
    return readable_rows(db.session.connection(), reader, _history_rows(object_type, object_id))


def history_page(reader: Any, object_type: str, object_id: int, after: int = 0) -> HistoryPage:
    """One page of ``readable_history``: the records after sequence number ``after``. A keyset, not an
    offset: the ten-thousandth record costs what the first does. A page may show fewer than it read
    (what the reader may not read is left out), and says where the next one starts."""
    rows = _history_rows(object_type, object_id, after, HISTORY_PAGE + 1)
    more = len(rows) > HISTORY_PAGE
    rows = rows[:HISTORY_PAGE]
    records = readable_rows(db.session.connection(), reader, rows)
    return HistoryPage(records, rows[-1]["id"] if more else None)


def _history_rows(object_type: str, object_id: int, after: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    query = (
        select(AuditRecord.__table__)
        .where(
            or_(
                and_(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id),
                AuditRecord.main_object == str(ObjectRef(object_type, object_id)),
            ),
            AuditRecord.id > after,
        )
        .order_by(AuditRecord.id)
        .limit(limit)
    )
    return [dict(row) for row in db.session.execute(query).mappings()]


def history_of(object_type: str, object_id: int) -> list[AuditRecord]:
    """Every record of one object, oldest first."""
    return list(
        db.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
            .order_by(AuditRecord.id)
        )
    )


def records_about(refs: set[tuple[str, int]]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Per object, oldest first, every record that tells what it held and who could read it: its own, and
    those of the people named on it (a vertrouwelijk item's grants change who may read it without a record
    of the item itself; each grant's record seals the item's state). One query, for *what's new*."""
    by_table: dict[str, set[int]] = {}
    for table, ident in refs:
        by_table.setdefault(table, set()).add(ident)
    if not by_table:
        return {}
    own = [and_(AuditRecord.object_type == table, AuditRecord.object_id.in_(ids)) for table, ids in by_table.items()]
    named = and_(
        AuditRecord.object_type == "audience_grants",
        AuditRecord.main_object.in_([str(ObjectRef(table, ident)) for table, ident in refs]),
    )
    columns = [
        AuditRecord.id,
        AuditRecord.occurred_at,
        AuditRecord.action,
        AuditRecord.object_type,
        AuditRecord.object_id,
        AuditRecord.main_object,
        AuditRecord.audience,
        AuditRecord.changes,
        AuditRecord.visibility,
        AuditRecord.actor_user_id,
    ]
    found: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in db.session.execute(select(*columns).where(or_(*own, named)).order_by(AuditRecord.id)).mappings():
        key: tuple[str, int] | None = (row["object_type"], row["object_id"])
        if row["object_type"] == "audience_grants":
            whole = ObjectRef.parse(row["main_object"])
            key = (whole.table, whole.id) if whole is not None else None
        if key in refs:
            found.setdefault(key, []).append(dict(row))
    return found
