"""Removing an object with what hangs off it, as the models declare it: one place, not a list per service.

A row that others point at cannot simply be deleted: the database refuses (a 500 to the user), or
cascades on its own (and the audit trail never hears of what went). So every foreign key that points at
a :class:`Removable` model says, where it is declared, what becomes of its rows when their target goes::

    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), info=on_remove(DETACH))

- ``CASCADE``: the row goes with its target (itself removed this way, so what hangs off it is handled
  too, and each deletion is in the trail under the row's own audience);
- ``DETACH``: the row stays and forgets its target (an action outlives the concept decision it came
  from); the column must be nullable;
- ``REFUSE``: the removal is refused while such a row exists, with the message the rule carries. Only
  for rows that whoever may remove the target also sees (a refusal must not reveal a hidden row).

``tests/core/test_removal.py`` checks that every foreign key to a removable model has a rule.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.orm import Mapper

from core.db import Base
from core.errors import DomainError
from core.extensions import db


class OnRemove(enum.StrEnum):
    CASCADE = "cascade"
    DETACH = "detach"
    REFUSE = "refuse"


CASCADE = OnRemove.CASCADE
DETACH = OnRemove.DETACH
REFUSE = OnRemove.REFUSE


def on_remove(rule: OnRemove, refusal: Any = None) -> dict[str, Any]:
    """The ``info`` of a foreign-key column: what happens to its rows when their target is removed.
    ``refusal`` (a lazy text) is the message of a ``REFUSE``."""
    if (rule is REFUSE) != (refusal is not None):
        raise TypeError("a REFUSE rule carries the message that explains it, and only a REFUSE rule does")
    return {"on_remove": rule, "refusal": refusal}


class Removable:
    """A model whose objects a service may remove with :func:`remove`."""


@dataclass(frozen=True)
class Dependent:
    """A foreign key pointing at a removable model, with its rule."""

    model: type[Base]
    column: Column[Any]
    attribute: str
    target: str
    rule: OnRemove | None
    refusal: Any


def _model_of(table: Table) -> Mapper[Any]:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper
    raise LookupError(f"no model maps {table.name}")


@functools.cache
def dependents(model: type[Base]) -> tuple[Dependent, ...]:
    """Every foreign key that points at ``model``'s table, with what its column declares."""
    table = model.__table__
    found = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            mapper = _model_of(other)
            info = fk.parent.info
            found.append(
                Dependent(
                    model=mapper.class_,
                    column=fk.parent,
                    attribute=mapper.get_property_by_column(fk.parent).key,
                    target=fk.column.key,
                    rule=info.get("on_remove"),
                    refusal=info.get("refusal"),
                )
            )
    return tuple(found)


def remove(obj: Base) -> None:
    """Delete ``obj`` from the session with what its dependents declare; raises ``DomainError`` (and
    changes nothing, inside the service's savepoint) when a ``REFUSE`` rule finds a row."""
    model = type(obj)
    if not isinstance(obj, Removable):
        raise TypeError(f"{model.__name__} is not declared Removable")
    # Refusals first, so that a refused removal has not yet detached or deleted anything.
    loaded = []
    for dependent in dependents(model):
        if dependent.rule is None:
            raise TypeError(f"{dependent.model.__name__}.{dependent.attribute} declares no on_remove rule")
        rows = db.session.scalars(
            select(dependent.model).where(dependent.column == getattr(obj, dependent.target))
        ).all()
        if rows and dependent.rule is REFUSE:
            raise DomainError(str(dependent.refusal))
        loaded.append((dependent, rows))
    for dependent, rows in loaded:
        for row in rows:
            if dependent.rule is CASCADE:
                remove(row)
            else:
                setattr(row, dependent.attribute, None)
    # Dependents leave (or let go) before their target does, whatever order the unit of work picks.
    db.session.flush()
    db.session.delete(obj)
    db.session.flush()
