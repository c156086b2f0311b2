"""Ten years of work at the generated tables, planned as rows to write in bulk and the records they leave.

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
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date

from auth.models import AudienceGrant, Role, User
from cases.models import Case, CaseEvent, CaseType, EventKind
from core.acting import SYSTEM, Actor
from core.dates import local_to_utc, to_local
from core.db import Audience, Side
from demo import large_data as data
from demo.large_cast import Person, Table, World
from demo.large_trail import Pending, Trail, state
from demo.pdf import pdf_text, text_pdf
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    CommentStatus,
    Cycle,
    Decision,
    DecisionComment,
    Document,
    Meeting,
    Milestone,
    MilestoneKind,
    Minutes,
    Placement,
    ReviewStatus,
    Season,
    TextStatus,
)
from meetings.models.cycle import DEFAULT_MILESTONE_OFFSETS
from meetings.services.agenda import PROGRESS_DESCRIPTION
from meetings.services.cycles import meeting_title
from meetings.services.standing import DEFAULT_STANDING_ITEMS

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
_PLANNED_AHEAD = timedelta(days=60)

_AUDIENCES = [Audience.OPENBAAR, Audience.OVERLEG, Audience.RIJK, Audience.REGIO, Audience.VERTROUWELIJK]
_ITEM_MIX = [20, 55, 12, 6, 7]
_DOCUMENT_MIX = [20, 55, 10, 8, 7]
_KINDS = [
    AgendaItemKind.TER_BESLUITVORMING,
    AgendaItemKind.TER_BESPREKING,
    AgendaItemKind.TER_INFORMATIE,
    AgendaItemKind.HAMERSTUK,
]
_KIND_MIX = [35, 35, 25, 5]
_DECIDES = {
    AgendaItemKind.TER_BESLUITVORMING: 3.0,
    AgendaItemKind.TER_BESPREKING: 1.5,
    AgendaItemKind.HAMERSTUK: 1.0,
    AgendaItemKind.TER_INFORMATIE: 0.5,
}
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
        if lo - _PLANNED_AHEAD <= today:
            found.append((year, season, lo, min(hi, today + _PLANNED_AHEAD)))
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

    def _new(self, model: type[Any], **values: Any) -> dict[str, Any]:
        row = {"id": next(self._ids[model.__tablename__]), **values}
        self.rows[model.__tablename__].append(row)
        return row

    def _number(self, day: date) -> str:
        """A reference no other generated object has: what a search for one finds it by."""
        return f"{day.year}{next(self._numbers):06d}"

    def _moment(self, lo: datetime, hi: datetime) -> datetime:
        """A moment in office hours between ``lo`` and ``hi`` (``lo`` when the span is empty), never after now."""
        hi = min(hi, self.limit)
        if hi <= lo:
            return lo
        days = (to_local(hi).date() - to_local(lo).date()).days
        day = to_local(lo).date() + timedelta(days=self.rng.randint(0, days))
        moment = local_to_utc(day, time(self.rng.randint(8, 17), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50))))
        return min(max(moment, lo), hi)

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return local_to_utc(day, time(hour, minute))

    def _text(self, template: str, table: Table, subject: str, bottleneck: str, day: date) -> str:
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

    def _named(self, table: Table, maker: Person, admitted: Callable[[Person], bool]) -> list[int]:
        """The people a vertrouwelijk part names: its maker and one to three members who may see its whole."""
        others = sorted(
            {p.id: p for p, _role in table.members if p.id != maker.id and admitted(p)}.values(), key=lambda p: p.id
        )
        chosen = self.rng.sample(others, min(len(others), self.rng.randint(1, 3)))
        return sorted({maker.id, *(p.id for p in chosen)})

    def _share(
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
            grant = self._new(AudienceGrant, object_type=kind, object_id=ident, user_id=user_id, created_at=moment)
            self.trail.created(moment, actor, service, AudienceGrant, grant, visibility={"after": after})

    def _admits(self, audience: Audience, named: list[int]) -> Callable[[Person], bool]:
        if audience is Audience.RIJK:
            return lambda p: p.side is Side.RIJK
        if audience is Audience.REGIO:
            return lambda p: p.side is Side.REGIO
        if audience is Audience.VERTROUWELIJK:
            return lambda p: p.id in named
        return lambda p: True

    def _within(self, audience: Audience, mix: list[int]) -> Audience:
        allowed = _WITHIN[audience]
        if allowed is None:
            return self.rng.choices(_AUDIENCES, mix)[0]
        return allowed[0] if len(allowed) == 1 or self.rng.random() < 0.9 else allowed[1]

    def _maker(self, table: Table, audience: Audience) -> Person:
        """Who makes a part of this audience: the secretariat of its side (nobody makes an item for the
        other side only), else mostly the Rijk's."""
        if audience is Audience.REGIO or (audience is not Audience.RIJK and self.rng.random() < 0.2):
            return table.secretariat[Side.REGIO]
        return table.secretariat[Side.RIJK]

    # --- cycles, meetings, agendas ------------------------------------------------------------------

    def plan(self, scale: Any) -> None:
        """Everything, in the order the parts depend on each other."""
        meetings = self.cycles(scale.years, scale.agenda_items)
        self.documents(meetings, scale.documents)
        decisions = self.decisions(meetings, scale.decisions)
        self.comments(decisions, scale.comments)
        self.lists_and_minutes(meetings)
        self.cases(decisions, scale.cases)

    def cycles(self, years: int, agenda_items: int) -> list[PlannedMeeting]:
        today = to_local(self.limit).date()
        planned = [(table, slot) for table in self.world.tables for slot in slots(years, today)]
        standing = len(DEFAULT_STANDING_ITEMS)
        per_meeting = allocate(
            self.rng, agenda_items - standing * len(planned), [1.0] * len(planned), [2] * len(planned)
        )
        meetings = []
        for (table, slot), own in zip(planned, per_meeting, strict=True):
            meetings.append(self._cycle(table, slot, own))
        return meetings

    def _cycle(self, table: Table, slot: tuple[int, Season, date, date], own: int) -> PlannedMeeting:
        rng, trail = self.rng, self.trail
        year, season, lo, hi = slot
        days = [lo + timedelta(days=n) for n in range((hi - lo).days + 1)]
        day = rng.choice([d for d in days if d.weekday() in (1, 2, 3)] or days)
        secretary = table.secretariat[Side.RIJK]
        actor = secretary.actor
        created = min(self._at(day - _PLANNED_AHEAD, 10), self.limit - timedelta(hours=3))
        cycle = self._new(Cycle, body_id=table.id, year=year, season=season, meeting_date=day, created_at=created)
        service = "meetings.create_cycle"
        start = rng.choice((10, 13))
        meeting_row = self._new(
            Meeting,
            cycle_id=cycle["id"],
            title=meeting_title(_Named(table.name), day),  # type: ignore[arg-type]
            starts_at=self._at(day, start),
            ends_at=self._at(day, start + 2),
            location=f"{rng.choice(table.places)}, provinciehuis" if rng.random() < 0.5 else "Den Haag, ministerie",
            kenmerk=None,
            chair=table.chair,
            agenda_published_at=None,
            besluitenlijst_status=ReviewStatus.CONCEPT,
            besluitenlijst_published_at=None,
            besluitenlijst_adopted_at=None,
            progress_item_added_at=None,
            created_at=created,
            audience=Audience.OVERLEG,
            body_id=table.id,
        )
        seen = state(Audience.OVERLEG)
        trail.created(created, actor, service, Cycle, cycle, visibility={"after": seen})
        for kind in MilestoneKind:
            milestone = self._new(
                Milestone,
                cycle_id=cycle["id"],
                body_id=table.id,
                kind=kind,
                due_date=day + timedelta(days=DEFAULT_MILESTONE_OFFSETS[kind.value]),
            )
            trail.created(created, actor, service, Milestone, milestone, visibility={"after": seen})
        trail.created(created, actor, service, Meeting, meeting_row, visibility={"after": seen})
        published = self._at(day - timedelta(days=7), 10)
        meeting = PlannedMeeting(
            meeting_row,
            table,
            day,
            published_at=published if published <= self.limit else None,
            held=meeting_row["ends_at"] + timedelta(minutes=30) <= self.limit,
        )
        waiting = state(Audience.OVERLEG, released=False)
        begin = [s for s in DEFAULT_STANDING_ITEMS if s[2] is Placement.BEGIN]
        closing = []
        for position, (title, item_kind, placement, progress) in enumerate(
            begin + [s for s in DEFAULT_STANDING_ITEMS if s[2] is Placement.EIND], start=1
        ):
            row = self._item_row(meeting, position, title, item_kind, None, None, Audience.OVERLEG, created)
            row.update(
                description=PROGRESS_DESCRIPTION if progress else "", is_progress_report=progress, standing=placement
            )
            trail.created(created, actor, service, AgendaItem, row, visibility={"after": waiting})
            if placement is Placement.EIND:
                closing.append(row)
        meeting_row["progress_item_added_at"] = created
        trail.updated(
            created,
            actor,
            service,
            Meeting,
            meeting_row,
            {"progress_item_added_at": (None, created)},
            visibility={"after": seen, "before": seen},
        )

        first = max(created + timedelta(days=1), self._at(day - timedelta(days=42), 9))
        last = min(self._at(day - timedelta(days=8), 17), self.limit - timedelta(hours=2))
        moments = sorted(self._moment(min(first, last), last) for _ in range(own))
        for offset, moment in enumerate(moments):
            moment = max(moment, created + timedelta(minutes=offset + 1))
            item = self._content_item(meeting, len(begin) + offset + 1, moment)
            meeting.items.append(item)
            for row in closing:
                row["position"] += 1
                trail.updated(
                    moment,
                    item.creator.actor,
                    "meetings.add_agenda_item",
                    AgendaItem,
                    row,
                    {"position": (row["position"] - 1, row["position"])},
                    visibility={"after": waiting, "before": waiting},
                )
        if meeting.published_at is not None:
            meeting_row["agenda_published_at"] = meeting.published_at
            trail.updated(
                meeting.published_at,
                actor,
                "meetings.publish_agenda",
                Meeting,
                meeting_row,
                {"agenda_published_at": (None, meeting.published_at)},
                visibility={"after": seen, "before": seen},
            )
        if meeting.held:
            self._attendance(meeting)
        return meeting

    def _item_row(
        self,
        meeting: PlannedMeeting,
        position: int,
        title: str,
        kind: AgendaItemKind,
        organisation_id: int | None,
        theme_id: int | None,
        audience: Audience,
        moment: datetime,
    ) -> dict[str, Any]:
        return self._new(
            AgendaItem,
            meeting_id=meeting.row["id"],
            position=position,
            title=title[:200],
            description="",
            kind=kind,
            organisation_id=organisation_id,
            theme_id=theme_id,
            duration_minutes=None,
            is_progress_report=False,
            standing=None,
            created_at=moment,
            audience=audience,
            body_id=meeting.table.id,
        )

    def _content_item(self, meeting: PlannedMeeting, position: int, moment: datetime) -> PlannedItem:
        rng, table = self.rng, meeting.table
        theme_id, theme = rng.choice(table.themes)
        subjects, bottlenecks = data.SUBJECTS[theme]
        subject, bottleneck = rng.choice(subjects), rng.choice(bottlenecks)
        audience = rng.choices(_AUDIENCES, _ITEM_MIX)[0]
        creator = self._maker(table, audience)
        titles = {
            Audience.RIJK: data.RIJK_TITLES,
            Audience.REGIO: data.REGIO_TITLES,
            Audience.VERTROUWELIJK: data.CONFIDENTIAL_TITLES,
        }.get(audience, data.ITEM_TITLES)
        title = self._text(rng.choice(titles), table, subject, bottleneck, meeting.day)
        sides = [
            o for o in table.organisations if audience.value not in ("rijk", "regio") or o[2].value == audience.value
        ]
        organisation_id = rng.choice(sides)[0] if rng.random() < 0.7 else None
        row = self._item_row(
            meeting, position, title, rng.choices(_KINDS, _KIND_MIX)[0], organisation_id, theme_id, audience, moment
        )
        sentences = rng.sample(data.SENTENCES, 2)
        row["description"] = " ".join(self._text(s, table, subject, bottleneck, meeting.day) for s in sentences)
        row["description"] += f" (zaaknummer {self._number(meeting.day)})"
        row["duration_minutes"] = rng.choice((None, 10, 15, 20, 30, 45))
        named = self._named(table, creator, lambda p: True) if audience is Audience.VERTROUWELIJK else []
        after = state(audience, named, released=False)
        self.trail.created(
            moment, creator.actor, "meetings.add_agenda_item", AgendaItem, row, visibility={"after": after}
        )
        if named:
            self._share(moment, creator.actor, "meetings.add_agenda_item", "agenda_items", row["id"], named, after)
        return PlannedItem(row, meeting, creator, named, subject, bottleneck)

    def _attendance(self, meeting: PlannedMeeting) -> None:
        moment = meeting.row["ends_at"] + timedelta(minutes=30)
        actor = meeting.table.secretariat[Side.RIJK].actor
        for seat_id in meeting.table.seats:
            status = self.rng.choices(list(AttendanceStatus), [85, 10, 5])[0]
            row = self._new(
                Attendance,
                meeting_id=meeting.row["id"],
                seat_id=seat_id,
                body_id=meeting.table.id,
                status=status,
                replaced_by="de plaatsvervanger" if status is AttendanceStatus.VERVANGEN else None,
            )
            self.trail.created(
                moment,
                actor,
                "meetings.record_attendance",
                Attendance,
                row,
                visibility={"after": state(meeting.audience)},
            )

    # --- documents ---------------------------------------------------------------------------------

    def documents(self, meetings: list[PlannedMeeting], total: int) -> None:
        places: list[tuple[PlannedMeeting, PlannedItem | None]] = []
        weights: list[float] = []
        for meeting in meetings:
            places.append((meeting, None))
            weights.append(0.3)
            for item in meeting.items:
                places.append((meeting, item))
                weights.append(1.0)
        for (where, part_of), count in zip(places, allocate(self.rng, total, weights), strict=True):
            for _ in range(count):
                self._document(where, part_of)

    def _document(self, meeting: PlannedMeeting, item: PlannedItem | None) -> None:
        rng, table = self.rng, meeting.table
        whole_audience = item.audience if item is not None else meeting.audience
        audience = self._within(whole_audience, _DOCUMENT_MIX)
        if item is not None and item.audience is Audience.VERTROUWELIJK:
            uploader = item.creator
        elif audience is Audience.VERTROUWELIJK:
            uploader = self._maker(table, whole_audience)
        else:
            uploader = self._maker(table, audience)
            owners = (
                [
                    p
                    for p in table.people(Role.DEELNEMER, organisation_id=item.row["organisation_id"])
                    if self._admits(audience, [])(p)
                ]
                if item is not None and item.row["organisation_id"]
                else []
            )
            if owners and rng.random() < 0.3:
                uploader = rng.choice(owners)
        whole_named = item.named if item is not None else []
        if audience is Audience.VERTROUWELIJK:
            named = self._named(table, uploader, self._admits(whole_audience, whole_named))
        else:
            named = []
        day = meeting.day
        if item is None:
            lo, hi = self._at(day - timedelta(days=12), 9), self._at(day - timedelta(days=7), 9)
        elif meeting.published_at is not None and rng.random() < 0.1:
            lo, hi = self._at(day - timedelta(days=7), 11), self._at(day - timedelta(days=1), 17)
        else:
            lo, hi = item.row["created_at"] + timedelta(hours=1), self._at(day - timedelta(days=8), 17)
        floor = item.row["created_at"] if item is not None else meeting.row["created_at"]
        moment = max(self._moment(lo, hi), floor + timedelta(minutes=1))
        moment = min(moment, self.limit - timedelta(minutes=10))

        if item is None:
            kind = "Annotatie voor de bewindspersonen" if audience is Audience.RIJK else "Geannoteerde agenda"
            title = f"{kind}, {meeting.row['title']}"
            subject, bottleneck = rng.choice(data.SUBJECTS[rng.choice(table.themes)[1]][0]), "de planning"
        else:
            kinds = {Audience.RIJK: data.RIJK_DOCUMENTS, Audience.REGIO: data.REGIO_DOCUMENTS}.get(
                audience, data.DOCUMENT_KINDS
            )
            subject, bottleneck = item.subject, item.bottleneck
            title = f"{rng.choice(kinds)} {subject}"
        number = self._number(day)
        paragraphs = [f"Kenmerk {number}. {table.name}, {format_date(day, 'd MMMM yyyy', locale='nl')}."]
        paragraphs += [self._text(s, table, subject, bottleneck, day) for s in rng.sample(data.SENTENCES, 3)]
        content = text_pdf(title, paragraphs)
        released = meeting.published_at is not None and moment >= meeting.published_at
        row = self._new(
            Document,
            meeting_id=meeting.row["id"],
            agenda_item_id=item.row["id"] if item is not None else None,
            title=title[:200],
            filename=_filename(title) + ".pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=self.store(content),
            text_content=pdf_text(title, paragraphs),
            text_status=TextStatus.WACHT,
            text_claimed_by=None,
            text_claimed_until=None,
            uploaded_by_id=uploader.id,
            uploaded_at=moment,
            audience=audience,
            body_id=table.id,
        )
        after = state(audience, named, released=released)
        self.trail.created(moment, uploader.actor, "meetings.add_document", Document, row, visibility={"after": after})
        if named:
            self._share(moment, uploader.actor, "meetings.add_document", "documents", row["id"], named, after)
        # As the scheduler reads it a few minutes later (``meetings.jobs.read_texts``).
        read = moment + timedelta(minutes=rng.randint(1, 5))
        row["text_status"] = TextStatus.GELEZEN
        now_seen = state(audience, named, released=meeting.published_at is not None and read >= meeting.published_at)
        self.trail.updated(
            read,
            SYSTEM,
            "meetings.store_text",
            Document,
            row,
            {"text_status": (TextStatus.WACHT, TextStatus.GELEZEN)},
            visibility={"after": now_seen, "before": now_seen},
        )

    # --- decisions, comments, besluitenlijst, minutes ------------------------------------------------

    def decisions(self, meetings: list[PlannedMeeting], total: int) -> list[PlannedPart]:
        items = [item for meeting in meetings if meeting.held for item in meeting.items]
        least = [0] * len(items)
        index = 0
        for meeting in meetings:
            if meeting.held:
                least[index + self.rng.randrange(len(meeting.items))] = 1
                index += len(meeting.items)
        counts = allocate(self.rng, total, [_DECIDES[i.row["kind"]] for i in items], least)
        made = []
        for item, count in zip(items, counts, strict=True):
            for sequence in range(1, count + 1):
                made.append(self._decision(item, sequence))
        return made

    def _decision(self, item: PlannedItem, sequence: int) -> PlannedPart:
        meeting, table = item.meeting, item.meeting.table
        maker = item.creator if item.audience is Audience.VERTROUWELIJK else self._maker(table, item.audience)
        if item.audience in (Audience.RIJK, Audience.REGIO):
            maker = table.secretariat[Side(item.audience.value)]
        moment = meeting.row["ends_at"] + timedelta(minutes=30 + 2 * len(meeting.decisions))
        text = self._text(self.rng.choice(data.DECISIONS), table, item.subject, item.bottleneck, meeting.day)
        row = self._new(
            Decision,
            meeting_id=meeting.row["id"],
            agenda_item_id=item.row["id"],
            sequence=sequence,
            text=f"{text} (besluitnummer {self._number(meeting.day)})",
            amends_id=None,
            created_at=moment,
            audience=item.audience,
            body_id=table.id,
        )
        named = sorted({*item.named, maker.id}) if item.named else []
        after = state(item.audience, named, released=False)
        self.trail.created(moment, maker.actor, "meetings.add_decision", Decision, row, visibility={"after": after})
        if named:
            self._share(moment, maker.actor, "meetings.add_decision", "decisions", row["id"], named, after)
        part = PlannedPart(row, item, maker, named)
        meeting.decisions.append(part)
        return part

    def lists_and_minutes(self, meetings: list[PlannedMeeting]) -> None:
        """Publish each held meeting's besluitenlijst two weeks after it, with the minutes; adopt both
        three weeks later (the comments are settled by then)."""
        for meeting in meetings:
            if meeting.besluitenlijst_at is None:
                continue
            actor = meeting.table.secretariat[Side.RIJK].actor
            row, seen = meeting.row, state(meeting.audience)
            row["besluitenlijst_status"] = ReviewStatus.TER_COMMENTAAR
            row["besluitenlijst_published_at"] = meeting.besluitenlijst_at
            self.trail.updated(
                meeting.besluitenlijst_at,
                actor,
                "meetings.publish_besluitenlijst",
                Meeting,
                row,
                {
                    "besluitenlijst_status": (ReviewStatus.CONCEPT, ReviewStatus.TER_COMMENTAAR),
                    "besluitenlijst_published_at": (None, meeting.besluitenlijst_at),
                },
                visibility={"after": seen, "before": seen},
            )
            self._minutes(meeting, actor)
            if meeting.adopted_at is not None:
                row["besluitenlijst_status"] = ReviewStatus.VASTGESTELD
                row["besluitenlijst_adopted_at"] = meeting.adopted_at
                self.trail.updated(
                    meeting.adopted_at,
                    actor,
                    "meetings.adopt_besluitenlijst",
                    Meeting,
                    row,
                    {
                        "besluitenlijst_status": (ReviewStatus.TER_COMMENTAAR, ReviewStatus.VASTGESTELD),
                        "besluitenlijst_adopted_at": (None, meeting.adopted_at),
                    },
                    visibility={"after": seen, "before": seen},
                )

    def _minutes(self, meeting: PlannedMeeting, actor: Actor) -> None:
        assert meeting.besluitenlijst_at is not None
        written = meeting.besluitenlijst_at + timedelta(minutes=5)
        lines = ["De voorzitter opent de vergadering en heet de aanwezigen welkom."]
        for item in meeting.items:
            if item.audience in (Audience.OPENBAAR, Audience.OVERLEG):
                sentence = self._text(
                    self.rng.choice(data.SENTENCES), meeting.table, item.subject, item.bottleneck, meeting.day
                )
                lines.append(f"{item.row['position']}. {item.row['title']}. {sentence}")
        lines.append("De voorzitter sluit de vergadering.")
        row = self._new(
            Minutes,
            meeting_id=meeting.row["id"],
            text="",
            status=ReviewStatus.CONCEPT,
            adopted_at=None,
            updated_at=written,
            audience=meeting.audience,
            body_id=meeting.table.id,
        )
        draft = state(meeting.audience, released=False)
        self.trail.created(written, actor, "meetings.save_minutes", Minutes, row, visibility={"after": draft})
        row["text"] = "\n\n".join(lines)
        self.trail.updated(
            written,
            actor,
            "meetings.save_minutes",
            Minutes,
            row,
            {"text": ("", row["text"])},
            visibility={"after": draft, "before": draft},
        )
        shared = written + timedelta(minutes=5)
        row["status"] = ReviewStatus.TER_COMMENTAAR
        self.trail.updated(
            shared,
            actor,
            "meetings.share_minutes",
            Minutes,
            row,
            {"status": (ReviewStatus.CONCEPT, ReviewStatus.TER_COMMENTAAR)},
            visibility={"after": state(meeting.audience), "before": draft},
        )
        if meeting.adopted_at is not None:
            adopted = meeting.adopted_at + timedelta(minutes=5)
            row.update(status=ReviewStatus.VASTGESTELD, adopted_at=adopted)
            self.trail.updated(
                adopted,
                actor,
                "meetings.adopt_minutes",
                Minutes,
                row,
                {"status": (ReviewStatus.TER_COMMENTAAR, ReviewStatus.VASTGESTELD), "adopted_at": (None, adopted)},
                visibility={"after": state(meeting.audience), "before": state(meeting.audience)},
            )

    def comments(self, decisions: list[PlannedPart], total: int) -> None:
        for part in decisions:
            meeting = part.item.meeting
            if meeting.besluitenlijst_at is None:
                published = self._at(meeting.day + timedelta(days=14), 10)
                if published <= self.limit:
                    meeting.besluitenlijst_at = published
                    adopted = self._at(meeting.day + timedelta(days=35), 10)
                    meeting.adopted_at = adopted if adopted <= self.limit else None
        open_to: list[tuple[PlannedPart, list[Person]]] = []
        for part in decisions:
            if part.item.meeting.besluitenlijst_at is None:
                continue
            authors = [
                p for p in part.item.meeting.table.people(Role.DEELNEMER) if self._admits(part.audience, part.named)(p)
            ]
            if authors:
                open_to.append((part, sorted({p.id: p for p in authors}.values(), key=lambda p: p.id)))
        counts = allocate(self.rng, total, [1.0] * len(open_to)) if open_to else []
        for (part, authors), count in zip(open_to, counts, strict=True):
            for _ in range(count):
                self._comment(part, self.rng.choice(authors))

    def _comment(self, part: PlannedPart, author: Person) -> None:
        rng, meeting, table = self.rng, part.item.meeting, part.item.meeting.table
        published = meeting.besluitenlijst_at
        assert published is not None
        deadline = self._at(meeting.day + timedelta(days=28), 17)
        moment = self._moment(published + timedelta(hours=1), min(deadline, published + timedelta(days=13)))
        text = self._text(rng.choice(data.COMMENTS), table, part.item.subject, part.item.bottleneck, meeting.day)
        row = self._new(
            DecisionComment,
            decision_id=part.row["id"],
            author_id=author.id,
            text=text,
            created_at=moment,
            status=CommentStatus.OPEN,
            response=None,
            handled_by_id=None,
            handled_at=None,
            body_id=table.id,
            organisation_id=author.organisation_id,
        )
        self.trail.created(moment, author.actor, "meetings.comment_on_decision", DecisionComment, row)
        handled = min(moment + timedelta(days=rng.randint(1, 10)), deadline)
        if handled > self.limit:
            return  # still open: the term runs
        outcome = CommentStatus.OVERGENOMEN if rng.random() < 0.3 else CommentStatus.BEANTWOORD
        service, actor = "meetings.handle_comment", part.creator.actor
        if outcome is CommentStatus.OVERGENOMEN:
            before = part.row["text"]
            part.row["text"] = f"{before} Daarbij wordt {rng.choice(table.organisations)[1]} betrokken."
            seen = state(part.audience, part.named)
            self.trail.updated(
                handled,
                actor,
                service,
                Decision,
                part.row,
                {"text": (before, part.row["text"])},
                visibility={"after": seen, "before": seen},
            )
            response = "Overgenomen."
        else:
            response = self._text(rng.choice(data.ANSWERS), table, part.item.subject, part.item.bottleneck, meeting.day)
        row.update(status=outcome, response=response, handled_by_id=part.creator.id, handled_at=handled)
        self.trail.updated(
            handled,
            actor,
            service,
            DecisionComment,
            row,
            {
                "status": (CommentStatus.OPEN, outcome),
                "response": (None, response),
                "handled_by_id": (None, part.creator.id),
                "handled_at": (None, handled),
            },
        )

    # --- actions and commitments -------------------------------------------------------------------

    def cases(self, decisions: list[PlannedPart], total: int) -> None:
        standalone = round(total * 0.2) if decisions else total
        weights = [2.0 if d.item.row["kind"] is AgendaItemKind.TER_BESLUITVORMING else 1.0 for d in decisions]
        counts = allocate(self.rng, total - standalone, weights) if decisions else []
        for part, count in zip(decisions, counts, strict=True):
            for n in range(count):
                self._follow_up(part, n)
        tables = self.world.tables
        start = min(row["created_at"] for row in self.rows["cycles"])
        for _ in range(standalone):
            self._commitment(self.rng.choice(tables), start)

    def _owner(self, table: Table, audience: Audience, named: list[int]) -> tuple[int, Person | None]:
        """The organisation that must deliver, and the person of it who does (if one is at the table)."""
        rng = self.rng
        if audience is Audience.VERTROUWELIJK:
            people = [
                p for p, _r in table.members if p.id in named and p.id not in {s.id for s in table.secretariat.values()}
            ]
            person = rng.choice(people) if people else None
            if person is None:
                return table.secretariat[Side.RIJK].organisation_id, None
            return person.organisation_id, person
        sides = [
            o for o in table.organisations if audience.value not in ("rijk", "regio") or o[2].value == audience.value
        ]
        organisation_id = rng.choice(sides)[0]
        people = table.people(Role.DEELNEMER, organisation_id=organisation_id)
        return organisation_id, (rng.choice(people) if people and rng.random() < 0.85 else None)

    def _case_row(
        self,
        table: Table,
        case_type: CaseType,
        title: str,
        description: str,
        owner: int,
        assignee: Person | None,
        due: date | None,
        creator: Person,
        moment: datetime,
        audience: Audience,
        **links: Any,
    ) -> dict[str, Any]:
        return self._new(
            Case,
            type=case_type,
            state="open" if case_type is CaseType.ACTIEPUNT else "openstaand",
            title=title[:200],
            description=description,
            owner_organisation_id=owner,
            assignee_id=assignee.id if assignee is not None else None,
            due_date=due,
            requested_due_date=None,
            cycle_id=None,
            agenda_item_id=links.get("agenda_item_id"),
            decision_id=links.get("decision_id"),
            theme_id=links.get("theme_id"),
            requested_kind=None,
            source=links.get("source"),
            kenmerk=None,
            text_version=1,
            created_by_id=creator.id,
            created_at=moment,
            closed_at=None,
            audience=audience,
            body_id=table.id,
        )

    def _follow_up(self, part: PlannedPart, n: int) -> None:
        rng, item, table = self.rng, part.item, part.item.meeting.table
        case_type = CaseType.ACTIEPUNT if rng.random() < 0.8 else CaseType.TOEZEGGING
        moment = part.row["created_at"] + timedelta(minutes=5 + n)
        owner, assignee = self._owner(table, part.audience, part.named)
        templates = data.ACTIONS if case_type is CaseType.ACTIEPUNT else data.COMMITMENTS
        day = item.meeting.day
        title = self._text(rng.choice(templates), table, item.subject, item.bottleneck, day)
        description = (
            f"{self._text(rng.choice(data.SENTENCES), table, item.subject, item.bottleneck, day)} "
            f"(actienummer {self._number(day)})"
        )
        due = (
            day + timedelta(days=rng.randint(30, 200))
            if case_type is CaseType.ACTIEPUNT or rng.random() < 0.7
            else None
        )
        row = self._case_row(
            table,
            case_type,
            title,
            description,
            owner,
            assignee,
            due,
            part.creator,
            moment,
            part.audience,
            agenda_item_id=item.row["id"],
            decision_id=part.row["id"],
        )
        self._case_history(row, part.creator, assignee, part.named, item.meeting.besluitenlijst_at)

    def _commitment(self, table: Table, start: datetime) -> None:
        rng = self.rng
        moment = self._moment(start + timedelta(days=30), self.limit - timedelta(days=1))
        day = to_local(moment).date()
        theme_id, theme = rng.choice(table.themes)
        subject, bottleneck = rng.choice(data.SUBJECTS[theme][0]), rng.choice(data.SUBJECTS[theme][1])
        creator = table.secretariat[Side.RIJK]
        owner = rng.choice([o for o in table.organisations if o[2] is Side.RIJK])[0]
        people = table.people(Role.DEELNEMER, organisation_id=owner)
        assignee = rng.choice(people) if people else None
        audience = Audience.OPENBAAR if rng.random() < 0.5 else Audience.OVERLEG
        title = self._text(rng.choice(data.COMMITMENTS), table, subject, bottleneck, day)
        description = (
            f"{self._text(rng.choice(data.SENTENCES), table, subject, bottleneck, day)} "
            f"(actienummer {self._number(day)})"
        )
        held = format_date(day - timedelta(days=rng.randint(1, 20)), "d MMMM yyyy", locale="nl")
        debate = f"{rng.choice(data.DEBATES)}, {held}"
        due = day + timedelta(days=rng.randint(60, 365)) if rng.random() < 0.7 else None
        row = self._case_row(
            table,
            CaseType.TOEZEGGING,
            title,
            description,
            owner,
            assignee,
            due,
            creator,
            moment,
            audience,
            theme_id=theme_id,
            source=debate,
        )
        self._case_history(row, creator, assignee, [], moment)

    def _case_history(
        self,
        row: dict[str, Any],
        creator: Person,
        assignee: Person | None,
        named: list[int],
        released_at: datetime | None,
    ) -> None:
        """The case's creation and the steps it took until now: started, postponed, reported, closed."""
        trail, rng = self.trail, self.rng
        moment, audience = row["created_at"], Audience(row["audience"])

        def seen(at: datetime) -> dict[str, Any]:
            return state(audience, named, released=released_at is not None and at >= released_at)

        after = seen(moment)
        trail.created(moment, creator.actor, "cases.create_follow_up", Case, row, visibility={"after": after})
        self._event(
            row, moment, creator, EventKind.AANGEMAAKT, None, None, row["state"], seen(moment), "cases.create_follow_up"
        )
        if named:
            self._share(moment, creator.actor, "cases.create_follow_up", "cases", row["id"], named, after)
        if released_at is None:
            return
        owner = assignee or creator
        steps: list[tuple[str, Person, int, str | None]] = []  # transition, who, days after the previous, reason
        if row["type"] is CaseType.ACTIEPUNT:
            if rng.random() < 0.85:
                steps.append(("starten", owner, rng.randint(2, 25), None))
            if assignee is not None and row["due_date"] and rng.random() < 0.15:
                steps.append(("uitstel_aanvragen", assignee, rng.randint(5, 40), rng.choice(data.REASONS)))
                steps.append(("uitstel_verlenen", creator, rng.randint(1, 7), None))
            if rng.random() < 0.07:
                steps.append(("laten_vervallen", creator, rng.randint(10, 90), rng.choice(data.REASONS)))
            else:
                steps.append(("gereed_melden", owner, rng.randint(20, 120), None))
                steps.append(("afronden", creator, rng.randint(2, 21), None))
        else:
            if rng.random() < 0.4:
                steps.append(("deels_voldaan", owner, rng.randint(20, 120), "De eerste stand staat in een brief."))
            if rng.random() < 0.05:
                steps.append(("laten_vervallen", creator, rng.randint(10, 90), rng.choice(data.REASONS)))
            else:
                steps.append(("voldaan", owner, rng.randint(40, 240), "Voldaan met een brief aan de Kamer."))
        at = max(moment, released_at)
        closed = {"afgerond", "vervallen", "voldaan"}
        targets = {
            "starten": "in_uitvoering",
            "gereed_melden": "gereed",
            "afronden": "afgerond",
            "laten_vervallen": "vervallen",
            "deels_voldaan": "deels_voldaan",
            "voldaan": "voldaan",
        }
        for transition, who, days, reason in steps:
            at = self._moment(at + timedelta(days=days), at + timedelta(days=days + 3))
            if at >= self.limit:
                return
            before = row["state"]
            target = targets.get(transition, before)
            changes: dict[str, tuple[Any, Any]] = {}
            asked: tuple[date, date] | None = None  # a postponement's history line: the date then, the date asked
            if transition == "uitstel_aanvragen":
                wanted = row["due_date"] + timedelta(days=rng.randint(14, 60))
                if wanted <= to_local(at).date():
                    continue  # the date asked must lie ahead; a late owner asks no more
                asked = (row["due_date"], wanted)
                changes["requested_due_date"] = (None, wanted)
                row["requested_due_date"] = wanted
            elif transition == "uitstel_verlenen":
                if row["requested_due_date"] is None:
                    continue
                granted = row["requested_due_date"]
                changes["due_date"] = (row["due_date"], granted)
                changes["requested_due_date"] = (granted, None)
                self._event(
                    row,
                    at,
                    who,
                    EventKind.TERMIJN,
                    None,
                    None,
                    None,
                    seen(at),
                    "cases.fire",
                    previous=row["due_date"],
                    due=granted,
                )
                row.update(due_date=granted, requested_due_date=None)
            if target != before:
                changes["state"] = (before, target)
                row["state"] = target
            if target in closed:
                changes["closed_at"] = (None, at)
                row["closed_at"] = at
            self._event(
                row,
                at,
                who,
                EventKind.STAP,
                transition,
                before,
                target,
                seen(at),
                "cases.fire",
                note=reason,
                previous=asked[0] if asked else None,
                due=asked[1] if asked else None,
            )
            visible = seen(at)
            trail.updated(
                at,
                who.actor,
                "cases.fire",
                Case,
                row,
                changes,
                visibility={"after": visible, "before": visible},
                reason=reason,
            )
            if target in closed:
                return

    def _event(
        self,
        case: dict[str, Any],
        moment: datetime,
        who: Person,
        kind: EventKind,
        transition: str | None,
        before: str | None,
        after: str | None,
        visible: dict[str, Any],
        service: str,
        *,
        note: str | None = None,
        previous: date | None = None,
        due: date | None = None,
    ) -> None:
        row = self._new(
            CaseEvent,
            case_id=case["id"],
            kind=kind,
            actor_id=who.id,
            at=moment,
            transition=transition,
            from_state=before,
            to_state=after,
            note=note,
            previous_due_date=previous,
            due_date=due,
        )
        self.trail.created(moment, who.actor, service, CaseEvent, row, visibility={"after": visible})


class _Named:
    """Something with a name, for ``meeting_title`` (which reads only the body's name)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _filename(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80] or "document"


# --- sign-ins ----------------------------------------------------------------------------------------


@dataclass
class SignIns:
    """The people's sign-ins over the years, in time order: each leaves the ``login`` event and the change
    of the account's last sign-in (``auth.sessions.sign_in``); an odd one out is a sign-out."""

    rng: random.Random
    trail: Trail
    people: list[Person]
    records: int
    start: datetime
    limit: datetime
    last: dict[int, datetime] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Pending]:
        pairs, single = divmod(max(self.records, 0), 2)
        span = (self.limit - self.start).total_seconds()
        moments = sorted(
            self._office_hours(self.start + timedelta(seconds=self.rng.random() * span)) for _ in range(pairs + single)
        )
        for index, moment in enumerate(moments):
            person = self.rng.choice(self.people)
            if index >= pairs:
                yield self.trail.event(
                    moment,
                    person.actor,
                    "auth.sign_out",
                    "logout",
                    {
                        "result": 200,
                        "object_type": "users",
                        "object_id": person.id,
                        "object_label": f"afmelding van {person.email}",
                    },
                )
                continue
            yield self.trail.event(
                moment,
                person.actor,
                "auth.sign_in",
                "login",
                {
                    "result": 200,
                    "object_type": "users",
                    "object_id": person.id,
                    "object_label": f"aanmelding als {person.email}",
                },
            )
            before = self.last.get(person.id)
            self.last[person.id] = moment
            yield self.trail.record(
                moment,
                person.actor,
                "auth.sign_in",
                "update",
                User,
                {"id": person.id, "name": person.name, "email": person.email},
                {"last_login_at": [before.isoformat() if before else None, moment.isoformat()]},
            )

    def _office_hours(self, moment: datetime) -> datetime:
        local = to_local(moment)
        day = local.date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        placed = local_to_utc(day, time(7 + int(local.hour * 11 / 24), local.minute, local.second))
        return min(max(placed, self.start), self.limit).astimezone(UTC)
