"""Lists of the API: keyset pages on id behind an opaque cursor, the filters every list shares, and
nothing that counts. A list holds only what the policy lets the caller see (``visible``), and a filter
narrows that list and nothing else: a filter on a hidden body or meeting gives the same empty page as
one on a body that does not exist."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, or_, select
from werkzeug.exceptions import BadRequest

from audit.models import AuditRecord
from auth.policy import visible
from core.db import is_storable_id
from core.extensions import db

MAX_LIMIT = 200
ID = validate.Range(min=1, max=2**31 - 1)


class ListArgs(Schema):
    """The query of every list."""

    cursor = fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,200}$"),
        metadata={"description": "next_cursor van de vorige pagina / of the page before"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT))
    changed_since = fields.AwareDateTime(
        metadata={"description": "Alleen wat sindsdien gemaakt of gewijzigd is (ISO 8601 met tijdzone)"}
    )


class BodyListArgs(ListArgs):
    body = fields.Integer(validate=ID, metadata={"description": "id van een overleg"})


class Page(Schema):
    """One page of a list: its items, and the cursor of the next page (null on the last)."""

    next_cursor = fields.String(allow_none=True, required=True)


def page_schema(item: type[Schema]) -> type[Schema]:
    return type(
        f"{item.__name__.removesuffix('Schema')}Page",
        (Page,),
        {"items": fields.List(fields.Nested(item), required=True)},
    )


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or not (after >= 0 and is_storable_id(after)):
        raise BadRequest(_("Deze cursor is ongeldig: gebruik de next_cursor van de vorige pagina."))
    return after


def changed_since(model: Any, since: datetime) -> Any:
    """Made or changed since ``since``: the audit trail knows every change, the item itself its making."""
    changed = select(AuditRecord.object_id).where(
        AuditRecord.object_type == model.__tablename__, AuditRecord.occurred_at >= since
    )
    return or_(model.id.in_(changed), *([model.created_at >= since] if hasattr(model, "created_at") else []))


def page(user: Any, model: Any, args: dict[str, Any], *where: Any, query: Select[Any] | None = None) -> dict[str, Any]:
    """One page of ``model`` as ``user`` may see it, narrowed by ``where`` and the shared filters."""
    stmt = (query if query is not None else select(model)).where(visible(user, model), *where)
    if args.get("body") is not None:
        stmt = stmt.where(
            model.id == args["body"] if model.__tablename__ == "bodies" else model.body_id == args["body"]
        )
    if args.get("changed_since") is not None:
        stmt = stmt.where(changed_since(model, args["changed_since"]))
    if args.get("cursor"):
        stmt = stmt.where(model.id > decode(args["cursor"]))
    limit = args["limit"]
    rows = list(db.session.scalars(stmt.order_by(model.id).limit(limit + 1)).unique())
    more = len(rows) > limit
    items = rows[:limit]
    return {"items": items, "next_cursor": encode(items[-1].id) if more else None}
