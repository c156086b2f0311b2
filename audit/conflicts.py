"""Edit conflicts: a save against a newer version than the form was opened with changes nothing.

The one place that decides it, for every service that changes what a form edits: the service passes the
version the form carried; this module holds the row, and when someone else changed one of the fields
the service writes since that version, refuses with ``EditConflict``, saying who did it and when (as far
as the reader may read the audit trail) and which of those fields differ now from what the reader opened.
What the form opened with is read from the trail, whose update records name the version they made.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from audit.models import AuditRecord
from audit.recorder import _plain
from audit.services import readable_rows
from core.errors import EditConflict
from core.extensions import db


def expect_version(reader: Any, obj: Any, expected: int | None, fields: Iterable[str]) -> None:
    """Hold ``obj``'s row and refuse the save if, since version ``expected``, someone changed one of
    ``fields`` (the columns the save writes). A change to other columns only (its place on the agenda,
    a workflow state the save leaves alone) is no conflict: the save overwrites nothing of it.

    ``expected`` None (a job, a script, a form posted without a version) checks nothing but the lock."""
    db.lock(obj)
    if expected is None or obj.version == expected:
        return
    key = type(obj).__mapper__.get_property_by_column(type(obj).__mapper__.version_id_col).key
    since = _records_since(obj, key, expected)
    opened: dict[str, Any] = {}
    for row in since:
        for field, (before, _after) in row["changes"].items():
            opened.setdefault(field, before)
    changed = {
        field: getattr(obj, field)
        for field in fields
        if field in opened and opened[field] != _plain(getattr(obj, field))
    }
    if not changed and since:
        return
    # No record to compare with (a version older than the trail says anything of): refuse, safely.
    shown = {row["id"] for row in readable_rows(db.session.connection(), reader, since)}
    # The reader's own change (in another window) is theirs to know, whether or not they read the trail.
    own = {row["id"] for row in since if row["actor_user_id"] == getattr(reader, "id", None)}
    known = [row for row in since if row["id"] in shown | own]
    who = list(
        dict.fromkeys(_("U zelf (in een ander venster)") if row["id"] in own else row["actor_label"] for row in known)
    )
    when: datetime | None = known[-1]["occurred_at"] if known else None
    raise EditConflict(obj, current_version=obj.version, changed=changed, who=who, when=when)


def _records_since(obj: Any, key: str, version: int) -> list[dict[str, Any]]:
    """The update records of ``obj`` that made a version after ``version``, oldest first."""
    query = (
        select(AuditRecord.__table__)
        .where(
            AuditRecord.object_type == type(obj).__tablename__,
            AuditRecord.object_id == obj.id,
            AuditRecord.action == "update",
        )
        .order_by(AuditRecord.id)
    )
    rows = [dict(row) for row in db.session.execute(query).mappings()]
    return [row for row in rows if _made(row, key) is not None and _made(row, key) > version]  # type: ignore[operator]


def _made(row: dict[str, Any], key: str) -> int | None:
    pair = (row.get("changes") or {}).get(key)
    return pair[1] if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], int) else None
