"""Records every change to domain data, from one SQLAlchemy hook, in the change's transaction.

After each flush the hook looks at what the flush wrote (new, changed, deleted objects); at the end
of the service call it inserts one audit row per object into the same transaction: if the change
rolls back, so does its record, and a committed change always has one. One row per object per call,
however many flushes the call made: a query between setting an item's text and its audience flushes
the text alone, and two rows would have shown the new text as written under the old audience (the
leak hunter, seed 20261210). Merged, the old values are judged by who could read the object before
the call, the new ones by who can after it. Models opt out with ``__audited__ = False``
(only bookkeeping tables do). A domain change flushed outside a ``@service`` call has no actor;
the hook refuses it, which is how "every write goes through a service" is enforced.
"""

from __future__ import annotations

import decimal
import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction, scoped_session

from audit.chain import append_rows
from core.access import policy
from core.acting import Actor, current_acting, current_origin, on_service_end
from core.db import AppSession, AudienceMixin, ScaffoldingMixin, utcnow
from core.refs import ObjectRef

_MASK = "••••••"
_RESULTS = {"create": 201, "update": 200, "delete": 204}
_REASONS = "regiotafel.audit_reasons"
_BEFORE = "regiotafel.audit_states_before"
_PENDING = "regiotafel.audit_pending"


class WriteOutsideService(RuntimeError):
    """A domain change was flushed without a ``@service`` naming its actor."""


def note_reason(session: Session | scoped_session[Any], obj: Any, reason: str) -> None:
    """Attach the reason a workflow asked for to the next record of ``obj``."""
    session.info.setdefault(_REASONS, {})[id(obj)] = (obj, reason)


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict | list):
        return value
    return str(value)


def _columns(obj: Any) -> list[str]:
    omitted: frozenset[str] = getattr(type(obj), "__audit_omit__", frozenset())
    return [attr.key for attr in inspect(obj).mapper.column_attrs if attr.key not in omitted]


def _snapshot(obj: Any, secret: frozenset[str]) -> dict[str, Any]:
    values = inspect(obj).dict
    return {key: (_MASK if key in secret else _plain(values.get(key))) for key in _columns(obj)}


def _diff(obj: Any, secret: frozenset[str]) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        changes[key] = [_MASK, _MASK] if key in secret else [_plain(before), _plain(after)]
    version = state.mapper.version_id_col
    if changes and version is not None:
        # The mapper counts the version up during the flush, past the attribute history: the record
        # names the version it made, so that an edit conflict can tell what changed since the one a
        # form was opened with (``core.conflicts``).
        key = state.mapper.get_property_by_column(version).key
        made = state.dict.get(key)
        if isinstance(made, int):
            changes[key] = [made - 1, made]
    return changes


def _label(obj: Any) -> str:
    try:
        return str(obj.audit_label)[:300]
    except Exception:  # a label must never break the write it describes
        return f"{type(obj).__name__} {inspect(obj).dict.get('id', '?')}"


def _row(obj: Any, action: str, changes: dict[str, Any], reason: str | None) -> dict[str, Any]:
    values = inspect(obj).dict
    body_id = values.get("body_id")
    if body_id is None and type(obj).__tablename__ == "bodies":
        body_id = values.get("id")
    audience = values.get("audience")
    return {
        "action": action,
        "result": _RESULTS[action],
        "main_object": obj.audit_main_object(),
        "object_type": type(obj).__tablename__,
        "object_id": values.get("id"),
        "object_label": _label(obj),
        "body_id": body_id,
        "audience": _plain(audience),
        "changes": changes,
        "reason": reason,
    }


def _subject(obj: Any) -> tuple[str, int] | None:
    """The object whose readers decide who may read ``obj``'s record: itself when its readers change
    over time (an audience, or scaffolding of a meeting), else for a part without a body of its own (a
    case's event, a grant) what it belongs to. The policy judges the rest by their present alone."""
    if isinstance(obj, AudienceMixin | ScaffoldingMixin):
        ident = inspect(obj).dict.get("id")
        return (type(obj).__tablename__, ident) if ident is not None else None
    if inspect(obj).dict.get("body_id") is not None:
        return None
    ref = ObjectRef.parse(obj.audit_main_object())
    return (ref.table, ref.id) if ref is not None else None


def _states(session: Session, objects: list[Any], *, after: bool) -> dict[tuple[str, int], dict[str, Any]]:
    refs = {ref for ref in map(_subject, objects) if ref is not None}
    return policy().reading_states(session, refs, as_shared=after) if refs else {}


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Note who could read what this flush changes or deletes, while the database still says so."""
    changing = [obj for obj in [*session.dirty, *session.deleted] if _audited(obj)]
    session.info[_BEFORE] = _states(session, changing, after=False) if changing else {}


def _audited(obj: Any) -> bool:
    return bool(getattr(type(obj), "__audited__", False))


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    reasons: dict[int, tuple[Any, str]] = session.info.get(_REASONS, {})
    before: dict[tuple[str, int], dict[str, Any]] = session.info.pop(_BEFORE, {})

    def reason_for(obj: Any) -> str | None:
        entry = reasons.pop(id(obj), None)
        return entry[1] if entry else None

    written: list[tuple[Any, dict[str, Any]]] = []
    for obj in session.new:
        if _audited(obj):
            snapshot = _snapshot(obj, type(obj).__audit_secret__)
            changes = {k: [None, v] for k, v in snapshot.items() if v is not None}
            written.append((obj, _row(obj, "create", changes, reason_for(obj))))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _diff(obj, type(obj).__audit_secret__)
            if changes:
                written.append((obj, _row(obj, "update", changes, reason_for(obj))))
    for obj in session.deleted:
        if _audited(obj):
            snapshot = _snapshot(obj, type(obj).__audit_secret__)
            written.append((obj, _row(obj, "delete", {k: [v, None] for k, v in snapshot.items()}, reason_for(obj))))
    if not written:
        return

    acting = current_acting()
    if acting is None:
        kinds = sorted({r["object_type"] for _obj, r in written})
        raise WriteOutsideService(f"change to {', '.join(kinds)} outside a @service: nobody to attribute it to")
    after = _states(session, [obj for obj, row in written if row["action"] != "delete"], after=True)
    pending: dict[tuple[str, Any], dict[str, Any]] = session.info.setdefault(_PENDING, {})
    for obj, row in written:
        row["visibility"] = _visibility(row["action"], _subject(obj), before, after)
        key = (row["object_type"], row["object_id"])
        earlier = pending.get(key)
        if earlier is not None and earlier["action"] == "create" and row["action"] == "delete":
            # Made and removed within one call: both stay on record, in their order.
            pending[(row["object_type"], row["object_id"], "deleted")] = row  # type: ignore[index]
            continue
        pending[key] = _merged(earlier, row) if earlier is not None else row


def _merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """One row for two changes of one object in one call: each field from its first old value to its last
    new one (a field that came back to where it was is no change), the readers before the first and
    after the last; a create stays a create, an update ending in a delete is a delete."""
    changes: dict[str, list[Any]] = {field: list(pair) for field, pair in earlier["changes"].items()}
    for field, (old, new) in later["changes"].items():
        changes[field] = [changes[field][0], new] if field in changes else [old, new]
    action = earlier["action"] if later["action"] == "update" else later["action"]
    if action == "update":
        changes = {field: pair for field, pair in changes.items() if pair[0] != pair[1]}
    visibility: dict[str, Any] = {}
    if action != "delete" and (later.get("visibility") or {}).get("after") is not None:
        visibility["after"] = later["visibility"]["after"]
    if action != "create" and (earlier.get("visibility") or {}).get("before") is not None:
        visibility["before"] = earlier["visibility"]["before"]
    return {
        **later,
        "action": action,
        "result": _RESULTS[action],
        "changes": changes,
        "reason": earlier["reason"] or later["reason"],
        "visibility": visibility or None,
    }


def _service_end(session: Session, succeeded: bool) -> None:
    """Write what the call held back (or drop it with the call's savepoint)."""
    pending = session.info.pop(_PENDING, {})
    if not succeeded or not pending:
        return
    rows = [row for row in pending.values() if row["action"] != "update" or row["changes"]]
    acting = current_acting()
    if rows and acting is not None:
        append(session, rows, *acting)


def write_pending(session: Session | scoped_session[Any]) -> None:
    """Write what the call has held back so far, before an event of the same call (``audit.events``),
    so that the trail keeps their order."""
    _service_end(session, True)  # type: ignore[arg-type]


def _visibility(
    action: str,
    subject: tuple[str, int] | None,
    before: dict[tuple[str, int], dict[str, Any]],
    after: dict[tuple[str, int], dict[str, Any]],
) -> dict[str, Any] | None:
    """Who could read the record's values: its new ones by the state after the change, its old ones by
    the state just before. None where the subject's readers do not change over time."""
    if subject is None:
        return None
    kept: dict[str, Any] = {}
    if action != "delete" and subject in after:
        kept["after"] = after[subject]
    if action != "create" and subject in before:
        kept["before"] = before[subject]
    return kept or None


def append(
    session: Session | scoped_session[Any], rows: list[dict[str, Any]], actor: Actor, service: str | None
) -> None:
    """Stamp rows with time, actor and origin, and add them to the trail in the session's transaction.

    The one place that writes audit rows: the change hook above and the events of ``audit.events``.
    """
    moment = utcnow()
    origin = current_origin()
    for row in rows:
        row.update(
            occurred_at=moment,
            actor_user_id=actor.user_id,
            actor_label=actor.label,
            actor_organisation=actor.organisation,
            service=service,
            origin=origin,
        )
    # On the session's own connection: the same transaction as the change, and no ORM objects
    # that would need a flush of their own.
    append_rows(session.connection(), rows)


def install_recorder() -> None:
    """Hook the recorder into the app's sessions (``audit.init_app``; idempotent: apps made in tests share
    the class)."""
    if not event.contains(AppSession, "before_flush", _before_flush):
        event.listen(AppSession, "before_flush", _before_flush)
    if not event.contains(AppSession, "after_flush", _after_flush):
        event.listen(AppSession, "after_flush", _after_flush)
    on_service_end(_service_end)
