"""The search index: one entry per searchable item, kept by ``search.index``.

The entries table is the same on both databases. What makes it searchable differs, and lives
outside the models (created by the migration, kept out of the drift check by ``include_name`` and
``include_object`` below):

* PostgreSQL: a generated ``tsvector`` column ``search_vector`` (title weighted above text, the
  ``dutch`` configuration) with a GIN index;
* SQLite: the FTS5 table ``search_fts`` (and the shadow tables FTS5 makes for it), whose rowid is the
  entry's id and whose columns hold the app's Dutch stems of title and text.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, intpk


class EntryKind(enum.StrEnum):
    """What an entry is; the case types keep their own names."""

    AGENDAPUNT = "agendapunt"
    BESLUIT = "besluit"
    VERSLAG = "verslag"
    DOCUMENT = "document"
    NOTITIE = "notitie"
    AGENDAVERZOEK = "agendaverzoek"
    ACTIEPUNT = "actiepunt"
    TOEZEGGING = "toezegging"
    NOTA = "nota"
    DOSSIER = "dossier"


class SearchEntry(Base):
    """The searchable text of one item, with what the search filters on.

    Derived data: rebuilt by ``flask search reindex``, never edited, never in the audit trail. It
    holds no audience: who may see an entry is decided at query time by the policy on the item
    itself, so the index never needs to follow a change of audience or publication.
    """

    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("object_type", "object_id"),)
    __audited__ = False

    id: Mapped[intpk]
    #: The item's table and id, e.g. ("agenda_items", 12).
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    # No foreign keys: an entry follows its item in the same flush, also when the item goes.
    body_id: Mapped[int] = mapped_column(index=True)
    cycle_id: Mapped[int | None] = mapped_column(index=True)
    theme_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[EntryKind]
    title: Mapped[str] = mapped_column(String(200), default="")
    #: The item's text, cut at ``search.index.TEXT_LIMIT`` characters.
    text: Mapped[str] = mapped_column(Text, default="")


#: SQLite: the FTS5 table and its shadow tables.
FTS_TABLE = "search_fts"
_FTS_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "content", "docsize", "config"))})
#: PostgreSQL: the generated tsvector column and its GIN index.
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_search_entries_search_vector"


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """For Alembic: leave SQLite's full-text tables out of autogenerate and the drift check.

    The models cannot declare them (a virtual table), so without this autogenerate would want to
    drop them. By name, before reflection, because SQLAlchemy cannot reflect a virtual table cleanly.
    """
    return not (type_ == "table" and name in _FTS_TABLES)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
    """For Alembic: leave PostgreSQL's tsvector column and its index out, for the same reason.

    The column exists only on PostgreSQL (generated from title and text), so it is not in the model.
    """
    if type_ == "column" and name == VECTOR_COLUMN and obj.table.name == SearchEntry.__tablename__:
        return False
    return not (type_ == "index" and name == VECTOR_INDEX)
