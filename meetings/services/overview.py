"""The page of all decisions of a user's bodies, with filters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import contains_eager

from auth.models import User
from auth.policy import visible
from core.dates import to_local, today
from core.extensions import db
from core.labels import label
from core.spreadsheet import Column, Table
from meetings.models import AgendaItem, Body, Cycle, Decision, Document, Meeting, ReviewStatus, Theme
from meetings.services.numbering import Numbering, numberings, numbers_for

PAGE_SIZE = 50


@dataclass(frozen=True)
class DecisionFilters:
    body_id: int | None = None
    theme_id: int | None = None
    meeting_id: int | None = None
    status: ReviewStatus | None = None
    page: int = 1


@dataclass
class DecisionOverview:
    decisions: list[Decision]
    total: int
    page: int
    documents_by_item: dict[int, list[Document]] = field(default_factory=dict)
    later_by_decision: dict[int, list[Decision]] = field(default_factory=dict)
    #: The decisions' and their items' numbers as the reader sees them.
    numbers: Numbering = field(default_factory=Numbering)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def decisions_overview(user: User, filters: DecisionFilters) -> DecisionOverview:
    """Decisions the user may see, newest meeting first, a page at a time (six queries)."""
    base = _selection(user, filters)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    # Past the last page is the last page (and no offset a database cannot hold).
    page = min(max(1, filters.page), max(1, -(-total // PAGE_SIZE)))
    decisions = list(db.session.scalars(_in_order(base).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique())
    return _with_documents(user, decisions, total, page)


def decisions_for_export(user: User, filters: DecisionFilters) -> list[Decision]:
    """All decisions the overview finds with these filters (every page), in its order, in one query."""
    return list(db.session.scalars(_in_order(_selection(user, filters))).unique())


DECISION_COLUMNS = (
    Column(_l("Besluit"), 9),
    Column(_l("Tekst"), 70, wrap=True),
    Column(_l("Agendapunt"), 40, wrap=True),
    Column(_l("Thema"), 18),
    Column(_l("Vergadering"), 30),
    Column(_l("Datum vergadering"), 14),
    Column(_l("Overleg"), 20),
    Column(_l("Status besluitenlijst"), 16),
    Column(_l("Zichtbaarheid"), 22),
    Column(_l("Gewijzigd door later besluit"), 14),
)


def decisions_table(user: User, filters: DecisionFilters) -> Table:
    """What the decisions page finds with these filters (every page), as a table to take away."""
    found = decisions_for_export(user, filters)
    numbers = numberings(user, {d.meeting_id for d in found})
    amended: set[int] = set()
    if found:
        # Only amendments the reader may see count: a hidden one must not show through this column.
        amended = set(
            db.session.scalars(
                select(Decision.amends_id).where(Decision.amends_id.in_([d.id for d in found]), visible(user, Decision))
            )
        )
    rows = []
    for decision in found:
        number = numbers[decision.meeting_id]
        item, meeting = decision.agenda_item, decision.meeting
        rows.append(
            [
                number.decision(decision),
                decision.text,
                f"{number.item(item)}. {item.title}",
                item.theme.name if item.theme is not None else None,
                meeting.title,
                to_local(meeting.starts_at).date(),
                meeting.cycle.body.name,
                label(meeting.besluitenlijst_status),
                label(decision.audience),
                decision.id in amended,
            ]
        )
    return Table(sheet=_("Besluiten"), columns=DECISION_COLUMNS, rows=rows)


def decisions_filename() -> str:
    """``besluiten-2026-11-23`` (without extension)."""
    return f"besluiten-{today().isoformat()}"


def _selection(user: User, filters: DecisionFilters) -> Select[Decision]:
    # The row names its meeting: a decision on a meeting the reader may not see is not theirs to list.
    conditions = [visible(user, Decision), visible(user, AgendaItem), visible(user, Meeting)]
    if filters.body_id:
        conditions.append(Decision.body_id == filters.body_id)
    if filters.theme_id:
        conditions.append(AgendaItem.theme_id == filters.theme_id)
    if filters.meeting_id:
        conditions.append(Decision.meeting_id == filters.meeting_id)
    if filters.status:
        conditions.append(Meeting.besluitenlijst_status == filters.status)
    return (
        select(Decision)
        .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(*conditions)
    )


def _in_order(base: Select[Decision]) -> Select[Decision]:
    """Newest meeting first, then the agenda's order; loads item, theme, meeting, cycle and body with it."""
    return (
        base.join(Cycle, Meeting.cycle_id == Cycle.id)
        .join(Body, Cycle.body_id == Body.id)
        .outerjoin(Theme, AgendaItem.theme_id == Theme.id)
        .options(
            contains_eager(Decision.agenda_item).contains_eager(AgendaItem.theme),
            contains_eager(Decision.meeting).contains_eager(Meeting.cycle).contains_eager(Cycle.body),
        )
        .order_by(Meeting.starts_at.desc(), AgendaItem.position, Decision.sequence)
    )


def _with_documents(user: User, decisions: list[Decision], total: int, page: int) -> DecisionOverview:
    item_ids = {d.agenda_item_id for d in decisions}
    documents: dict[int, list[Document]] = defaultdict(list)
    if item_ids:
        for document in db.session.scalars(
            select(Document)
            .where(Document.agenda_item_id.in_(item_ids), visible(user, Document))
            .order_by(Document.uploaded_at, Document.id)
        ):
            documents[document.agenda_item_id].append(document)  # type: ignore[index]
    later: dict[int, list[Decision]] = defaultdict(list)
    if decisions:
        for amendment in db.session.scalars(
            select(Decision).where(Decision.amends_id.in_([d.id for d in decisions]), visible(user, Decision))
        ):
            later[amendment.amends_id].append(amendment)  # type: ignore[index]
    return DecisionOverview(
        decisions=decisions,
        total=total,
        page=page,
        documents_by_item=dict(documents),
        later_by_decision=dict(later),
        numbers=numbers_for(user, {d.meeting_id for d in decisions}),
    )


def filter_choices(user: User) -> tuple[list[Body], list[Theme], list[Meeting]]:
    """The bodies, themes and meetings a user can filter by (only ones they can see)."""
    bodies = list(db.session.scalars(select(Body).where(visible(user, Body)).order_by(Body.name)))
    # Only themes the user meets on an agenda: a list of all themes would hint at other bodies' work.
    themes = list(
        db.session.scalars(
            select(Theme)
            # Per theme (a few dozen) the first visible item on it, by index; not every visible item.
            .where(exists().where(AgendaItem.theme_id == Theme.id, visible(user, AgendaItem)))
            .order_by(Theme.name)
        )
    )
    meetings = list(
        db.session.scalars(select(Meeting).where(visible(user, Meeting)).order_by(Meeting.starts_at.desc()))
    )
    return bodies, themes, meetings
