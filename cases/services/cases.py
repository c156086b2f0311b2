"""Creating cases, their effects on meetings, progress notes, and the reads the pages need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload

from audit.recorder import note_reason
from auth.models import Organisation, User
from auth.policy import Action, bodies_where, can, ensure, get_visible, publishable, visible
from auth.services import share
from cases.engine import effect, is_overdue, workflow_of
from cases.models import Case, CaseEvent, CaseType, EventKind, RouteStep
from cases.services import attachments, planning, route
from cases.workflows import FOLLOW_UP_TYPES, TYPE_LABELS, WORKFLOWS, Transition
from core.acting import service
from core.dates import show_date, today
from core.db import Audience
from core.errors import DomainError, NotPermitted
from core.extensions import db
from meetings import storage
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Body,
    Cycle,
    Decision,
    Meeting,
    Milestone,
    MilestoneKind,
    Placement,
    Theme,
)
from meetings.papers.pdf import FollowUpLine
from meetings.services.agenda import add_agenda_item, agenda_of, previous_meeting
from meetings.services.bodies import organisations_of
from meetings.services.cycles import open_cycle_for_requests


def _check_theme(theme_id: int | None) -> None:
    if theme_id is not None and db.session.get(Theme, theme_id) is None:
        raise DomainError(_("Kies een bestaand thema."), field="theme_id")


@service
def submit_agenda_request(
    actor: User,
    body: Body,
    *,
    title: str,
    description: str,
    requested_kind: AgendaItemKind,
    theme_id: int | None = None,
    files: list[storage.Upload] | None = None,
) -> Case:
    """A member asks to put a subject on the agenda of the body's next cycle, with files if they like
    (they become the agenda item's documents when the request is agendeerd)."""
    ensure(actor, Action.PARTICIPATE, body)
    _check_theme(theme_id)
    cycle = open_cycle_for_requests(body.id)
    if cycle is None:
        raise DomainError(_("Er is nog geen volgende cyclus gepland. Vraag het secretariaat er een aan te maken."))
    closes = db.session.scalar(
        select(Milestone.due_date).where(
            Milestone.cycle_id == cycle.id, Milestone.kind == MilestoneKind.AGENDAVERZOEKEN_SLUITEN
        )
    )
    if closes is not None and today() > closes and not can(actor, Action.MANAGE, body):
        raise DomainError(
            _(
                "Agendaverzoeken voor de cyclus %(cycle)s konden tot en met %(date)s. Neem contact op met het "
                "secretariaat.",
                cycle=cycle.title,
                date=show_date(closes),
            )
        )
    case = Case(
        type=CaseType.AGENDAVERZOEK,
        state=WORKFLOWS[CaseType.AGENDAVERZOEK].initial,
        body_id=body.id,
        cycle_id=cycle.id,
        title=title.strip(),
        description=description or "",
        requested_kind=AgendaItemKind(requested_kind),
        theme_id=theme_id,
        owner_organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        # A request is for the whole table to see; one side's internal matters go elsewhere.
        audience=Audience.OVERLEG,
    )
    db.session.add(case)
    db.session.flush()
    event = _created(actor, case)
    if files:
        attachments.attach(actor, case, event, files)
    return case


def _created(actor: User, case: Case) -> CaseEvent:
    event = CaseEvent(case_id=case.id, kind=EventKind.AANGEMAAKT, actor_id=actor.id, to_state=case.state)
    db.session.add(event)
    db.session.flush()
    planning.case_created(case)
    return event


def _meeting_of_request(case: Case) -> Meeting | None:
    """The meeting an agenda request is for: its cycle's (first) meeting."""
    return db.session.scalars(
        select(Meeting).where(Meeting.cycle_id == case.cycle_id).order_by(Meeting.starts_at)
    ).first()


@effect("put_on_agenda")
def _put_on_agenda(
    actor: User, case: Case, _transition: Transition, _reason: str | None, details: Mapping[str, Any]
) -> None:
    """agenderen: the request becomes an agenda item of its cycle's meeting, of the kind and at the
    place the secretariat chose (by default the kind asked for, before the closing items); its files
    become the item's documents."""
    meeting = _meeting_of_request(case)
    if meeting is None:
        raise DomainError(_("Deze cyclus heeft geen vergadering om het verzoek op te agenderen."))
    item = add_agenda_item(
        actor,
        meeting,
        title=case.title,
        kind=details.get("kind") or case.requested_kind or AgendaItemKind.TER_BESPREKING,
        description=case.description,
        organisation_id=case.owner_organisation_id,
        theme_id=case.theme_id,
        audience=case.audience,
        position=details.get("position"),
    )
    db.session.flush()
    case.agenda_item_id = item.id
    attachments.move_onto_agenda(actor, case, meeting, item)


def agenda_places(user: User, case: Case) -> tuple[list[tuple[int, str]], int | None]:
    """Where agenderen can put a request, as ``user`` sees the agenda of its meeting: before each item,
    or at the end; and the place it goes by default, before the standing items that close the agenda
    (rondvraag, sluiting), as a new item does. No places when there is no meeting (the step says so)."""
    meeting = _meeting_of_request(case)
    if meeting is None or not can(user, Action.VIEW, meeting):
        return [], None
    items = agenda_of(user, meeting).items
    places = [(n, _("%(n)s — vóór %(title)s", n=n, title=item.title)) for n, item in enumerate(items, start=1)]
    closing = len(items)
    while closing and items[closing - 1].standing is Placement.EIND:
        closing -= 1
    return [*places, (len(items) + 1, _("%(n)s — aan het eind", n=len(items) + 1))], closing + 1


@effect("move_to_next_cycle")
def _move_to_next_cycle(
    actor: User, case: Case, _transition: Transition, _reason: str | None, _details: Mapping[str, Any]
) -> None:
    """doorschuiven: the request moves to the body's next cycle, which must exist."""
    current = db.session.get(Cycle, case.cycle_id) if case.cycle_id else None
    following = open_cycle_for_requests(case.body_id, after=current.meeting_date if current else today())
    if following is None:
        raise DomainError(_("Er is nog geen volgende cyclus om het verzoek naar door te schuiven. Maak die eerst aan."))
    case.cycle_id = following.id


@service
def create_follow_up(
    actor: User,
    body: Body,
    *,
    case_type: CaseType,
    title: str,
    owner_organisation_id: int,
    due_date: date | None,
    description: str = "",
    assignee_id: int | None = None,
    source: str | None = None,
    decision: Decision | None = None,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
) -> Case:
    """Record an actiepunt or toezegging, from a decision or (a commitment) from a debate."""
    ensure(actor, Action.MANAGE, body)
    case_type = CaseType(case_type)
    workflow = WORKFLOWS[case_type]
    if not workflow.follow_up:
        raise DomainError(_("Kies actiepunt of toezegging."), field="case_type")
    if decision is not None:
        ensure(actor, Action.VIEW, decision)
        if decision.body_id != body.id:
            raise DomainError(_("Dit besluit hoort niet bij dit overleg."))
    owner = db.session.get(Organisation, owner_organisation_id)
    if owner is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="owner_organisation_id")
    if owner.id not in {o.id for o in organisations_of(body.id)}:
        # Its people could not open the action, and nobody at the table would answer for it.
        raise DomainError(
            _(
                "%(organisation)s zit niet aan tafel bij %(body)s. Kies een organisatie met een zetel of met "
                "leden in dit overleg.",
                organisation=owner.name,
                body=body.name,
            ),
            field="owner_organisation_id",
        )
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if assignee is None or assignee.organisation_id != owner_organisation_id:
            raise DomainError(_("De uitvoerder hoort bij de eigenaar-organisatie te werken."), field="assignee_id")
    if due_date is None and workflow.due_date_required:
        raise DomainError(_("Geef een datum waarop het actiepunt klaar moet zijn."), field="due_date")
    case = Case(
        type=case_type,
        state=workflow.initial,
        body_id=body.id,
        title=title.strip(),
        description=description or "",
        owner_organisation_id=owner_organisation_id,
        assignee_id=assignee_id,
        due_date=due_date,
        source=source,
        decision_id=decision.id if decision is not None else None,
        agenda_item_id=decision.agenda_item_id if decision is not None else None,
        created_by_id=actor.id,
    )
    db.session.add(case)
    if audience is None and decision is None:
        audience = Audience.OVERLEG
    share(actor, case, audience, shared_with, like=decision)
    _created(actor, case)
    return case


@service
def create_nota(
    actor: User,
    body: Body,
    *,
    title: str,
    kenmerk: str | None,
    description: str,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
    decision: Decision | None = None,
) -> Case:
    """A member writes a nota; it stays with the author's side unless the author says otherwise."""
    ensure(actor, Action.PARTICIPATE, body)
    if decision is not None:
        ensure(actor, Action.VIEW, decision)
        if decision.body_id != body.id:
            raise DomainError(_("Dit besluit hoort niet bij dit overleg."))
    case = Case(
        type=CaseType.NOTA,
        state=WORKFLOWS[CaseType.NOTA].initial,
        body_id=body.id,
        title=title.strip(),
        kenmerk=(kenmerk or "").strip() or None,
        description=description or "",
        owner_organisation_id=actor.organisation_id,
        assignee_id=actor.id,
        decision_id=decision.id if decision is not None else None,
        agenda_item_id=decision.agenda_item_id if decision is not None else None,
        created_by_id=actor.id,
    )
    db.session.add(case)
    share(actor, case, audience or Audience(actor.side.value), shared_with)
    _created(actor, case)
    return case


def may_add_note(user: User, case: Case) -> bool:
    """The secretariat and the owning organisation's participants report progress."""
    if can(user, Action.MANAGE, case):
        return True
    return can(user, Action.PARTICIPATE, case) and user.organisation_id == case.owner_organisation_id


def ensure_may_add_note(actor: User, case: Case) -> None:
    ensure(actor, Action.VIEW, case)
    if not may_add_note(actor, case):
        raise NotPermitted(_("Alleen het secretariaat en de eigenaar kunnen voortgang melden."), obj=case)


@service
def add_progress_note(actor: User, case: Case, *, text: str, files: list[storage.Upload] | None = None) -> CaseEvent:
    """Report progress on a case, with files if there are any (seen by whoever sees the case)."""
    ensure_may_add_note(actor, case)
    text = text.strip()
    if not text:
        raise DomainError(_("Schrijf wat er is gebeurd."), field="text")
    event = CaseEvent(case_id=case.id, kind=EventKind.VOORTGANG, actor_id=actor.id, note=text)
    db.session.add(event)
    if files:
        db.session.flush()
        attachments.attach(actor, case, event, files)
    return event


@service
def change_due_date(actor: User, case: Case, *, due_date: date, reason: str) -> None:
    """Move a case's due date; the old date and the reason stay in its history."""
    ensure(actor, Action.MANAGE, case)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Geef een reden voor de nieuwe datum."), field="reason")
    if due_date == case.due_date:
        raise DomainError(_("Dit is al de datum."), field="due_date")
    workflow = workflow_of(case)
    if not workflow.follow_up:
        raise DomainError(_("Alleen een actiepunt of toezegging heeft een datum om te verplaatsen."), field="due_date")
    if case.state in workflow.closed:
        raise DomainError(
            _("De zaak is %(state)s; de datum ligt vast.", state=workflow.label(case.state)), field="due_date"
        )
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=EventKind.TERMIJN,
            actor_id=actor.id,
            note=reason,
            previous_due_date=case.due_date,
            due_date=due_date,
        )
    )
    case.due_date = due_date
    # The secretariat has set the date: a postponement the owner asked for is answered by it.
    case.requested_due_date = None
    note_reason(db.session, case, reason)
    db.session.flush()
    planning.plan_case(case)


# --- reads --------------------------------------------------------------------------------------


def get_case(user: User, case_id: int) -> Case:
    return get_visible(
        user,
        Case,
        case_id,
        joinedload(Case.body),
        joinedload(Case.owner_organisation),
        joinedload(Case.assignee),
        joinedload(Case.cycle),
        joinedload(Case.theme),
        joinedload(Case.agenda_item),
        joinedload(Case.decision),
    )


def history_of(case: Case) -> list[CaseEvent]:
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .options(joinedload(CaseEvent.actor))
            .order_by(CaseEvent.id)
        )
    )


_SOONEST_FIRST = (Case.due_date.is_(None), Case.due_date, Case.id)


def still_open(*types: CaseType) -> Any:
    """Cases of these types that their workflow has not closed (read from the declarations at each call)."""
    return or_(*(and_(Case.type == t, Case.state.not_in(WORKFLOWS[t].closed)) for t in types))


def _open_follow_ups() -> Any:
    return still_open(*FOLLOW_UP_TYPES)


def _waiting_requests() -> Any:
    return still_open(CaseType.AGENDAVERZOEK)


def _visible_cases(user: User, *conditions: Any, order_by: Any = (Case.id,), join: Any = None) -> list[Case]:
    """The cases this user may see that meet ``conditions``, with what ``cases.views.cases.as_linked`` shows."""
    query = select(Case)
    if join is not None:
        query = query.join(*join)
    query = query.where(visible(user, Case), *conditions)
    options = (joinedload(Case.owner_organisation), joinedload(Case.assignee))
    return list(db.session.scalars(query.options(*options).order_by(*order_by)))


def my_follow_ups(user: User) -> list[Case]:
    """Open actions and commitments for the user or the user's organisation, soonest first."""
    mine = or_(Case.assignee_id == user.id, Case.owner_organisation_id == user.organisation_id)
    return _visible_cases(user, _open_follow_ups(), mine, order_by=_SOONEST_FIRST)


def requests_to_handle(user: User) -> list[Case]:
    """Agenda requests waiting for the secretariat of the user's bodies."""
    body_ids = bodies_where(user, Action.MANAGE)
    if not body_ids:
        return []
    return _visible_cases(user, _waiting_requests(), Case.body_id.in_(body_ids), order_by=(Case.created_at,))


def open_follow_ups_of_bodies(user: User, body_ids: list[int]) -> list[Case]:
    """All open actions and commitments in these bodies (the secretariat's chase list)."""
    return _visible_cases(user, _open_follow_ups(), Case.body_id.in_(body_ids), order_by=_SOONEST_FIRST)


def requests_of_cycle(user: User, cycle: Cycle) -> list[Case]:
    return _visible_cases(
        user, Case.type == CaseType.AGENDAVERZOEK, Case.cycle_id == cycle.id, order_by=(Case.created_at,)
    )


def requests_of_body(user: User, body: Body) -> list[Case]:
    return _visible_cases(
        user, Case.type == CaseType.AGENDAVERZOEK, Case.body_id == body.id, order_by=(Case.created_at.desc(),)
    )


def follow_ups_by_decision(user: User, meeting: Meeting) -> dict[int, list[Case]]:
    grouped: dict[int, list[Case]] = defaultdict(list)
    join = (Decision, Case.decision_id == Decision.id)
    for case in _visible_cases(user, Decision.meeting_id == meeting.id, join=join):
        if case.decision_id is not None:
            grouped[case.decision_id].append(case)
    return dict(grouped)


def cases_of_item(user: User, item: AgendaItem) -> list[Case]:
    return _visible_cases(user, Case.agenda_item_id == item.id)


def is_due_soon(case: Case) -> bool:
    """Due within a week, and still the owner's to deliver."""
    return bool(
        case.due_date
        and today() <= case.due_date <= today() + timedelta(days=7)
        and case.state in workflow_of(case).overdue_in
    )


def notas_at_turn(user: User) -> list[Case]:
    """Notas waiting for this user's paraaf or decision."""
    on_route = exists().where(RouteStep.case_id == Case.id, RouteStep.user_id == user.id)
    waiting = _visible_cases(user, Case.type == CaseType.NOTA, Case.state.in_(route.ON_ROUTE), on_route)
    turn = route.turns(waiting)
    return [case for case in waiting if (step := turn[case.id]) is not None and step.user_id == user.id]


def my_notas(user: User) -> list[Case]:
    """The notas this user wrote that are not yet decided."""
    return _visible_cases(user, Case.type == CaseType.NOTA, Case.created_by_id == user.id, still_open(CaseType.NOTA))


@dataclass
class OrganisationRow:
    """One organisation's actions and commitments in a body, as far as the reader may see them."""

    organisation: Organisation
    cases: list[Case] = field(default_factory=list)

    @property
    def open(self) -> int:
        return sum(1 for case in self.cases if case.state not in workflow_of(case).closed)

    @property
    def due_soon(self) -> int:
        return sum(1 for case in self.cases if is_due_soon(case))

    @property
    def overdue(self) -> int:
        return sum(1 for case in self.cases if is_overdue(case))


def follow_up_overview(user: User, body: Body, *, include_closed: bool = False) -> list[OrganisationRow]:
    """Per owner organisation: the body's actions and commitments, overdue ones first."""
    conditions: list[Any] = [Case.body_id == body.id]
    conditions.append(Case.type.in_(FOLLOW_UP_TYPES) if include_closed else _open_follow_ups())
    rows: dict[int, OrganisationRow] = {}
    for case in _visible_cases(user, *conditions, order_by=_SOONEST_FIRST):
        rows.setdefault(case.owner_organisation_id, OrganisationRow(case.owner_organisation)).cases.append(case)
    for row in rows.values():
        row.cases.sort(key=lambda c: (not is_overdue(c), c.state in workflow_of(c).closed, c.due_date or date.max))
    return sorted(rows.values(), key=lambda r: (-r.overdue, -r.open, r.organisation.name))


def progress_report(user: User, item: AgendaItem) -> tuple[list[Case], list[Case], Meeting | None]:
    """For a meeting's progress item: the body's open actions and commitments, and those closed
    since the previous meeting (as far as ``user`` may see them)."""
    meeting = db.session.get(Meeting, item.meeting_id)
    assert meeting is not None
    previous = previous_meeting(meeting)
    open_cases = _visible_cases(user, Case.body_id == item.body_id, _open_follow_ups(), order_by=_SOONEST_FIRST)
    closed_since: list[Case] = []
    if previous is not None:
        closed_since = _visible_cases(
            user,
            Case.body_id == item.body_id,
            Case.type.in_(FOLLOW_UP_TYPES),
            Case.closed_at >= previous.starts_at,
            Case.closed_at.is_not(None),
            order_by=(Case.closed_at,),
        )
    return open_cases, closed_since, previous


def public_follow_ups(meeting: Meeting) -> dict[int, list[FollowUpLine]]:
    """Publishable actions and commitments from a meeting's decisions, for its Woo package."""
    grouped: dict[int, list[FollowUpLine]] = defaultdict(list)
    for case in db.session.scalars(
        select(Case)
        .join(Decision, Case.decision_id == Decision.id)
        .where(Decision.meeting_id == meeting.id, Case.type.in_(FOLLOW_UP_TYPES), publishable(Case))
        .options(joinedload(Case.owner_organisation))
        .order_by(Case.id)
    ):
        grouped[case.decision_id].append(  # type: ignore[index]
            FollowUpLine(
                reference=case.reference,
                title=case.title,
                kind=TYPE_LABELS[case.type],
                owner=case.owner_organisation.name,
                due=case.due_date,
                status=workflow_of(case).label(case.state),
                source=case.source,
            )
        )
    return dict(grouped)
