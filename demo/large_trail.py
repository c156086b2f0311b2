"""The audit trail of the large data set: records made as the recorder makes them, sealed by its chain.

The records describe changes that were written in bulk, not through the session hook, so they are
built here by the recorder's own rules: every column of a new object (the recorder's value form, its
secret columns masked, its derived columns left out), the object's label and main object from the
model, and who could read the values at the time (``auth.policy.reading_states``' shape: audience,
the people named on a vertrouwelijk item, and ``released: false`` while it waits for publication).
Sealing is ``audit.chain.append_rows``, the function the recorder appends with: numbering, links and
hashes come from there and nowhere else.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, inspect

from audit.chain import append_rows
from audit.recorder import _MASK, _plain  # the recorder's own value rules, so a record reads alike
from core.acting import Actor, current_origin
from core.db import Audience

#: A record waiting to be sealed: when, an order among records of the same moment, the record.
Pending = tuple[datetime, int, dict[str, Any]]

#: Records sealed per call of ``append_rows``.
BATCH = 5_000

_RESULTS = {"create": 201, "update": 200, "delete": 204}


def state(audience: Audience, named: Iterable[int] = (), *, released: bool = True) -> dict[str, Any]:
    """Who could read an object: its audience, the people named on it, and whether it was released yet."""
    kept: dict[str, Any] = {"audience": audience.value}
    if not released:
        kept["released"] = False
    if audience is Audience.VERTROUWELIJK:
        kept["named"] = sorted(set(named))
    return kept


_COLUMNS: dict[str, tuple[str, ...]] = {}


def _columns(model: type[Any]) -> tuple[str, ...]:
    """The columns the recorder snapshots: every column attribute but the derived ones it leaves out."""
    known = _COLUMNS.get(model.__tablename__)
    if known is None:
        omitted: frozenset[str] = getattr(model, "__audit_omit__", frozenset())
        known = tuple(attr.key for attr in inspect(model).column_attrs if attr.key not in omitted)
        _COLUMNS[model.__tablename__] = known
    return known


class Trail:
    """Records of changes made in bulk, in the order they happened."""

    def __init__(self) -> None:
        self.pending: list[Pending] = []
        self._seq = 0
        self._origin = current_origin()

    def __len__(self) -> int:
        return len(self.pending)

    def created(
        self,
        moment: datetime,
        actor: Actor,
        service: str,
        model: type[Any],
        row: dict[str, Any],
        *,
        visibility: dict[str, Any] | None = None,
    ) -> None:
        """A new object: every column it was written with (``row`` as it was at ``moment``)."""
        secret: frozenset[str] = model.__audit_secret__
        changes = {}
        for key in _columns(model):
            value = _MASK if key in secret else _plain(row.get(key))
            if value is not None:
                changes[key] = [None, value]
        self.add(moment, actor, service, "create", model, row, changes, visibility=visibility)

    def updated(
        self,
        moment: datetime,
        actor: Actor,
        service: str,
        model: type[Any],
        row: dict[str, Any],
        changes: dict[str, tuple[Any, Any]],
        *,
        visibility: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """A change of ``row`` (as it is after the change): {field: (before, after)}."""
        secret: frozenset[str] = model.__audit_secret__
        plain = {
            key: [_MASK, _MASK] if key in secret else [_plain(before), _plain(after)]
            for key, (before, after) in changes.items()
        }
        self.add(moment, actor, service, "update", model, row, plain, visibility=visibility, reason=reason)

    def add(self, *args: Any, **kwargs: Any) -> None:
        """Keep a record (``record``'s arguments) until ``take``."""
        self.pending.append(self.record(*args, **kwargs))

    def record(
        self,
        moment: datetime,
        actor: Actor,
        service: str,
        action: str,
        model: type[Any],
        row: dict[str, Any],
        changes: dict[str, Any],
        *,
        visibility: dict[str, Any] | None = None,
        reason: str | None = None,
        result: int | None = None,
    ) -> Pending:
        """A record of ``action`` on ``row``, as the recorder writes one, to be sealed in time order."""
        view = SimpleNamespace(**row)
        self._seq += 1
        return (
            moment,
            self._seq,
            {
                "action": action,
                "result": result or _RESULTS[action],
                "main_object": model.audit_main_object(view),
                "object_type": model.__tablename__,
                "object_id": row.get("id"),
                "object_label": str(model.audit_label.fget(view))[:300],
                "body_id": row.get("body_id"),
                "audience": _plain(row.get("audience")),
                "changes": changes,
                "reason": reason,
                "visibility": visibility,
                "occurred_at": moment,
                "actor_user_id": actor.user_id,
                "actor_label": actor.label,
                "actor_organisation": actor.organisation,
                "service": service,
                "origin": self._origin,
            },
        )

    def event(self, moment: datetime, actor: Actor, service: str, action: str, record: dict[str, Any]) -> Pending:
        """An event that is no change of data (a sign-in), as ``audit.events.record_event`` writes it."""
        self._seq += 1
        return (
            moment,
            self._seq,
            {
                "result": None,
                "main_object": None,
                "body_id": None,
                "audience": None,
                "changes": {},
                "reason": None,
                "visibility": None,
                **record,
                "action": action,
                "occurred_at": moment,
                "actor_user_id": actor.user_id,
                "actor_label": actor.label,
                "actor_organisation": actor.organisation,
                "service": service,
                "origin": self._origin,
            },
        )

    def take(self) -> list[Pending]:
        """The records so far in the order they happened (by time, then as they were made); forgets them."""
        taken = sorted(self.pending, key=lambda pending: (pending[0], pending[1]))
        self.pending = []
        return taken


def seal(
    connection: Connection,
    *streams: Iterable[Pending],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append the records of ``streams`` (each in time order) to the chain, merged in time order, with
    the chain's own ``append_rows``; returns how many."""
    merged: Iterator[Pending] = heapq.merge(*streams, key=lambda pending: (pending[0], pending[1]))
    batch: list[dict[str, Any]] = []
    total = 0
    for _moment, _seq, record in merged:
        batch.append(record)
        if len(batch) == BATCH:
            total += _append(connection, batch, progress)
            batch = []
    if batch:
        total += _append(connection, batch, progress)
    return total


def _append(connection: Connection, batch: Sequence[dict[str, Any]], progress: Callable[[int], None] | None) -> int:
    append_rows(connection, list(batch))
    if progress is not None:
        progress(len(batch))
    return len(batch)
