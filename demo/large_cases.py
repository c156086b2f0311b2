"""The actions and commitments of the large data set with their history, and the sign-ins over the years."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date

from auth.models import Role, User
from cases.models import Case, CaseEvent, CaseType, EventKind
from cases.workflows import WORKFLOWS
from core.dates import local_to_utc, to_local
from core.db import Audience, Side
from demo import large_data as data
from demo.large_cast import Person, Table
from demo.large_plan import (
    PlannedPart,
    Planner,
    allocate,
)
from demo.large_trail import Pending, Trail, state
from meetings.models import (
    AgendaItemKind,
)

# --- actions and commitments -------------------------------------------------------------------


def cases(plan: Planner, decisions: list[PlannedPart], total: int) -> None:
    """``total`` actions and commitments: four in five follow from a decision (and wait for its
    besluitenlijst), the others are commitments made in a debate."""
    standalone = round(total * 0.2) if decisions else total
    weights = [2.0 if d.item.row["kind"] is AgendaItemKind.TER_BESLUITVORMING else 1.0 for d in decisions]
    counts = allocate(plan.rng, total - standalone, weights) if decisions else []
    for part, count in zip(decisions, counts, strict=True):
        for n in range(count):
            _follow_up(plan, part, n)
    tables = plan.world.tables
    start = min(row["created_at"] for row in plan.rows["cycles"])
    for _ in range(standalone):
        _commitment(plan, plan.rng.choice(tables), start)


def _owner(plan: Planner, table: Table, audience: Audience, named: list[int]) -> tuple[int, Person | None]:
    """The organisation that must deliver, and the person of it who does (if one is at the table)."""
    rng = plan.rng
    if audience is Audience.VERTROUWELIJK:
        people = [
            p for p, _r in table.members if p.id in named and p.id not in {s.id for s in table.secretariat.values()}
        ]
        person = rng.choice(people) if people else None
        if person is None:
            return table.secretariat[Side.RIJK].organisation_id, None
        return person.organisation_id, person
    sides = [o for o in table.organisations if audience.value not in ("rijk", "regio") or o[2].value == audience.value]
    organisation_id = rng.choice(sides)[0]
    people = table.people(Role.DEELNEMER, organisation_id=organisation_id)
    return organisation_id, (rng.choice(people) if people and rng.random() < 0.85 else None)


def _case_row(
    plan: Planner,
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
    return plan.new(
        Case,
        type=case_type,
        state=WORKFLOWS[case_type].initial.value,
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


def _follow_up(plan: Planner, part: PlannedPart, n: int) -> None:
    rng, item, table = plan.rng, part.item, part.item.meeting.table
    case_type = CaseType.ACTIEPUNT if rng.random() < 0.8 else CaseType.TOEZEGGING
    moment = part.row["created_at"] + timedelta(minutes=5 + n)
    owner, assignee = _owner(plan, table, part.audience, part.named)
    templates = data.ACTIONS if case_type is CaseType.ACTIEPUNT else data.COMMITMENTS
    day = item.meeting.day
    title = plan.text(rng.choice(templates), table, item.subject, item.bottleneck, day)
    description = (
        f"{plan.text(rng.choice(data.SENTENCES), table, item.subject, item.bottleneck, day)} "
        f"(actienummer {plan.reference(day)})"
    )
    due = day + timedelta(days=rng.randint(30, 200)) if case_type is CaseType.ACTIEPUNT or rng.random() < 0.7 else None
    row = _case_row(
        plan,
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
    _case_history(plan, row, part.creator, assignee, part.named, item.meeting.besluitenlijst_at)


def _commitment(plan: Planner, table: Table, start: datetime) -> None:
    rng = plan.rng
    moment = plan.when(start + timedelta(days=30), plan.limit - timedelta(days=1))
    day = to_local(moment).date()
    theme_id, theme = rng.choice(table.themes)
    subject, bottleneck = rng.choice(data.SUBJECTS[theme][0]), rng.choice(data.SUBJECTS[theme][1])
    creator = table.secretariat[Side.RIJK]
    owner = rng.choice([o for o in table.organisations if o[2] is Side.RIJK])[0]
    people = table.people(Role.DEELNEMER, organisation_id=owner)
    assignee = rng.choice(people) if people else None
    audience = Audience.OPENBAAR if rng.random() < 0.5 else Audience.OVERLEG
    title = plan.text(rng.choice(data.COMMITMENTS), table, subject, bottleneck, day)
    description = (
        f"{plan.text(rng.choice(data.SENTENCES), table, subject, bottleneck, day)} (actienummer {plan.reference(day)})"
    )
    held = format_date(day - timedelta(days=rng.randint(1, 20)), "d MMMM yyyy", locale="nl")
    debate = f"{rng.choice(data.DEBATES)}, {held}"
    due = day + timedelta(days=rng.randint(60, 365)) if rng.random() < 0.7 else None
    row = _case_row(
        plan,
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
    _case_history(plan, row, creator, assignee, [], moment)


def _case_history(
    plan: Planner,
    row: dict[str, Any],
    creator: Person,
    assignee: Person | None,
    named: list[int],
    released_at: datetime | None,
) -> None:
    """The case's creation and the steps it took until now: started, postponed, reported, closed."""
    trail, rng = plan.trail, plan.rng
    moment, audience = row["created_at"], Audience(row["audience"])

    def seen(at: datetime) -> dict[str, Any]:
        return state(audience, named, released=released_at is not None and at >= released_at)

    after = seen(moment)
    trail.created(moment, creator.actor, "cases.create_follow_up", Case, row, visibility={"after": after})
    _event(
        plan,
        row,
        moment,
        creator,
        EventKind.AANGEMAAKT,
        None,
        None,
        row["state"],
        seen(moment),
        "cases.create_follow_up",
    )
    if named:
        plan.share(moment, creator.actor, "cases.create_follow_up", "cases", row["id"], named, after)
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
    workflow = WORKFLOWS[row["type"]]
    for transition, who, days, reason in steps:
        at = plan.when(at + timedelta(days=days), at + timedelta(days=days + 3))
        if at >= plan.limit:
            return
        before = row["state"]
        step = workflow.transition(transition)
        assert step is not None, transition
        target = str(workflow.target_of(step, before))
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
            _event(
                plan,
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
        if target in workflow.closed:
            changes["closed_at"] = (None, at)
            row["closed_at"] = at
        _event(
            plan,
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
        if target in workflow.closed:
            return


def _event(
    plan: Planner,
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
    row = plan.new(
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
    plan.trail.created(moment, who.actor, service, CaseEvent, row, visibility={"after": visible})


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
