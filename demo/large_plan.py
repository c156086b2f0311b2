"""Ten years of work at the generated tables, planned as rows to write in bulk and the records they leave.

This module holds what the plan's parts share (``Planner``: ids, moments, texts, who may be named);
``large_meetings``, ``large_decisions`` and ``large_cases`` plan the parts.

Per body two cycles a year, each with its milestones, a meeting and its agenda (the body's standing
items and the items of its own), documents, attendance, decisions, comments on the concept
besluitenlijst, minutes, and the actions and commitments that follow, each with its history. Every
object keeps the rules the services keep: a part never reaches further than its whole, items wait for
the agenda's publication, decisions and what follows from them for the besluitenlijst's, a
vertrouwelijk item names its maker and only people who may see what it belongs to, nothing happens
after the moment the plan is made. Ids are given here (the tables hold only the demo's rows below
them), so that rows and records can refer to each other before anything is written.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date

from auth.models import AudienceGrant
from cases.models import Case, CaseEvent
from core.acting import Actor
from core.dates import local_to_utc, to_local
from core.db import Audience, Side
from demo.large_cast import Person, Table, World
from demo.large_trail import Trail
from meetings.models import (
    AgendaItem,
    Attendance,
    Cycle,
    Decision,
    DecisionComment,
    Document,
    Meeting,
    Milestone,
    Minutes,
    Season,
)

#: The tables the plan fills, in an order that keeps every foreign key satisfied.
TABLES = (
    Cycle,
    Meeting,
    Milestone,
    AgendaItem,
    Document,
    Attendance,
    Decision,
    DecisionComment,
    Minutes,
    Case,
    CaseEvent,
    AudienceGrant,
)

#: Half-years' meeting dates (month, day): spring and autumn, as BO's meet twice a year.
_SEASONS = {Season.VOORJAAR: ((3, 10), (6, 25)), Season.NAJAAR: ((9, 15), (12, 15))}
#: A cycle is created this long before its meeting (requests close 42 days before it).
PLANNED_AHEAD = timedelta(days=60)

AUDIENCES = [Audience.OPENBAAR, Audience.OVERLEG, Audience.RIJK, Audience.REGIO, Audience.VERTROUWELIJK]
#: Within a part of this audience, the audiences a part of it may have (None: any).
_WITHIN: dict[Audience, list[Audience] | None] = {
    Audience.OPENBAAR: None,
    Audience.OVERLEG: None,
    Audience.RIJK: [Audience.RIJK, Audience.VERTROUWELIJK],
    Audience.REGIO: [Audience.REGIO, Audience.VERTROUWELIJK],
    Audience.VERTROUWELIJK: [Audience.VERTROUWELIJK],
}


def slots(years: int, today: date) -> list[tuple[int, Season, date, date]]:
    """The half-years of the last ``years`` years whose cycle can have been created by ``today``, oldest
    first, each with the first and last day its meeting may be on."""
    found: list[tuple[int, Season, date, date]] = []
    year, season = today.year, Season.NAJAAR
    while len(found) < years * 2:
        (lo_month, lo_day), (hi_month, hi_day) = _SEASONS[season]
        lo, hi = date(year, lo_month, lo_day), date(year, hi_month, hi_day)
        if lo - PLANNED_AHEAD <= today:
            found.append((year, season, lo, min(hi, today + PLANNED_AHEAD)))
        year, season = (year, Season.VOORJAAR) if season is Season.NAJAAR else (year - 1, Season.NAJAAR)
    return found[::-1]


def allocate(rng: random.Random, total: int, weights: list[float], least: list[int] | None = None) -> list[int]:
    """``total`` spread over the places with these weights (each place at least ``least``): exact counts."""
    counts = list(least) if least is not None else [0] * len(weights)
    rest = total - sum(counts)
    if rest > 0 and weights:
        for index in rng.choices(range(len(weights)), weights, k=rest):
            counts[index] += 1
    return counts


@dataclass
class PlannedMeeting:
    row: dict[str, Any]
    table: Table
    day: date
    published_at: datetime | None
    held: bool
    besluitenlijst_at: datetime | None = None
    adopted_at: datetime | None = None
    items: list[PlannedItem] = field(default_factory=list)
    decisions: list[PlannedPart] = field(default_factory=list)

    @property
    def audience(self) -> Audience:
        return Audience(self.row["audience"])


@dataclass
class PlannedItem:
    row: dict[str, Any]
    meeting: PlannedMeeting
    creator: Person
    named: list[int]
    subject: str
    bottleneck: str

    @property
    def audience(self) -> Audience:
        return Audience(self.row["audience"])


@dataclass
class PlannedPart:
    """A decision (or what else hangs from an item): its row, its item, who made it, who is named."""

    row: dict[str, Any]
    item: PlannedItem
    creator: Person
    named: list[int]

    @property
    def audience(self) -> Audience:
        return Audience(self.row["audience"])


class Planner:
    """Plans the generated tables' history; ``rows`` per table and the ``trail`` afterwards hold it."""

    def __init__(
        self,
        rng: random.Random,
        world: World,
        trail: Trail,
        *,
        first_ids: dict[str, int],
        now: datetime,
        store: Callable[[bytes], str],
    ) -> None:
        self.rng = rng
        self.world = world
        self.trail = trail
        self.store = store
        self.limit = now - timedelta(minutes=1)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ids = {table: itertools.count(first) for table, first in first_ids.items()}
        self._numbers = itertools.count(1)

    # --- helpers -------------------------------------------------------------------------------------

    def new(self, model: type[Any], **values: Any) -> dict[str, Any]:
        row = {"id": next(self._ids[model.__tablename__]), **values}
        self.rows[model.__tablename__].append(row)
        return row

    def reference(self, day: date) -> str:
        """A reference no other generated object has: what a search for one finds it by."""
        return f"{day.year}{next(self._numbers):06d}"

    def when(self, lo: datetime, hi: datetime) -> datetime:
        """A moment in office hours between ``lo`` and ``hi`` (``lo`` when the span is empty), never after now."""
        hi = min(hi, self.limit)
        if hi <= lo:
            return lo
        days = (to_local(hi).date() - to_local(lo).date()).days
        day = to_local(lo).date() + timedelta(days=self.rng.randint(0, days))
        moment = local_to_utc(day, time(self.rng.randint(8, 17), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50))))
        return min(max(moment, lo), hi)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return local_to_utc(day, time(hour, minute))

    def text(self, template: str, table: Table, subject: str, bottleneck: str, day: date) -> str:
        rng = self.rng
        organisation = rng.choice(table.organisations)[1]
        return template.format(
            s=subject,
            S=subject[0].upper() + subject[1:],
            k=bottleneck,
            p=rng.choice(table.places),
            o=organisation,
            j=day.year + rng.randint(0, 3),
            b=rng.choice((2, 5, 7.5, 12, 20, 35, 60, 120)),
            d=format_date(day + timedelta(days=rng.randint(30, 200)), "d MMMM yyyy", locale="nl"),
        )

    def named(self, table: Table, maker: Person, admitted: Callable[[Person], bool]) -> list[int]:
        """The people a vertrouwelijk part names: its maker and one to three members who may see its whole."""
        others = sorted(
            {p.id: p for p, _role in table.members if p.id != maker.id and admitted(p)}.values(), key=lambda p: p.id
        )
        chosen = self.rng.sample(others, min(len(others), self.rng.randint(1, 3)))
        return sorted({maker.id, *(p.id for p in chosen)})

    def share(
        self,
        moment: datetime,
        actor: Actor,
        service: str,
        kind: str,
        ident: int,
        named: list[int],
        after: dict[str, Any],
    ) -> None:
        """The grants of a vertrouwelijk object, and their records (``auth.services.share``)."""
        for user_id in named:
            grant = self.new(AudienceGrant, object_type=kind, object_id=ident, user_id=user_id, created_at=moment)
            self.trail.created(moment, actor, service, AudienceGrant, grant, visibility={"after": after})

    def admits(self, audience: Audience, named: list[int]) -> Callable[[Person], bool]:
        if audience is Audience.RIJK:
            return lambda p: p.side is Side.RIJK
        if audience is Audience.REGIO:
            return lambda p: p.side is Side.REGIO
        if audience is Audience.VERTROUWELIJK:
            return lambda p: p.id in named
        return lambda p: True

    def within(self, audience: Audience, mix: list[int]) -> Audience:
        allowed = _WITHIN[audience]
        if allowed is None:
            return self.rng.choices(AUDIENCES, mix)[0]
        return allowed[0] if len(allowed) == 1 or self.rng.random() < 0.9 else allowed[1]

    def maker(self, table: Table, audience: Audience) -> Person:
        """Who makes a part of this audience: the secretariat of its side (nobody makes an item for the
        other side only), else mostly the Rijk's."""
        if audience is Audience.REGIO or (audience is not Audience.RIJK and self.rng.random() < 0.2):
            return table.secretariat[Side.REGIO]
        return table.secretariat[Side.RIJK]
