"""A nota's parafenroute: its author lines up the signatories and the decision-maker; the guards
and effects here are what ``cases.workflows.NOTA`` names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from audit.conflicts import expect_version
from auth.models import User
from auth.policy import Action, can, ensure
from cases.engine import effect, guard, workflow_of
from cases.models import Case, CaseEvent, EventKind, RouteStep, StepStatus
from cases.services import route
from cases.workflows import NotaState, Transition
from core.acting import service
from core.dates import now
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.forms import unix_newlines
from core.removal import remove

CAPACITY_MAX = 200


# --- guards ---------------------------------------------------------------------------------------


def _without_decision_maker(steps: list[RouteStep]) -> str | None:
    if route.decision_step(steps) is None:
        return _("De parafenroute heeft nog geen beslisser. Voeg die eerst toe.")
    return None


@guard("parafen_open")
def _parafen_open(case: Case) -> str | None:
    steps = route.route_of(case)
    if missing := _without_decision_maker(steps):
        return missing
    if all(route.holds(step, case) for step in route.parafen(steps)):
        return _("Alle parafen staan al; leg de nota ter beslissing voor.")
    return None


@guard("parafen_compleet")
def _parafen_compleet(case: Case) -> str | None:
    steps = route.route_of(case)
    if missing := _without_decision_maker(steps):
        return missing
    if not all(route.holds(step, case) for step in route.parafen(steps)):
        return _("Niet alle parafen staan; bied de nota eerst ter parafering aan.")
    return None


def _open_after_turn(case: Case) -> tuple[RouteStep | None, list[RouteStep]]:
    steps = route.route_of(case)
    turn = route.at_turn(case, steps)
    if turn is None:
        return None, []
    return turn, [s for s in route.parafen(steps) if s.position > turn.position and not route.holds(s, case)]


@guard("niet_laatste_paraaf")
def _not_last(case: Case) -> str | None:
    turn, after = _open_after_turn(case)
    if turn is None or not after:
        return _("Dit is de laatste paraaf: daarna gaat de nota ter beslissing.")
    return None


@guard("laatste_paraaf")
def _last(case: Case) -> str | None:
    turn, after = _open_after_turn(case)
    if turn is None or after:
        return _("Na deze paraaf volgen er nog meer.")
    return None


# --- effects --------------------------------------------------------------------------------------


def _turn(case: Case) -> RouteStep:
    step = route.at_turn(case)
    if step is None:  # the engine checked who may fire; a route without a turn cannot get here
        raise DomainError(_("Niemand is aan de beurt in de parafenroute."))
    return step


@effect("paraaf")
def _paraaf(actor: User, case: Case, transition: Transition, reason: str | None, _details: Mapping[str, Any]) -> None:
    step = _turn(case)
    step.status = StepStatus.AKKOORD
    step.approved_version = case.text_version
    step.decided_at = now()
    step.comment = reason


@effect("paraaf_geweigerd")
def _returned(actor: User, case: Case, transition: Transition, reason: str | None, _details: Mapping[str, Any]) -> None:
    step = _turn(case)
    step.status = StepStatus.TERUGGESTUURD
    step.approved_version = None
    step.decided_at = now()
    step.comment = reason


@effect("beslissing")
def _decided(actor: User, case: Case, transition: Transition, reason: str | None, _details: Mapping[str, Any]) -> None:
    step = _turn(case)
    step.status = StepStatus.AKKOORD if transition.target == NotaState.BESLOTEN else StepStatus.AFGEWEZEN
    step.approved_version = case.text_version
    step.decided_at = now()
    step.comment = reason


# --- the author's changes -------------------------------------------------------------------------


def may_edit(user: User, case: Case) -> bool:
    """The author changes text and route, while the nota is a concept."""
    return (
        case.state in workflow_of(case).editable_in and user.id == case.created_by_id and can(user, Action.VIEW, case)
    )


def ensure_may_edit(actor: User, case: Case) -> None:
    ensure(actor, Action.VIEW, case)
    workflow = workflow_of(case)
    if not workflow.route:
        raise DomainError(_("Alleen een nota heeft een parafenroute."))
    if actor.id != case.created_by_id:
        raise NotPermitted(_("Alleen de auteur wijzigt de nota en haar parafenroute."), obj=case)
    if case.state not in workflow.editable_in:
        raise DomainError(_("De nota is niet meer in concept. Neem haar eerst terug om te wijzigen."))


def _renumber(steps: list[RouteStep]) -> None:
    ordered = [s for s in steps if not s.decides] + [s for s in steps if s.decides]
    for position, step in enumerate(ordered, start=1):
        if step.position != position:
            step.position = position


def _event(actor: User, case: Case, kind: EventKind, note: str) -> None:
    db.session.add(CaseEvent(case_id=case.id, kind=kind, actor_id=actor.id, note=note))


@service
def add_route_step(actor: User, case: Case, *, user_id: int, capacity: str, decides: bool = False) -> RouteStep:
    """Put a signatory on the route: a paraaf before the decision-maker, or the decision-maker."""
    db.lock(case)  # the route changes one author's click at a time, against the state it is in now
    ensure_may_edit(actor, case)
    capacity = (capacity or "").strip()
    if not capacity:
        raise DomainError(_("Geef de functie waarin deze persoon parafeert of beslist."), field="capacity")
    if len(capacity) > CAPACITY_MAX:
        raise DomainError(_("De functie is te lang: hoogstens %(n)d tekens.", n=CAPACITY_MAX), field="capacity")
    person = db.session.get(User, user_id)
    if person is None or not person.active:
        raise DomainError(_("Kies een persoon uit de lijst."), field="user_id")
    if not can(person, Action.VIEW, case):
        raise DomainError(
            _(
                "%(name)s kan deze nota niet zien. Deel de nota eerst met die persoon, of kies een ander.",
                name=person.name,
            ),
            field="user_id",
        )
    steps = route.route_of(case)
    if any(step.user_id == person.id for step in steps):
        raise DomainError(_("%(name)s staat al in de parafenroute.", name=person.name), field="user_id")
    if decides and route.decision_step(steps) is not None:
        raise DomainError(_("Er is al een beslisser. Haal die eerst uit de route."), field="decides")
    step = RouteStep(case_id=case.id, position=len(steps) + 1, user_id=person.id, capacity=capacity, decides=decides)
    db.session.add(step)
    _renumber([*steps, step])
    role = "beslisser" if decides else "paraaf"
    _event(actor, case, EventKind.ROUTE, f"{person.name} ({capacity}) toegevoegd als {role}.")
    return step


def _step_of(case: Case, step_id: int) -> RouteStep:
    step = db.session.get(RouteStep, step_id)
    if step is None or step.case_id != case.id:
        raise DomainError(_("Deze stap hoort niet bij deze nota."))
    return step


@service
def remove_route_step(actor: User, case: Case, *, step_id: int) -> None:
    db.lock(case)
    ensure_may_edit(actor, case)
    step = _step_of(case, step_id)
    steps = [s for s in route.route_of(case) if s.id != step.id]
    person = db.session.get(User, step.user_id)
    remove(step)
    _renumber(steps)
    _event(actor, case, EventKind.ROUTE, f"{person.name if person else '?'} ({step.capacity}) uit de route gehaald.")


@service
def move_route_step(actor: User, case: Case, *, step_id: int, offset: int) -> None:
    """Move a paraaf up (-1) or down (+1) among the parafen; the decision-maker stays last."""
    db.lock(case)
    ensure_may_edit(actor, case)
    step = _step_of(case, step_id)
    if step.decides:
        raise DomainError(_("De beslisser beslist altijd als laatste."))
    initials = route.parafen(route.route_of(case))
    index = next(i for i, s in enumerate(initials) if s.id == step.id)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(initials):
        return
    initials[index], initials[target] = initials[target], initials[index]
    _renumber([*initials, *[s for s in route.route_of(case) if s.decides]])


@service
def edit_nota(
    actor: User,
    case: Case,
    *,
    title: str,
    kenmerk: str | None,
    description: str,
    expected_version: int | None = None,
) -> None:
    """Change the nota. A new title or text voids every paraaf given so far. Not over someone else's
    change since ``expected_version``, the version the form was opened with."""
    expect_version(actor, case, expected_version, ("title", "kenmerk", "description"))
    ensure_may_edit(actor, case)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Geef de nota een onderwerp."), field="title")
    description = unix_newlines(description or "")
    if not description.strip():
        raise DomainError(_("Schrijf de tekst van de nota."), field="description")
    case.kenmerk = (kenmerk or "").strip() or None
    if title == case.title and description == case.description:
        return
    case.title, case.description = title, description
    case.text_version += 1
    voided = [step for step in route.route_of(case) if step.status is StepStatus.AKKOORD]
    for step in voided:
        step.status = StepStatus.OPEN
        step.approved_version = None
    note = "Tekst gewijzigd."
    if len(voided) == 1:
        step = voided[0]
        note += f" De paraaf van {step.user.name} ({step.capacity}) vervalt: die parafeert de nieuwe tekst opnieuw."
    elif voided:
        names = ", ".join(f"{step.user.name} ({step.capacity})" for step in voided)
        note += f" De parafen van {names} vervallen: zij paraferen de nieuwe tekst opnieuw."
    _event(actor, case, EventKind.TEKST, note)


def candidates(case: Case) -> list[User]:
    """Who may be put on the route: active members of the body who may see the nota."""
    from auth.models import Membership

    users = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.body_id == case.body_id, User.active.is_(True))
        .order_by(User.name)
    )
    return [user for user in users if can(user, Action.VIEW, case)]
