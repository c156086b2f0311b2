"""The audit trail: one row for every create, update and delete of domain data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class AuditRecord(Base):
    """What changed, by whom, when and why; written by ``audit.recorder`` and nothing else.

    The fields follow the ZGW audittrail where they apply: ``action`` (actie), ``result``
    (resultaat), ``origin`` (bron), ``main_object`` (hoofdObject), ``object_type``/``object_id``
    (resource), ``object_label`` (resourceWeergave), ``changes`` (wijzigingen oud/nieuw),
    ``reason`` (toelichting). Records are append-only (database triggers refuse UPDATE and DELETE)
    and sealed in a hash chain (``audit.chain``).
    """

    __tablename__ = "audit_records"
    __audited__ = False
    __table_args__ = (
        Index("ix_audit_records_object", "object_type", "object_id"),
        Index("ix_audit_records_body_id", "body_id"),
        Index("ix_audit_records_occurred_at", "occurred_at"),
    )

    #: The sequence number, 1, 2, 3, … without gaps: given by the chain, not by the database.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_user_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(String(300))
    actor_organisation: Mapped[str | None] = mapped_column(String(200))
    #: create, update or delete.
    action: Mapped[str] = mapped_column(String(20))
    #: The service that made the change, e.g. ``meetings.publish_agenda``.
    service: Mapped[str | None] = mapped_column(String(100))
    #: The table of the changed object.
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int | None]
    object_label: Mapped[str] = mapped_column(String(300))
    #: The body the object belongs to, and its audience at the time: what exports filter on.
    body_id: Mapped[int | None]
    audience: Mapped[str | None] = mapped_column(String(32))
    #: {field: [before, after]}; before is null for a create, after is null for a delete.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Why, where a workflow asked for a reason.
    reason: Mapped[str | None] = mapped_column(Text)
    #: Where the change came from: web request (method, path, address) or command.
    origin: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: An HTTP-like outcome: 201 created, 200 changed or signed in, 204 deleted, 401 failed sign-in,
    #: 403 or 404 refused.
    result: Mapped[int | None]
    #: The object this one belongs to, as "table/id" (a case for its events, a meeting for its items).
    main_object: Mapped[str | None] = mapped_column(String(80), index=True)
    #: Who could read the values when they were current: {"after": state, "before": state}, a state
    #: being the subject's audience, the people named on it, and whether it was released yet
    #: (``auth.policy.reading_states``). Null where the subject's readers do not change over time.
    visibility: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: SHA-256 of the previous record (64 zeros for the first) and of this one (``audit.chain``).
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


#: The chain head: one row holding the last sequence number and hash (``audit.chain``). A table
#: without a model, so that nothing but the chain's own code reads or writes it.
chain_head = Table(
    "audit_chain",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("head", String(64), nullable=False),
)
