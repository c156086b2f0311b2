"""Events that are not a change of domain data but belong in the trail: sign-ins, failed sign-ins,
sign-outs, and refused accesses (ASVS 16.3). Written through the same ``append`` as every change."""

from __future__ import annotations

from typing import Any

from audit.recorder import append, write_pending
from core.acting import Actor, current_acting
from core.db import is_storable_id
from core.extensions import db

#: Who acts when nobody is signed in (a failed sign-in).
NOBODY = Actor(user_id=None, label="niet aangemeld")


def record_event(
    action: str,
    *,
    object_type: str,
    object_id: int | None,
    label: str,
    actor: Actor | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
    result: int | None = None,
    main_object: str | None = None,
) -> None:
    """Add one event to the trail, in the current transaction."""
    acting = current_acting()
    who = actor or (acting[0] if acting else NOBODY)
    row = {
        "action": action,
        "result": result,
        "main_object": main_object,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": label[:300],
        "body_id": None,
        "audience": None,
        "changes": {key: [None, value] for key, value in (details or {}).items()},
        "reason": reason,
    }
    if acting is not None:
        # Within a service call: what it changed so far goes on record first, so the trail keeps the order.
        db.session.flush()
        write_pending(db.session)
    append(db.session, [row], who, acting[1] if acting else None)


def record_refusal(user: Any, status: int, object_type: str | None, object_id: int | None) -> None:
    """A signed-in user was refused (404 for a hidden or missing item, 403 for a forbidden action): a
    receiver of ``core.signals.access_refused``, connected in ``audit.init_app``.

    The record names the table and id asked for, never the item's title: an auditor of the other
    side must not learn from the trail what a hidden item is called.
    """
    if not getattr(user, "is_authenticated", False):
        return
    db.session.rollback()
    details: dict[str, Any] = {"status": status}
    if object_id is not None and not is_storable_id(object_id):
        # No row has such an id, and the id column cannot hold it: keep what was asked as text.
        details["gevraagd_id"] = str(object_id)
        object_id = None
    record_event(
        "access_refused",
        object_type=object_type or "onbekend",
        object_id=object_id,
        label=f"toegang geweigerd ({status})",
        actor=user.as_actor(),
        details=details,
        result=status,
    )
    db.session.commit()
