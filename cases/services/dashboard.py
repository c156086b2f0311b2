"""The numbers behind a body's dashboard, each counting only what the reader may see.

Four sets of numbers: actions and commitments by status per owner organisation; how many were
overdue at the end of each of the last weeks; decisions per theme; and the cycles with their
milestones. Each comes from a fixed number of queries, whatever the number of cases or weeks:
counts are grouped in the database, and the overdue series is worked out here from one read of
the cases and one of their history.

"Overdue" is derived, never stored (``cases.engine.is_overdue``): at the end of a day, a case was
overdue when it existed, was in one of its workflow's ``overdue_in`` states (its steps in the
history say which), and the due date in force then (its due-date changes in the history say
which) lay before that day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from auth.models import Organisation, User
from auth.policy import visible
from cases.models import Case, CaseEvent, EventKind
from cases.workflows import FOLLOW_UP_TYPES, WORKFLOWS, Progress
from core.dates import local_to_utc, to_local, today
from core.extensions import db
from meetings.models import AgendaItem, Body, Cycle, Decision, Meeting, Milestone, MilestoneKind, Season, Theme

#: Derived, never a state: a case past its due date while its owner still has to deliver.
LATE = "te_laat"
#: The statuses of the first chart, in the order of the bars' segments, as the legend names them.
#: Actions and commitments have workflows of their own; each declares which of these segments its
#: states count in (``Workflow.progress``).
STATUSES: dict[str, object] = {
    LATE: _l("over de datum"),
    Progress.OPEN: _l("open / openstaand"),
    Progress.BEZIG: _l("in uitvoering / deels voldaan"),
    Progress.GEREED: _l("gereed gemeld"),
    Progress.AFGEROND: _l("afgerond / voldaan"),
    Progress.VERVALLEN: _l("vervallen"),
}

WEEKS = 26
#: How many cycles the timeline shows before and from today.
PAST_CYCLES = 2
COMING_CYCLES = 2


@dataclass
class OrganisationStatus:
    """One owner organisation's actions and commitments, counted per status."""

    name: str
    short_name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    #: How many are not closed (late or not): what is still to be done.
    to_do: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class WeekCount:
    """How many actions and commitments were overdue at the end of one week (``day``: its Sunday,
    or today for the week under way)."""

    day: date
    week: int
    count: int
    current: bool = False


@dataclass(frozen=True)
class ThemeCount:
    theme: str | None
    count: int


@dataclass(frozen=True)
class CycleMilestones:
    id: int
    season: Season
    year: int
    meeting_date: date
    milestones: list[tuple[MilestoneKind, date]]


@dataclass
class Dashboard:
    today: date
    statuses: list[OrganisationStatus]
    overdue: list[WeekCount]
    themes: list[ThemeCount]
    cycles: list[CycleMilestones]


def dashboard(user: User, body: Body) -> Dashboard:
    """Everything the dashboard of ``body`` shows to ``user`` (five queries)."""
    day = today()
    return Dashboard(
        today=day,
        statuses=status_by_organisation(user, body, day),
        overdue=overdue_by_week(user, body, day),
        themes=decisions_by_theme(user, body),
        cycles=cycle_timeline(user, body, day),
    )


def _follow_ups(user: User, body: Body) -> list[ColumnElement[bool]]:
    return [Case.body_id == body.id, Case.type.in_(FOLLOW_UP_TYPES), visible(user, Case)]


def status_by_organisation(user: User, body: Body, day: date) -> list[OrganisationStatus]:
    """Per owner organisation, the actions and commitments in each status; most to do first (one query)."""
    late = func.sum(case((Case.due_date < day, 1), else_=0))
    query = (
        select(Organisation.id, Organisation.name, Organisation.short_name, Case.type, Case.state, func.count(), late)
        .join(Organisation, Case.owner_organisation_id == Organisation.id)
        .where(*_follow_ups(user, body))
        .group_by(Organisation.id, Organisation.name, Organisation.short_name, Case.type, Case.state)
    )
    rows: dict[int, OrganisationStatus] = {}
    for org_id, name, short_name, case_type, state, count, late_count in db.session.execute(query):
        row = rows.setdefault(org_id, OrganisationStatus(name=name, short_name=short_name))
        workflow = WORKFLOWS[case_type]
        state = workflow.state(state)  # a state its workflow does not declare is an error, not "open"
        if state not in workflow.closed:
            row.to_do += count
        if state in workflow.overdue_in:
            row.counts[LATE] += int(late_count or 0)
            count -= int(late_count or 0)
        row.counts[workflow.progress[state]] += count
    return sorted(rows.values(), key=lambda r: (-r.counts[LATE], -r.to_do, r.name))


def week_ends(day: date, weeks: int = WEEKS) -> list[date]:
    """The last day of each of the last ``weeks`` weeks (Sundays), the week under way ending today."""
    sunday = day + timedelta(days=6 - day.weekday())
    ends = [sunday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    ends[-1] = day
    return ends


def _local_day(moment: datetime) -> date:
    return to_local(moment).date()


def overdue_by_week(user: User, body: Body, day: date, weeks: int = WEEKS) -> list[WeekCount]:
    """How many actions and commitments were overdue at the end of each of the last ``weeks``
    weeks, worked out from their due dates, creation, steps and due-date changes (two queries)."""
    ends = week_ends(day, weeks)
    first = ends[0] - timedelta(days=6)
    since = local_to_utc(first, time(0))
    until = local_to_utc(day + timedelta(days=1), time(0))
    # A case closed before the window was closed throughout it (a reopened case has no closed_at).
    relevant = [
        *_follow_ups(user, body),
        Case.created_at < until,
        or_(Case.closed_at.is_(None), Case.closed_at >= since),
    ]
    cases = db.session.execute(
        select(Case.id, Case.type, Case.state, Case.due_date, Case.created_at).where(*relevant).order_by(Case.id)
    ).all()
    steps: dict[int, list[tuple[date, str | None, str]]] = defaultdict(list)
    moves: dict[int, list[tuple[date, date | None, date | None]]] = defaultdict(list)
    history = (
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.at, CaseEvent.from_state, CaseEvent.to_state)
        .add_columns(CaseEvent.previous_due_date, CaseEvent.due_date)
        .where(
            CaseEvent.case_id.in_(select(Case.id).where(*relevant)),
            CaseEvent.kind.in_((EventKind.TERMIJN, EventKind.STAP)),
        )
        .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)
    )
    for case_id, kind, at, from_state, to_state, previous_due, new_due in db.session.execute(history):
        if kind is EventKind.TERMIJN:
            moves[case_id].append((_local_day(at), previous_due, new_due))
        elif to_state is not None:
            steps[case_id].append((_local_day(at), from_state, to_state))
    counts = [0] * len(ends)
    for case_id, case_type, current_state, due_date, created_at in cases:
        workflow = WORKFLOWS[case_type]
        born = _local_day(created_at)
        for i, end in enumerate(ends):
            if born > end:
                continue
            state = state_on(current_state, steps.get(case_id, []), end)
            if state not in workflow.overdue_in:
                continue
            due = due_date_on(due_date, moves.get(case_id, []), end)
            if due is not None and due < end:
                counts[i] += 1
    return [
        WeekCount(day=end, week=end.isocalendar().week, count=count, current=end == day)
        for end, count in zip(ends, counts, strict=True)
    ]


def state_on(current: str, steps: list[tuple[date, str | None, str]], day: date) -> str:
    """A case's state at the end of ``day``, from its steps ``(day, from, to)`` in date order.

    Before its first step a case was in that step's source state; without steps it has always been
    in its current one. Neither assumes the workflow's initial state, so a case that entered the
    system in another state (an import, a repair) is not counted as open when it never was.
    """
    if not steps:
        return current
    state = steps[0][1] or current
    for when, _from_state, to_state in steps:
        if when > day:
            break
        state = to_state
    return state


def due_date_on(current: date | None, moves: list[tuple[date, date | None, date | None]], day: date) -> date | None:
    """The due date in force at the end of ``day``: the one the last change up to then set, or the
    one the first later change replaced, or (never changed) the current one."""
    due = current
    for when, previous, new in reversed(moves):
        due = new if when <= day else previous
        if when <= day:
            break
    return due


def decisions_by_theme(user: User, body: Body) -> list[ThemeCount]:
    """The decisions of ``body`` per theme of their agenda item; most first, those without a theme
    last (one query)."""
    query = (
        select(Theme.name, func.count(Decision.id))
        .select_from(Decision)
        .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
        .outerjoin(Theme, AgendaItem.theme_id == Theme.id)
        .where(Decision.body_id == body.id, visible(user, Decision), visible(user, AgendaItem))
        .group_by(Theme.id, Theme.name)
    )
    counts = [ThemeCount(theme=name, count=count) for name, count in db.session.execute(query)]
    return sorted(counts, key=lambda c: (c.theme is None, -c.count, c.theme or ""))


def cycle_timeline(user: User, body: Body, day: date) -> list[CycleMilestones]:
    """The body's last cycles before today and its next ones, with their milestones (one query).

    A cycle shows when the reader may see a meeting of it (or it has none): the meeting's date is
    one of its milestones.
    """
    meeting_of_cycle = Meeting.cycle_id == Cycle.id
    seen = or_(~exists().where(meeting_of_cycle), exists().where(meeting_of_cycle, visible(user, Meeting)))
    query = (
        select(Cycle.id, Cycle.season, Cycle.year, Cycle.meeting_date, Milestone.kind, Milestone.due_date)
        .outerjoin(Milestone, and_(Milestone.cycle_id == Cycle.id, visible(user, Milestone)))
        .where(Cycle.body_id == body.id, visible(user, Cycle), seen)
        .order_by(Cycle.meeting_date, Cycle.id, Milestone.due_date, Milestone.id)
    )
    cycles: dict[int, CycleMilestones] = {}
    for cycle_id, season, year, meeting_date, kind, due in db.session.execute(query):
        cycle = cycles.setdefault(cycle_id, CycleMilestones(cycle_id, season, year, meeting_date, []))
        if kind is not None:
            cycle.milestones.append((kind, due))
    ordered = list(cycles.values())
    past = [c for c in ordered if c.meeting_date < day][-PAST_CYCLES:]
    coming = [c for c in ordered if c.meeting_date >= day][:COMING_CYCLES]
    return past + coming
