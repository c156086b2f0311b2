"""Keeps the search index current: one SQLAlchemy hook, in the same transaction as the change.

After each flush the hook looks at what was written (as ``audit.recorder`` does) and, for the items
that search covers, reads their entry's inputs back from the database and replaces their entries.
If the change rolls back, so does its entry. What an entry holds is declared once per kind of item
in ``SOURCES``: the same declarations serve the hook and ``flask search reindex``.

An entry depends on its item's own columns, and for a decision, document, note or case on the theme
(and for a case the cycle) of its agenda item; when an agenda item's theme or meeting changes, the
entries hanging from it follow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    Table,
    Text,
    column,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session, UOWTransaction, aliased

from cases.models import Case
from core.db import AppSession
from core.refs import ObjectRef
from meetings.models import AgendaItem, Decision, Document, Meeting, Minutes, Note
from search.models import FTS_TABLE, EntryKind, SearchEntry
from search.text import stemmed

#: Characters of an item's text that are indexed: PostgreSQL refuses a tsvector over 1 MB, and
#: the first hundred thousand characters of a document say what it is about.
TEXT_LIMIT = 100_000
#: Items read and written at a time by the rebuild.
BATCH = 500

#: SQLite's full-text table (see ``search.models``): rowid is the entry's id, columns hold stems.
#: The columns an index source selects: id, body, cycle, theme and the texts, per kind of item.
_Inputs = Select[*tuple[Any, ...]]

fts = table(FTS_TABLE, column("rowid", Integer), column("title", Text), column("text", Text))


@dataclass(frozen=True)
class Entry:
    #: The item the entry is of (``core.refs``: the same "table/id" as the audit trail and notify name it).
    ref: ObjectRef
    body_id: int
    cycle_id: int | None
    theme_id: int | None
    kind: EntryKind
    title: str
    text: str

    def row(self) -> dict[str, Any]:
        return {
            "object_type": self.ref.table,
            "object_id": self.ref.id,
            "body_id": self.body_id,
            "cycle_id": self.cycle_id,
            "theme_id": self.theme_id,
            "kind": self.kind,
            "title": self.title[:200],
            "text": self.text[:TEXT_LIMIT],
        }


def _joined(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Source:
    """One kind of searchable item: which columns feed its entry, and how to read them."""

    model: type[Any]
    #: The item's attributes whose change changes its entry.
    fields: frozenset[str]
    #: A select of the entry's inputs, one row per item; its first column is the item's id.
    inputs: Callable[[], _Inputs]
    #: The entry of one row of ``inputs``, for the item ``ref``.
    make: Callable[[ObjectRef, Any], Entry]
    #: The item's agenda item, whose theme the entry takes (None: the item has its own theme).
    via_item: Any = None

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)

    def entry(self, row: Any) -> Entry:
        """The entry of one row of ``inputs`` (whose first column is the item's id)."""
        return self.make(ObjectRef(self.table, row[0]), row)


_item_meeting = aliased(Meeting)


def _agenda_items() -> _Inputs:
    return select(
        AgendaItem.id,
        AgendaItem.body_id,
        Meeting.cycle_id,
        AgendaItem.theme_id,
        AgendaItem.title,
        AgendaItem.description,
    ).join(Meeting, AgendaItem.meeting_id == Meeting.id)


def _decisions() -> _Inputs:
    return (
        select(Decision.id, Decision.body_id, Meeting.cycle_id, AgendaItem.theme_id, Decision.text)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
    )


def _minutes() -> _Inputs:
    return select(Minutes.id, Minutes.body_id, Meeting.cycle_id, Minutes.text).join(
        Meeting, Minutes.meeting_id == Meeting.id
    )


def _documents() -> _Inputs:
    return (
        select(
            Document.id,
            Document.body_id,
            Meeting.cycle_id,
            AgendaItem.theme_id,
            Document.title,
            Document.filename,
            Document.text_content,
        )
        .join(Meeting, Document.meeting_id == Meeting.id)
        .outerjoin(AgendaItem, Document.agenda_item_id == AgendaItem.id)
    )


def _notes() -> _Inputs:
    return (
        select(Note.id, Note.body_id, Meeting.cycle_id, AgendaItem.theme_id, Note.title, Note.text)
        .outerjoin(Meeting, Note.meeting_id == Meeting.id)
        .outerjoin(AgendaItem, Note.agenda_item_id == AgendaItem.id)
    )


def _cases() -> _Inputs:
    # A case without a cycle of its own (an action from a decision) belongs to its agenda item's.
    return (
        select(
            Case.id,
            Case.body_id,
            func.coalesce(Case.cycle_id, _item_meeting.cycle_id),
            func.coalesce(Case.theme_id, AgendaItem.theme_id),
            Case.type,
            Case.title,
            Case.description,
            Case.kenmerk,
            Case.source,
        )
        .outerjoin(AgendaItem, Case.agenda_item_id == AgendaItem.id)
        .outerjoin(_item_meeting, AgendaItem.meeting_id == _item_meeting.id)
    )


SOURCES: dict[str, Source] = {
    source.table: source
    for source in (
        Source(
            AgendaItem,
            frozenset({"title", "description", "theme_id", "body_id", "meeting_id"}),
            _agenda_items,
            lambda ref, r: Entry(ref, r[1], r[2], r[3], EntryKind.AGENDAPUNT, r[4], r[5] or ""),
        ),
        Source(
            Decision,
            frozenset({"text", "body_id", "meeting_id", "agenda_item_id"}),
            _decisions,
            lambda ref, r: Entry(ref, r[1], r[2], r[3], EntryKind.BESLUIT, "", r[4] or ""),
            via_item=Decision.agenda_item_id,
        ),
        Source(
            Minutes,
            frozenset({"text", "body_id", "meeting_id"}),
            _minutes,
            lambda ref, r: Entry(ref, r[1], r[2], None, EntryKind.VERSLAG, "", r[3] or ""),
        ),
        Source(
            Document,
            frozenset({"title", "filename", "text_content", "body_id", "meeting_id", "agenda_item_id"}),
            _documents,
            lambda ref, r: Entry(ref, r[1], r[2], r[3], EntryKind.DOCUMENT, r[4], _joined(r[5], r[6])),
            via_item=Document.agenda_item_id,
        ),
        Source(
            Note,
            frozenset({"title", "text", "body_id", "meeting_id", "agenda_item_id"}),
            _notes,
            lambda ref, r: Entry(ref, r[1], r[2], r[3], EntryKind.NOTITIE, r[4], r[5] or ""),
            via_item=Note.agenda_item_id,
        ),
        Source(
            Case,
            frozenset(
                {"title", "description", "kenmerk", "source", "theme_id", "cycle_id", "agenda_item_id", "body_id"}
            ),
            _cases,
            lambda ref, r: Entry(ref, r[1], r[2], r[3], EntryKind(r[4]), r[5], _joined(r[6], r[7], r[8])),
            via_item=Case.agenda_item_id,
        ),
    )
}
_BY_MODEL = {source.model: source for source in SOURCES.values()}
#: An agenda item's columns that the entries of its decisions, documents, notes and cases take.
_PASSED_ON = frozenset({"theme_id", "meeting_id"})


# --- writing entries --------------------------------------------------------------------------------


def _remove(connection: Connection, object_type: str, ids: Iterable[int]) -> None:
    entries = _entries_table()
    which = (entries.c.object_type == object_type) & entries.c.object_id.in_(list(ids))
    if connection.dialect.name == "sqlite":
        connection.execute(delete(fts).where(fts.c.rowid.in_(select(entries.c.id).where(which))))
    connection.execute(delete(entries).where(which))


def _add(connection: Connection, entries: list[Entry]) -> None:
    if not entries:
        return
    target = _entries_table()
    rows = [entry.row() for entry in entries]
    if connection.dialect.name != "sqlite":
        connection.execute(insert(target), rows)
        return
    ids = connection.execute(insert(target).returning(target.c.id, sort_by_parameter_order=True), rows).scalars()
    connection.execute(
        insert(fts),
        [
            {"rowid": ident, "title": stemmed(row["title"]), "text": stemmed(row["text"])}
            for ident, row in zip(ids, rows, strict=True)
        ],
    )


def refresh(
    connection: Connection,
    changed: dict[str, set[int]],
    *,
    items_moved: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Replace the entries of the changed items, and of those hanging from the agenda items in ``items_moved``."""
    for source in SOURCES.values():
        ids = changed.get(source.table, set())
        conditions = []
        if ids:
            conditions.append(source.model.id.in_(ids))
        if items_moved and source.via_item is not None:
            conditions.append(source.via_item.in_(items_moved))
        if not conditions:
            continue
        entries = [source.entry(row) for row in connection.execute(source.inputs().where(or_(*conditions)))]
        # An item asked for but not found is gone: its entry goes too.
        _remove(connection, source.table, ids | {e.ref.id for e in entries})
        _add(connection, entries)


def forget(connection: Connection, removed: dict[str, set[int]]) -> None:
    """Remove the entries of deleted items."""
    for object_type, ids in removed.items():
        if ids:
            _remove(connection, object_type, ids)


def rebuild(connection: Connection) -> int:
    """Empty the index and fill it again from every item; returns how many entries it holds."""
    if connection.dialect.name == "sqlite":
        connection.execute(delete(fts))
    connection.execute(delete(_entries_table()))
    total = 0
    for source in SOURCES.values():
        last = 0
        while True:
            rows = connection.execute(
                source.inputs().where(source.model.id > last).order_by(source.model.id).limit(BATCH)
            ).all()
            if not rows:
                break
            _add(connection, [source.entry(row) for row in rows])
            total += len(rows)
            last = rows[-1][0]
    if connection.dialect.name == "sqlite":
        # Merge the index's many small segments from the batches into one.
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
    return total


# --- the hook ----------------------------------------------------------------------------------------


def _changed(obj: Any, fields: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    changed: dict[str, set[int]] = defaultdict(set)
    removed: dict[str, set[int]] = defaultdict(set)
    moved: set[int] = set()
    for obj in session.new:
        source = _BY_MODEL.get(type(obj))
        if source is not None:
            changed[source.table].add(obj.id)
    for obj in session.dirty:
        source = _BY_MODEL.get(type(obj))
        if source is None or not session.is_modified(obj, include_collections=False):
            continue
        if _changed(obj, source.fields):
            changed[source.table].add(obj.id)
        if isinstance(obj, AgendaItem) and _changed(obj, _PASSED_ON):
            moved.add(obj.id)
    for obj in session.deleted:
        source = _BY_MODEL.get(type(obj))
        if source is not None:
            removed[source.table].add(obj.id)
    if not (changed or removed or moved):
        return
    # The session's own connection: the same transaction (and savepoint) as the change.
    connection = session.connection()
    forget(connection, removed)
    refresh(connection, changed, items_moved=moved)


def install_indexer() -> None:
    """Hook the indexer into the app's sessions (``search.init_app``; idempotent: apps made in tests share
    the class)."""
    if not event.contains(AppSession, "after_flush", _after_flush):
        event.listen(AppSession, "after_flush", _after_flush)


def _entries_table() -> Table:
    return cast(Table, SearchEntry.__table__)
