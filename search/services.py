"""Searching, as far as the searcher may see; and filling the index (``flask search reindex``).

Every hit, every count and every snippet comes from items the policy lets the user see: the index
is joined with each kind of item through ``auth.policy.visible``, in the query itself. An item the
user may not see adds nothing to a count and leaves no trace on the page, not even in a snippet
(an entry holds only its own item's text).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.sql.elements import ClauseElement, ColumnClause

from auth.models import User
from auth.policy import visible
from cases.models import Case
from core.acting import SYSTEM
from core.db import Audience
from core.extensions import db
from core.labels import label
from core.scheduler import process_token
from meetings.jobs.documents import read_texts
from meetings.models import AgendaItem, Body, Cycle, Decision, Document, Meeting, Minutes, Note, TextStatus, Theme
from meetings.services.texts import read_again
from search import index
from search.models import FTS_TABLE, VECTOR_COLUMN, EntryKind, SearchEntry
from search.text import STOP_WORDS, fts_query, highlight, snippet, stem, words

PAGE_SIZE = 20
#: The longest query and the most words in one; longer input is refused with a message.
QUERY_MAX = 200
WORDS_MAX = 12
#: Pages beyond this are not offered (nobody reads them; an OFFSET that large only costs).
PAGES_MAX = 50

_fts = table(FTS_TABLE, column("rowid", Integer))


@dataclass(frozen=True)
class SearchFilters:
    text: str = ""
    body_id: int | None = None
    cycle_id: int | None = None
    theme_id: int | None = None
    kind: EntryKind | None = None
    page: int = 1

    @property
    def asks(self) -> bool:
        return bool(self.text.strip() or self.body_id or self.cycle_id or self.theme_id or self.kind)


@dataclass(frozen=True)
class Hit:
    """One result as the page shows it. ``endpoint`` and ``args`` make its link."""

    kind: EntryKind
    title: Markup
    snippet: Markup
    endpoint: str
    args: dict[str, Any]
    body: str
    #: The meeting it belongs to, if the user may see that meeting; or a case's reference.
    context: str | None
    when: date | datetime | None
    audience: Audience


@dataclass
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    #: True when words were given but all of them are too common to search on.
    only_stop_words: bool = False
    #: True when the query held no word at all (only punctuation or symbols).
    no_words: bool = False

    @property
    def pages(self) -> int:
        return min(PAGES_MAX, max(1, -(-self.total // PAGE_SIZE)))

    @property
    def first_number(self) -> int:
        """The number of the page's first hit in the whole list."""
        return (self.page - 1) * PAGE_SIZE + 1


def query_stems(text: str) -> list[str]:
    """The stems a query searches for (stop words left out, as PostgreSQL does)."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


# --- what the user may see ----------------------------------------------------------------------------


def _visible_ids(user: User, object_type: str) -> Select[Any]:
    """The ids of the items of one kind this user may see, as their own pages decide."""
    if object_type == "decisions":
        # As on the decisions page: a decision shows with its agenda item, so both must be visible.
        return (
            select(Decision.id)
            .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
            .where(visible(user, Decision), visible(user, AgendaItem))
        )
    if object_type == "minutes":
        # The minutes are read on their meeting's page.
        return (
            select(Minutes.id)
            .join(Meeting, Minutes.meeting_id == Meeting.id)
            .where(visible(user, Minutes), visible(user, Meeting))
        )
    model = _model(object_type)
    return select(model.id).where(visible(user, model))


def _visible_entries(user: User) -> ColumnElement[bool]:
    # Per matching entry, a lookup of its item by primary key; not ``object_id IN (every visible id)``,
    # which makes the database list every visible item of each kind on every search (tens of thousands
    # after a few years) before it looks at what the words matched.
    return or_(
        *(
            and_(
                SearchEntry.object_type == object_type,
                _visible_ids(user, object_type).where(_model(object_type).id == SearchEntry.object_id).exists(),
            )
            for object_type in index.SOURCES
        )
    )


def _model(object_type: str) -> Any:
    return index.SOURCES[object_type].model


# --- the query ------------------------------------------------------------------------------------------


def _matching(dialect: str, text: str, stems: list[str]) -> tuple[list[Any], ClauseElement | None, Any]:
    """(joins, condition, ranking) for the words of the query on this database."""
    if dialect == "postgresql":
        vector: ColumnClause[Any] = literal_column(f"search_entries.{VECTOR_COLUMN}")
        # The query is analysed as the documents were: by PostgreSQL, with the dutch configuration; as
        # typed, or as the app splits it into words (what SQLite asks): "co-financiering" then also
        # finds "co financiering", and "72.000" still finds "72.000", which PostgreSQL keeps whole.
        dutch: ColumnClause[Any] = literal_column("'dutch'::regconfig")
        query = func.plainto_tsquery(dutch, text).op("||")(func.plainto_tsquery(dutch, " ".join(words(text))))
        return [], vector.op("@@")(query), func.ts_rank(vector, query).desc()
    fts: ColumnClause[Any] = literal_column(FTS_TABLE)
    return (
        [(_fts, _fts.c.rowid == SearchEntry.id)],
        fts.op("MATCH")(fts_query(stems)),
        # bm25: lower is better; a word in the title weighs as much as ten in the text.
        func.bm25(fts, literal_column("10.0"), literal_column("1.0")).asc(),
    )


def search(user: User, filters: SearchFilters) -> SearchResult:
    """What the user may see that matches, best first, a page at a time.

    A fixed number of queries: the count, the page, one per kind of item on the page for what the
    page shows of it, and one for the meetings they belong to.
    """
    text = " ".join(filters.text.split())[:QUERY_MAX]
    stems = query_stems(text)
    if text and not stems:
        return SearchResult(only_stop_words=bool(words(text)), no_words=not words(text))
    member_of = list(user.roles)
    conditions: list[ColumnElement[bool]] = [SearchEntry.body_id.in_(member_of) if member_of else false()]
    if filters.body_id:
        conditions.append(SearchEntry.body_id == filters.body_id)
    if filters.cycle_id:
        conditions.append(SearchEntry.cycle_id == filters.cycle_id)
    if filters.theme_id:
        conditions.append(SearchEntry.theme_id == filters.theme_id)
    if filters.kind:
        conditions.append(SearchEntry.kind == filters.kind)
    conditions.append(_visible_entries(user))

    joins: list[Any] = []
    order: list[Any] = []
    if stems:
        joins, condition, rank = _matching(db.engine.dialect.name, text, stems)
        conditions.append(condition)  # type: ignore[arg-type]
        order.append(rank)
    order.append(SearchEntry.id.desc())

    def base(*columns: Any) -> Select[Any]:
        query = select(*columns).select_from(SearchEntry)
        for target, on in joins:
            query = query.join(target, on)
        return query.where(*conditions)

    total = db.session.scalar(base(func.count())) or 0
    result = SearchResult(total=total)
    result.page = min(max(1, filters.page), result.pages)
    if not total:
        return result
    rows = db.session.execute(
        base(
            SearchEntry.object_type,
            SearchEntry.object_id,
            SearchEntry.kind,
            SearchEntry.title,
            SearchEntry.text,
            SearchEntry.body_id,
        )
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((result.page - 1) * PAGE_SIZE)
    ).all()
    result.hits = _hits(user, rows, frozenset(stems))
    return result


# --- what a hit shows -------------------------------------------------------------------------------------


@dataclass
class _Detail:
    meeting_id: int | None
    audience: Audience
    when: date | datetime | None = None
    title: str | None = None
    context: str | None = None


def _details(object_type: str, ids: list[int]) -> dict[int, _Detail]:
    """For one kind of item on the page: what its hit shows besides the entry. One query."""
    found: dict[int, _Detail] = {}
    if object_type == "agenda_items":
        for ident, meeting_id, audience in db.session.execute(
            select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.audience).where(AgendaItem.id.in_(ids))
        ):
            found[ident] = _Detail(meeting_id, audience)
    elif object_type == "decisions":
        for ident, meeting_id, audience, item_title in db.session.execute(
            select(Decision.id, Decision.meeting_id, Decision.audience, AgendaItem.title)
            .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
            .where(Decision.id.in_(ids))
        ):
            found[ident] = _Detail(meeting_id, audience, title=item_title)
    elif object_type == "minutes":
        for ident, meeting_id, audience in db.session.execute(
            select(Minutes.id, Minutes.meeting_id, Minutes.audience).where(Minutes.id.in_(ids))
        ):
            found[ident] = _Detail(meeting_id, audience)
    elif object_type == "documents":
        for ident, meeting_id, audience, uploaded_at in db.session.execute(
            select(Document.id, Document.meeting_id, Document.audience, Document.uploaded_at).where(
                Document.id.in_(ids)
            )
        ):
            found[ident] = _Detail(meeting_id, audience, when=uploaded_at)
    elif object_type == "notes":
        for ident, note_meeting_id, audience, created_at in db.session.execute(
            select(Note.id, Note.meeting_id, Note.audience, Note.created_at).where(Note.id.in_(ids))
        ):
            found[ident] = _Detail(note_meeting_id, audience, when=created_at)
    elif object_type == "cases":
        for case in db.session.scalars(select(Case).where(Case.id.in_(ids))):
            context = f"{case.reference} · {case.kenmerk}" if case.kenmerk else case.reference
            found[case.id] = _Detail(None, case.audience, when=case.created_at, context=context)
    return found


_LINKS: dict[str, tuple[str, str]] = {
    "agenda_items": ("meetings.agenda_item", "item_id"),
    "decisions": ("meetings.decision", "decision_id"),
    "documents": ("meetings.document_download", "document_id"),
    "notes": ("meetings.note", "note_id"),
    "cases": ("cases.case", "case_id"),
}


def _hits(user: User, rows: Sequence[Any], stems: frozenset[str]) -> list[Hit]:
    by_type: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_type[row.object_type].append(row.object_id)
    details = {object_type: _details(object_type, ids) for object_type, ids in by_type.items()}
    meeting_ids = {d.meeting_id for found in details.values() for d in found.values() if d.meeting_id}
    # Only meetings the user may see are named (an item can be seen in a meeting that is hidden).
    meetings = {
        m.id: m
        for m in db.session.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at).where(
                Meeting.id.in_(meeting_ids), visible(user, Meeting)
            )
        )
    }
    bodies = dict(db.session.execute(select(Body.id, Body.name).where(Body.id.in_({r.body_id for r in rows}))).all())
    hits = []
    for row in rows:
        detail = details[row.object_type].get(row.object_id)
        if detail is None:  # gone since the count; the next search will not find it
            continue
        meeting = meetings.get(detail.meeting_id) if detail.meeting_id else None
        if row.object_type == "minutes":
            if meeting is None:
                continue
            endpoint, args = "meetings.minutes", {"meeting_id": detail.meeting_id}
        else:
            endpoint, key = _LINKS[row.object_type]
            args = {key: row.object_id}
        title = row.title or detail.title or ""
        hits.append(
            Hit(
                kind=row.kind,
                title=highlight(title, stems),
                snippet=snippet(row.text, stems),
                endpoint=endpoint,
                args=args,
                body=bodies.get(row.body_id, ""),
                context=meeting.title if meeting else detail.context,
                when=meeting.starts_at if meeting and detail.when is None else detail.when,
                audience=detail.audience,
            )
        )
    return hits


# --- the filters' choices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    bodies: list[tuple[int, str]]
    cycles: list[tuple[int, str]]
    themes: list[tuple[int, str]]


def filter_choices(user: User) -> FilterChoices:
    """The bodies the user is a member of, their cycles, and the themes the user meets on them."""
    member_of = list(user.roles)
    bodies = db.session.execute(select(Body.id, Body.name).where(Body.id.in_(member_of)).order_by(Body.name)).all()
    names = dict(bodies)
    cycles = [
        (ident, f"{names[body_id]} · {label(season)} {year}")
        for ident, body_id, season, year in db.session.execute(
            select(Cycle.id, Cycle.body_id, Cycle.season, Cycle.year)
            .where(visible(user, Cycle))
            .order_by(Cycle.meeting_date.desc())
        )
    ]
    # Only themes the user meets on what they may see: a list of all themes would hint at other
    # bodies' work (as on the decisions page).
    themes = db.session.execute(
        select(Theme.id, Theme.name)
        .where(
            # Per theme (a few dozen), the first visible item on it, by index; not every visible item.
            or_(
                exists().where(AgendaItem.theme_id == Theme.id, visible(user, AgendaItem)),
                exists().where(Case.theme_id == Theme.id, visible(user, Case)),
            )
        )
        .order_by(Theme.name)
    ).all()
    return FilterChoices(bodies=[(i, n) for i, n in bodies], cycles=cycles, themes=[(i, n) for i, n in themes])


# --- filling the index ------------------------------------------------------------------------------------


def reindex() -> tuple[int, int]:
    """Read the text of documents that have none (again), then rebuild the whole index; returns the
    index's entries and the documents that got a text. The caller commits."""
    read_again(SYSTEM)
    db.session.commit()  # reading happens outside any transaction
    extracted = read_texts(process_token(), everything=True)[TextStatus.GELEZEN]
    entries = index.rebuild(db.session.connection())
    return entries, extracted
