"""The meetings of the large data set: cycles with their milestones, agendas, documents, attendance."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date

from auth.models import Role
from core.acting import SYSTEM
from core.dates import to_local
from core.db import Audience, Side
from demo import large_data as data
from demo.large_cast import Table
from demo.large_plan import (
    AUDIENCES,
    PLANNED_AHEAD,
    PlannedItem,
    PlannedMeeting,
    Planner,
    allocate,
    slots,
)
from demo.large_trail import state
from demo.pdf import pdf_text, text_pdf
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Cycle,
    Document,
    Meeting,
    Milestone,
    MilestoneKind,
    Placement,
    ReviewStatus,
    Season,
    TextStatus,
)
from meetings.services.agenda import PROGRESS_DESCRIPTION
from meetings.services.cycles import meeting_title
from meetings.services.standing import DEFAULT_STANDING_ITEMS

_ITEM_MIX = [20, 55, 12, 6, 7]
_DOCUMENT_MIX = [20, 55, 10, 8, 7]
_KINDS = [
    AgendaItemKind.TER_BESLUITVORMING,
    AgendaItemKind.TER_BESPREKING,
    AgendaItemKind.TER_INFORMATIE,
    AgendaItemKind.HAMERSTUK,
]
_KIND_MIX = [35, 35, 25, 5]


def cycles(plan: Planner, years: int, agenda_items: int) -> list[PlannedMeeting]:
    """Per table two cycles a year, each made with its milestones, its meeting and its standing items;
    ``agenda_items`` items in all, of which each agenda has at least two of its own."""
    today = to_local(plan.limit).date()
    planned = [(table, slot) for table in plan.world.tables for slot in slots(years, today)]
    standing = len(DEFAULT_STANDING_ITEMS)
    per_meeting = allocate(plan.rng, agenda_items - standing * len(planned), [1.0] * len(planned), [2] * len(planned))
    meetings = []
    for (table, slot), own in zip(planned, per_meeting, strict=True):
        meetings.append(_cycle(plan, table, slot, own))
    return meetings


def _cycle(plan: Planner, table: Table, slot: tuple[int, Season, date, date], own: int) -> PlannedMeeting:
    """One cycle as ``create_cycle`` makes it, its ``own`` items added in the weeks before the meeting
    (the closing standing items moving down for each), its agenda sent out a week ahead, and who came."""
    rng, trail = plan.rng, plan.trail
    year, season, lo, hi = slot
    days = [lo + timedelta(days=n) for n in range((hi - lo).days + 1)]
    day = rng.choice([d for d in days if d.weekday() in (1, 2, 3)] or days)
    secretary = table.secretariat[Side.RIJK]
    actor = secretary.actor
    created = min(plan.at(day - PLANNED_AHEAD, 10), plan.limit - timedelta(hours=3))
    cycle = plan.new(Cycle, body_id=table.id, year=year, season=season, meeting_date=day, created_at=created)
    service = "meetings.create_cycle"
    start = rng.choice((10, 13))
    meeting_row = plan.new(
        Meeting,
        cycle_id=cycle["id"],
        title=meeting_title(table.body, day),
        starts_at=plan.at(day, start),
        ends_at=plan.at(day, start + 2),
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
        milestone = plan.new(
            Milestone,
            cycle_id=cycle["id"],
            body_id=table.id,
            kind=kind,
            due_date=day + timedelta(days=int(table.body.milestone_offsets.get(kind.value, 0))),
        )
        trail.created(created, actor, service, Milestone, milestone, visibility={"after": seen})
    trail.created(created, actor, service, Meeting, meeting_row, visibility={"after": seen})
    published = plan.at(day - timedelta(days=7), 10)
    meeting = PlannedMeeting(
        meeting_row,
        table,
        day,
        published_at=published if published <= plan.limit else None,
        held=meeting_row["ends_at"] + timedelta(minutes=30) <= plan.limit,
    )
    waiting = state(Audience.OVERLEG, released=False)
    begin = [s for s in DEFAULT_STANDING_ITEMS if s[2] is Placement.BEGIN]
    closing = []
    for position, (title, item_kind, placement, progress) in enumerate(
        begin + [s for s in DEFAULT_STANDING_ITEMS if s[2] is Placement.EIND], start=1
    ):
        row = _item_row(plan, meeting, position, title, item_kind, None, None, Audience.OVERLEG, created)
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

    first = max(created + timedelta(days=1), plan.at(day - timedelta(days=42), 9))
    last = min(plan.at(day - timedelta(days=8), 17), plan.limit - timedelta(hours=2))
    moments = sorted(plan.when(min(first, last), last) for _ in range(own))
    for offset, moment in enumerate(moments):
        moment = max(moment, created + timedelta(minutes=offset + 1))
        item = _content_item(plan, meeting, len(begin) + offset + 1, moment)
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
        _attendance(plan, meeting)
    return meeting


def _item_row(
    plan: Planner,
    meeting: PlannedMeeting,
    position: int,
    title: str,
    kind: AgendaItemKind,
    organisation_id: int | None,
    theme_id: int | None,
    audience: Audience,
    moment: datetime,
) -> dict[str, Any]:
    return plan.new(
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


def _content_item(plan: Planner, meeting: PlannedMeeting, position: int, moment: datetime) -> PlannedItem:
    rng, table = plan.rng, meeting.table
    theme_id, theme = rng.choice(table.themes)
    subjects, bottlenecks = data.SUBJECTS[theme]
    subject, bottleneck = rng.choice(subjects), rng.choice(bottlenecks)
    audience = rng.choices(AUDIENCES, _ITEM_MIX)[0]
    creator = plan.maker(table, audience)
    titles = {
        Audience.RIJK: data.RIJK_TITLES,
        Audience.REGIO: data.REGIO_TITLES,
        Audience.VERTROUWELIJK: data.CONFIDENTIAL_TITLES,
    }.get(audience, data.ITEM_TITLES)
    title = plan.text(rng.choice(titles), table, subject, bottleneck, meeting.day)
    sides = [o for o in table.organisations if audience.value not in ("rijk", "regio") or o[2].value == audience.value]
    organisation_id = rng.choice(sides)[0] if rng.random() < 0.7 else None
    row = _item_row(
        plan, meeting, position, title, rng.choices(_KINDS, _KIND_MIX)[0], organisation_id, theme_id, audience, moment
    )
    sentences = rng.sample(data.SENTENCES, 2)
    row["description"] = " ".join(plan.text(s, table, subject, bottleneck, meeting.day) for s in sentences)
    row["description"] += f" (zaaknummer {plan.reference(meeting.day)})"
    row["duration_minutes"] = rng.choice((None, 10, 15, 20, 30, 45))
    named = plan.named(table, creator, lambda p: True) if audience is Audience.VERTROUWELIJK else []
    after = state(audience, named, released=False)
    plan.trail.created(moment, creator.actor, "meetings.add_agenda_item", AgendaItem, row, visibility={"after": after})
    if named:
        plan.share(moment, creator.actor, "meetings.add_agenda_item", "agenda_items", row["id"], named, after)
    return PlannedItem(row, meeting, creator, named, subject, bottleneck)


def _attendance(plan: Planner, meeting: PlannedMeeting) -> None:
    moment = meeting.row["ends_at"] + timedelta(minutes=30)
    actor = meeting.table.secretariat[Side.RIJK].actor
    for seat_id in meeting.table.seats:
        status = plan.rng.choices(list(AttendanceStatus), [85, 10, 5])[0]
        row = plan.new(
            Attendance,
            meeting_id=meeting.row["id"],
            seat_id=seat_id,
            body_id=meeting.table.id,
            status=status,
            replaced_by="de plaatsvervanger" if status is AttendanceStatus.VERVANGEN else None,
        )
        plan.trail.created(
            moment,
            actor,
            "meetings.record_attendance",
            Attendance,
            row,
            visibility={"after": state(meeting.audience)},
        )


# --- documents ---------------------------------------------------------------------------------


def documents(plan: Planner, meetings: list[PlannedMeeting], total: int) -> None:
    """``total`` documents, on the items (a few on a meeting as a whole), uploaded before the agenda goes
    out (some late), each a small PDF stored through ``meetings.storage`` and read by the scheduler."""
    places: list[tuple[PlannedMeeting, PlannedItem | None]] = []
    weights: list[float] = []
    for meeting in meetings:
        places.append((meeting, None))
        weights.append(0.3)
        for item in meeting.items:
            places.append((meeting, item))
            weights.append(1.0)
    for (where, part_of), count in zip(places, allocate(plan.rng, total, weights), strict=True):
        for _ in range(count):
            _document(plan, where, part_of)


def _document(plan: Planner, meeting: PlannedMeeting, item: PlannedItem | None) -> None:
    rng, table = plan.rng, meeting.table
    whole_audience = item.audience if item is not None else meeting.audience
    if item is None:  # the annotated agenda for the table, or the annotation for the Rijk's ministers
        audience = Audience.RIJK if rng.random() < 0.3 else Audience.OVERLEG
    else:
        audience = plan.within(whole_audience, _DOCUMENT_MIX)
    if item is not None and item.audience is Audience.VERTROUWELIJK:
        uploader = item.creator
    elif audience is Audience.VERTROUWELIJK:
        uploader = plan.maker(table, whole_audience)
    else:
        uploader = plan.maker(table, audience)
        owners = (
            [
                p
                for p in table.people(Role.DEELNEMER, organisation_id=item.row["organisation_id"])
                if plan.admits(audience, [])(p)
            ]
            if item is not None and item.row["organisation_id"]
            else []
        )
        if owners and rng.random() < 0.3:
            uploader = rng.choice(owners)
    whole_named = item.named if item is not None else []
    if audience is Audience.VERTROUWELIJK:
        named = plan.named(table, uploader, plan.admits(whole_audience, whole_named))
    else:
        named = []
    day = meeting.day
    if item is None:
        lo, hi = plan.at(day - timedelta(days=12), 9), plan.at(day - timedelta(days=7), 9)
    elif meeting.published_at is not None and rng.random() < 0.1:
        lo, hi = plan.at(day - timedelta(days=7), 11), plan.at(day - timedelta(days=1), 17)
    else:
        lo, hi = item.row["created_at"] + timedelta(hours=1), plan.at(day - timedelta(days=8), 17)
    floor = item.row["created_at"] if item is not None else meeting.row["created_at"]
    moment = max(plan.when(lo, hi), floor + timedelta(minutes=1))
    moment = min(moment, plan.limit - timedelta(minutes=10))

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
    number = plan.reference(day)
    paragraphs = [f"Kenmerk {number}. {table.name}, {format_date(day, 'd MMMM yyyy', locale='nl')}."]
    paragraphs += [plan.text(s, table, subject, bottleneck, day) for s in rng.sample(data.SENTENCES, 3)]
    content = text_pdf(title, paragraphs)
    released = meeting.published_at is not None and moment >= meeting.published_at
    row = plan.new(
        Document,
        meeting_id=meeting.row["id"],
        agenda_item_id=item.row["id"] if item is not None else None,
        title=title[:200],
        filename=_filename(title) + ".pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=plan.store(content),
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
    plan.trail.created(moment, uploader.actor, "meetings.add_document", Document, row, visibility={"after": after})
    if named:
        plan.share(moment, uploader.actor, "meetings.add_document", "documents", row["id"], named, after)
    # As the scheduler reads it a few minutes later (``meetings.jobs.documents.read_texts``).
    read = moment + timedelta(minutes=rng.randint(1, 5))
    row["text_status"] = TextStatus.GELEZEN
    now_seen = state(audience, named, released=meeting.published_at is not None and read >= meeting.published_at)
    plan.trail.updated(
        read,
        SYSTEM,
        "meetings.store_text",
        Document,
        row,
        {"text_status": (TextStatus.WACHT, TextStatus.GELEZEN)},
        visibility={"after": now_seen, "before": now_seen},
    )


def _filename(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80] or "document"
