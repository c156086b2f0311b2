"""Cycles, their milestones and meetings, and attendance."""

from __future__ import annotations

import enum
from datetime import date, time, timedelta
from typing import Any

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from audit.conflicts import expect_version
from auth.models import User
from auth.policy import Action, ensure, get_visible, visible
from core.acting import service
from core.dates import local_to_utc, now, show_date, to_local, today
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.labels import label
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Body,
    Cycle,
    Meeting,
    Milestone,
    MilestoneKind,
    ReviewStatus,
    Season,
    Seat,
)
from meetings.services.standing import place_standing_items


def _check_times(start_time: time, end_time: time) -> None:
    if end_time <= start_time:
        raise DomainError(_("De eindtijd moet na de begintijd liggen."), field="end_time")


def meeting_title(body: Body, day: date) -> str:
    return f"{body.name} {format_date(day, 'd MMMM yyyy', locale='nl')}"


class Unchanged(enum.Enum):
    """For an optional argument where None means "none": leave the value as it is."""

    UNCHANGED = enum.auto()


UNCHANGED = Unchanged.UNCHANGED


def _kenmerk(value: str | None) -> str | None:
    kenmerk = (value or "").strip() or None
    if kenmerk is not None and len(kenmerk) > 60:
        raise DomainError(_("Een kenmerk is hoogstens 60 tekens lang."), field="kenmerk")
    return kenmerk


@service
def create_cycle(
    actor: User,
    body: Body,
    *,
    meeting_date: date,
    start_time: time,
    end_time: time,
    location: str,
    chair: str,
    audience: Audience = Audience.OVERLEG,
    kenmerk: str | None = None,
    standing_items: bool = True,
) -> Cycle:
    """Start a cycle for a meeting on ``meeting_date``: plan its milestones and the meeting itself, and
    (unless asked not to) put the body's standing items on its agenda."""
    ensure(actor, Action.MANAGE, body)
    _check_times(start_time, end_time)
    season = Season.of(meeting_date)
    taken = db.session.scalar(
        select(Cycle.id).where(Cycle.body_id == body.id, Cycle.year == meeting_date.year, Cycle.season == season)
    )
    if taken is not None:
        raise DomainError(
            _(
                "Er is al een cyclus %(season)s %(year)s voor %(body)s.",
                season=label(season),
                year=meeting_date.year,
                body=body.name,
            ),
            field="meeting_date",
        )
    cycle = Cycle(body_id=body.id, year=meeting_date.year, season=season, meeting_date=meeting_date)
    db.session.add(cycle)
    for kind in MilestoneKind:
        offset = int(body.milestone_offsets.get(kind.value, 0))
        cycle.milestones.append(Milestone(body_id=body.id, kind=kind, due_date=meeting_date + timedelta(days=offset)))
    meeting = Meeting(
        body_id=body.id,
        title=meeting_title(body, meeting_date),
        starts_at=local_to_utc(meeting_date, start_time),
        ends_at=local_to_utc(meeting_date, end_time),
        location=location.strip(),
        chair=chair.strip(),
        audience=Audience(audience),
        kenmerk=_kenmerk(kenmerk),
    )
    cycle.meetings.append(meeting)
    if standing_items:
        db.session.flush()
        place_standing_items(actor, meeting)
    return cycle


def last_meeting_of(user: User, body: Body) -> Meeting | None:
    """The body's latest meeting this user may see: a new cycle starts from its times, place and audience."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.body_id == body.id, visible(user, Meeting))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    ).first()


@service
def plan_year(
    actor: User,
    body: Body,
    *,
    year: int,
    voorjaar: date | None,
    najaar: date | None,
    start_time: time,
    end_time: time,
    location: str,
    chair: str,
    audience: Audience = Audience.OVERLEG,
    standing_items: bool = True,
) -> list[Cycle]:
    """Plan the year's cycles of a body at once, one per half year, each through ``create_cycle``: all
    of them or none, with a message per date that cannot be planned (``DomainError.errors``, by the
    form's field: ``voorjaar``, ``najaar``)."""
    ensure(actor, Action.MANAGE, body)
    _check_times(start_time, end_time)
    dates = {season: day for season, day in ((Season.VOORJAAR, voorjaar), (Season.NAJAAR, najaar)) if day}
    if not dates:
        raise DomainError(_("Vul minstens één datum in."), field=Season.VOORJAAR.value)
    errors: dict[str, str] = {}
    cycles = []
    for season, day in dates.items():
        if day.year != year:
            errors[season.value] = _("Deze datum valt niet in %(year)s.", year=year)
            continue
        if Season.of(day) is not season:
            errors[season.value] = _(
                "Deze datum valt niet in het %(season)s (%(months)s).",
                season=label(season),
                months=_("januari tot en met juni") if season is Season.VOORJAAR else _("juli tot en met december"),
            )
            continue
        try:
            with db.session.begin_nested():
                cycles.append(
                    create_cycle(
                        actor,
                        body,
                        meeting_date=day,
                        start_time=start_time,
                        end_time=end_time,
                        location=location,
                        chair=chair,
                        audience=audience,
                        standing_items=standing_items,
                    )
                )
        except DomainError as exc:
            field = season.value if exc.field in (None, "meeting_date") else exc.field
            errors[field] = exc.message
    if errors:
        raise DomainError(_("Er is geen enkele cyclus aangemaakt. Verbeter de datums hieronder."), errors=errors)
    return cycles


@service
def update_meeting(
    actor: User,
    meeting: Meeting,
    *,
    meeting_date: date,
    start_time: time,
    end_time: time,
    location: str,
    chair: str,
    kenmerk: str | Unchanged | None = UNCHANGED,
    expected_version: int | None = None,
) -> None:
    """Change when and where a meeting is (and its kenmerk, when given; None takes it away); a new
    date moves the cycle's whole plan with it. Not when someone else changed it since ``expected_version``."""
    ensure(actor, Action.MANAGE, meeting)
    expect_version(actor, meeting, expected_version, ("starts_at", "ends_at", "location", "chair", "kenmerk"))
    _check_times(start_time, end_time)
    cycle = meeting.cycle
    if Season.of(meeting_date) is not cycle.season or meeting_date.year != cycle.year:
        raise DomainError(_season_message(cycle), field="meeting_date")
    _reschedule(cycle, meeting, meeting_date, start_time, end_time)
    meeting.location = location.strip()
    meeting.chair = chair.strip()
    if kenmerk is not UNCHANGED:
        meeting.kenmerk = _kenmerk(kenmerk)


def _reschedule(cycle: Cycle, meeting: Meeting, day: date, start_time: time, end_time: time) -> None:
    """Put the meeting on ``day`` at these times; a new day moves the cycle's whole plan with it (the
    cycle's date and every milestone, the Bestuurlijk overleg itself included), so the plan and the
    meeting never tell two dates."""
    shift = day - meeting.day
    milestones = list(db.session.scalars(select(Milestone).where(Milestone.cycle_id == cycle.id)))
    if shift and cycle.meeting_date == meeting.day:
        cycle.meeting_date = day
        for milestone in milestones:
            milestone.due_date = milestone.due_date + shift
    for milestone in milestones:
        if milestone.kind is MilestoneKind.VERGADERING and milestone.due_date != day:
            milestone.due_date = day
    db.session.expire(meeting, ["comments_deadline"])  # read from the milestone, which may have moved
    meeting.title = meeting_title(cycle.body, day)
    meeting.starts_at = local_to_utc(day, start_time)
    meeting.ends_at = local_to_utc(day, end_time)


#: The order of a cycle's milestones (DESIGN.md): requests close, voorportaal, documents out, the
#: meeting, draft minutes, comments close. Two may fall on one day; none may pass another.
MILESTONE_ORDER: tuple[MilestoneKind, ...] = tuple(MilestoneKind)


def _order_text() -> str:
    return ", ".join(label(kind).lower() for kind in MILESTONE_ORDER)


def check_milestone_order(milestones: list[Milestone], kind: MilestoneKind, due_date: date) -> None:
    """Refuse ``due_date`` for the milestone ``kind`` when it would pass another milestone of its cycle."""
    rank = MILESTONE_ORDER.index(kind)
    for other in milestones:
        other_rank = MILESTONE_ORDER.index(other.kind)
        passes_earlier = other_rank < rank and other.due_date > due_date
        passes_later = other_rank > rank and other.due_date < due_date
        if not (passes_earlier or passes_later):
            continue
        names = {
            "kind": label(kind),
            "other": label(other.kind),
            "date": show_date(other.due_date),
            "order": _order_text(),
        }
        if passes_earlier:
            message = _("‘%(kind)s’ kan niet vóór ‘%(other)s’ (%(date)s) liggen. De volgorde is: %(order)s.", **names)
        else:
            message = _("‘%(kind)s’ kan niet na ‘%(other)s’ (%(date)s) liggen. De volgorde is: %(order)s.", **names)
        raise DomainError(message, field="due_date")


@service
def move_milestone(actor: User, milestone: Milestone, *, due_date: date) -> None:
    """Set a milestone of one cycle to another date, in its order among the others. The milestone
    *Bestuurlijk overleg* is the meeting's day: moving it moves the meeting, and the plan with it."""
    cycle = milestone.cycle
    meeting = db.session.scalars(
        select(Meeting).where(Meeting.cycle_id == cycle.id).order_by(Meeting.starts_at)
    ).first()
    ensure(actor, Action.MANAGE, meeting or db.session.get(Body, milestone.body_id))
    if abs((due_date - cycle.meeting_date).days) > 365:
        raise DomainError(_("Een mijlpaal ligt hoogstens een jaar voor of na de vergadering."), field="due_date")
    if milestone.kind is MilestoneKind.VERGADERING and meeting is not None:
        if Season.of(due_date) is not cycle.season or due_date.year != cycle.year:
            raise DomainError(_season_message(cycle), field="due_date")
        _reschedule(cycle, meeting, due_date, to_local(meeting.starts_at).time(), to_local(meeting.ends_at).time())
        return
    others = db.session.scalars(select(Milestone).where(Milestone.cycle_id == cycle.id, Milestone.id != milestone.id))
    check_milestone_order(list(others), milestone.kind, due_date)
    if (
        milestone.kind is MilestoneKind.REACTIETERMIJN_SLUIT
        and meeting is not None
        and meeting.besluitenlijst_status is ReviewStatus.TER_COMMENTAAR
        and due_date < today()
    ):
        # This date is the besluitenlijst's deadline: members commenting now would be cut off.
        raise DomainError(_("De reactietermijn kan niet in het verleden eindigen."), field="due_date")
    milestone.due_date = due_date
    if meeting is not None:
        db.session.expire(meeting, ["comments_deadline"])  # read from this milestone


def _season_message(cycle: Cycle) -> str:
    return _(
        "Deze datum valt buiten %(season)s %(year)s. Maak voor een ander halfjaar een nieuwe cyclus.",
        season=label(cycle.season),
        year=cycle.year,
    )


def cycles_of(user: User, body: Body) -> list[Cycle]:
    """The cycles of a body, newest first, with their meetings and milestones."""
    return list(
        db.session.scalars(
            select(Cycle)
            .where(Cycle.body_id == body.id, visible(user, Cycle))
            .options(_visible_meetings(user), selectinload(Cycle.milestones))
            .order_by(Cycle.meeting_date.desc())
        )
    )


def get_cycle(user: User, cycle_id: int) -> Cycle:
    return get_visible(user, Cycle, cycle_id, _visible_meetings(user), selectinload(Cycle.milestones))


def _visible_meetings(user: User) -> Any:
    # A cycle is the body's, but one of its meetings may be for one side only: the other side must
    # not even meet its title on the cycle or body page.
    return selectinload(Cycle.meetings.and_(visible(user, Meeting)))


def get_meeting(user: User, meeting_id: int) -> Meeting:
    return get_visible(user, Meeting, meeting_id, joinedload(Meeting.cycle).joinedload(Cycle.body))


def upcoming_meetings(user: User, limit: int = 5) -> list[Meeting]:
    """The next meetings in the user's bodies."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(visible(user, Meeting), Meeting.ends_at >= now())
            .options(joinedload(Meeting.cycle).joinedload(Cycle.body))
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


def recent_meetings(user: User, limit: int = 5) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(visible(user, Meeting), Meeting.ends_at < now())
            .options(joinedload(Meeting.cycle).joinedload(Cycle.body))
            .order_by(Meeting.starts_at.desc())
            .limit(limit)
        )
    )


def upcoming_milestones(user: User, body_ids: list[int], days: int = 60) -> list[Milestone]:
    """Milestones of the next ``days`` days in these bodies (for the secretariat's home page)."""
    start = today()
    return list(
        db.session.scalars(
            select(Milestone)
            .where(
                Milestone.body_id.in_(body_ids),
                visible(user, Milestone),
                Milestone.due_date >= start,
                Milestone.due_date <= start + timedelta(days=days),
            )
            .options(joinedload(Milestone.cycle).joinedload(Cycle.body))
            .order_by(Milestone.due_date)
        )
    )


def open_cycle_for_requests(body_id: int, *, after: date | None = None) -> Cycle | None:
    """The body's next cycle (after ``after``, else from today) that agenda requests go to.

    A request is for the whole table, so it goes only to a cycle whose meeting the whole table may see:
    one for one side only would tell the other side that it exists, by the request's cycle or deadline.
    """
    starts = Cycle.meeting_date > after if after is not None else Cycle.meeting_date >= today()
    for_the_table = select(Meeting.id).where(
        Meeting.cycle_id == Cycle.id, Meeting.audience.in_([Audience.OPENBAAR, Audience.OVERLEG])
    )
    return db.session.scalars(
        select(Cycle).where(Cycle.body_id == body_id, starts, exists(for_the_table)).order_by(Cycle.meeting_date)
    ).first()


def attendance_rows(meeting: Meeting) -> list[tuple[Seat, Attendance | None]]:
    """Every seat of the body with its attendance at this meeting, if recorded."""
    seats = list(
        db.session.scalars(select(Seat).where(Seat.body_id == meeting.body_id).order_by(Seat.position, Seat.id))
    )
    recorded = {a.seat_id: a for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))}
    return [(seat, recorded.get(seat.id)) for seat in seats]


@service
def record_attendance(actor: User, meeting: Meeting, *, entries: list[dict[str, Any]]) -> None:
    """Record per seat whether its holder was present, absent, or replaced (and by whom); from the
    meeting's day on, so that members never see a meeting weeks ahead as already under way."""
    ensure(actor, Action.MANAGE, meeting)
    if not meeting.day_reached:
        raise DomainError(
            _(
                "De aanwezigheid wordt vastgelegd vanaf de dag van de vergadering, %(date)s. Tot dan melden de "
                "leden zich zelf aan of af.",
                date=show_date(meeting.day),
            )
        )
    seats = {s.id for s in db.session.scalars(select(Seat).where(Seat.body_id == meeting.body_id))}
    existing = {a.seat_id: a for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))}
    for entry in entries:
        seat_id = int(entry["seat_id"])
        if seat_id not in seats:
            raise DomainError(_("Deze zetel hoort niet bij dit overleg."))
        status = AttendanceStatus(entry["status"])
        replaced_by = (entry.get("replaced_by") or "").strip() or None
        if status is AttendanceStatus.VERVANGEN and not replaced_by:
            raise DomainError(_("Vul in door wie deze zetel werd vervangen."), field=f"replaced_by_{seat_id}")
        if status is not AttendanceStatus.VERVANGEN:
            replaced_by = None
        row = existing.get(seat_id)
        if row is None:
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    seat_id=seat_id,
                    body_id=meeting.body_id,
                    status=status,
                    replaced_by=replaced_by,
                )
            )
        else:
            row.status = status
            row.replaced_by = replaced_by
