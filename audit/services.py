"""Reading the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from audit.models import AuditRecord
from core.db import Base
from core.extensions import db


def model_for_table(table_name: str) -> type[Any] | None:
    """The mapped class of a table name as it appears in audit records."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table_name and getattr(mapper.class_, "__audited__", False):
            return mapper.class_
    return None


def readable_history(reader: Any, object_type: str, object_id: int) -> list[AuditRecord]:
    """The records of one object and of its parts (a case's history lines, a nota's route, a
    dossier's links), oldest first, as far as ``reader`` may read each of them."""
    from core.access import policy

    records = list(
        db.session.scalars(
            select(AuditRecord)
            .where(
                or_(
                    and_(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id),
                    AuditRecord.main_object == f"{object_type}/{object_id}",
                )
            )
            .order_by(AuditRecord.id)
        )
    )
    keys = ("action", "body_id", "main_object", "object_type", "object_id", "audience")
    rows = [{key: getattr(record, key) for key in keys} for record in records]
    return [record for record, ok in zip(records, policy().readable_records(reader, rows), strict=True) if ok]


def history_of(object_type: str, object_id: int) -> list[AuditRecord]:
    """Every record of one object, oldest first."""
    return list(
        db.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
            .order_by(AuditRecord.id)
        )
    )
