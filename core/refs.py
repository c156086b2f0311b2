"""One reference to one row: ``"table/id"``, as the audit trail's main objects, notifications and search
entries write it. The policy, the audit trail, notify and search all parse, format and look it up here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from core.db import Base, is_storable_id


@cache
def model_for_table(table: str) -> type[Any] | None:
    """The mapped class whose table is ``table``, or None."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


@dataclass(frozen=True)
class ObjectRef:
    table: str
    id: int

    @classmethod
    def parse(cls, text: str | None) -> ObjectRef | None:
        """``"agenda_items/12"`` → ObjectRef; None for anything else (empty, no id, not a number)."""
        table, _sep, ident = (text or "").partition("/")
        return cls(table, int(ident)) if table and ident.isdigit() else None

    @classmethod
    def of(cls, obj: Any) -> ObjectRef:
        return cls(type(obj).__tablename__, obj.id)

    def __str__(self) -> str:
        return f"{self.table}/{self.id}"

    @property
    def model(self) -> type[Any] | None:
        return model_for_table(self.table)

    def load(self, session: Any) -> Any | None:
        """The row itself, from ``session``; None when there is no such table or row (or no id could be)."""
        model = self.model
        return session.get(model, self.id) if model is not None and is_storable_id(self.id) else None
