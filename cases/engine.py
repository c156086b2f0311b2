"""The case engine: fires a declared transition, or explains why it may not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import FunctionType, ModuleType
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from audit.recorder import note_reason
from auth.models import User
from auth.policy import Action, can, ensure, holds_role
from cases.models import Case, CaseEvent, EventKind
from cases.services import people
from cases.workflows import THIS_TYPE, TYPE_LABELS, WORKFLOWS, Transition, Workflow
from core.acting import service
from core.dates import now, today
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.extensions import db
from core.forms import TEXT_MAX

#: Effects named by transitions, marked with ``@effect`` (``cases.services.cases``, ``cases.services.nota``, ...): they
#: run before the state changes, and get the reason given and the details the step asks for
#: (``Transition.asks``).
Effect = Callable[[User, Case, Transition, str | None, Mapping[str, Any]], None]
_EFFECTS: dict[str, Effect] = {}
#: Guards named by transitions: None when the step may be taken, else why not (in Dutch).
Guard = Callable[[Case], str | None]
_GUARDS: dict[str, Guard] = {}
#: Called after every step with the case and its new history line (``cases.services.planning``).
AfterStep = Callable[[Case, CaseEvent, Transition], None]
_AFTER_STEP: list[AfterStep] = []

#: The attribute ``@effect``, ``@guard`` and ``@after_step`` put on a function; ``install`` reads it.
_MARK = "__case_engine__"


def effect(name: str) -> Callable[[Effect], Effect]:
    """Mark ``fn`` as the effect ``name``; ``install`` registers it (importing registers nothing)."""

    def mark(fn: Effect) -> Effect:
        setattr(fn, _MARK, ("effect", name))
        return fn

    return mark


def guard(name: str) -> Callable[[Guard], Guard]:
    """Mark ``fn`` as the guard ``name``; ``install`` registers it."""

    def mark(fn: Guard) -> Guard:
        setattr(fn, _MARK, ("guard", name))
        return fn

    return mark


def after_step(fn: AfterStep) -> AfterStep:
    """Mark ``fn`` to be called after every step; ``install`` registers it."""
    setattr(fn, _MARK, ("after_step", None))
    return fn


def install(*modules: ModuleType) -> None:
    """Register the effects, guards and after-step listeners that ``modules`` define, in that order
    (``cases.init_app`` does; once more, for another app in the same process, changes nothing)."""
    for module in modules:
        for fn in vars(module).values():
            # Functions only (a module's globals hold proxies too), and only the module's own.
            mark = getattr(fn, _MARK, None) if isinstance(fn, FunctionType) else None
            if mark is None or fn.__module__ != module.__name__:
                continue
            kind, name = mark
            if kind == "effect":
                _EFFECTS[name] = fn
            elif kind == "guard":
                _GUARDS[name] = fn
            elif fn not in _AFTER_STEP:
                _AFTER_STEP.append(fn)


def declared_names() -> tuple[set[str], set[str]]:
    """The effects and guards registered (for the test that every declared one exists)."""
    return set(_EFFECTS), set(_GUARDS)


def workflow_of(case: Case) -> Workflow:
    return WORKFLOWS[case.type]


def may_fire(user: Any, case: Case, transition: Transition) -> bool:
    """Whether ``user`` may fire ``transition`` on ``case``, whatever its state and guard."""
    if not can(user, Action.VIEW, case):
        return False
    if transition.sides is not None and user.side not in transition.sides:
        return False
    if holds_role(user, case, transition.roles):
        return True
    if transition.person is not None and user.id in people.ids(transition.person, case):
        return True
    return (
        transition.owner and can(user, Action.PARTICIPATE, case) and user.organisation_id == case.owner_organisation_id
    )


def ensure_may_fire(user: Any, case: Case, transition: Transition) -> None:
    """``NotPermitted`` unless ``user`` may fire ``transition`` on ``case`` (whatever its state and guard)."""
    if not may_fire(user, case, transition):
        raise NotPermitted(
            _("U mag '%(step)s' niet doen bij %(this)s.", step=transition.label, this=THIS_TYPE[case.type]), obj=case
        )


def blocked(case: Case, transition: Transition) -> str | None:
    """Why the transition's guard holds it back now, or None."""
    return _GUARDS[transition.guard](case) if transition.guard else None


def available_transitions(user: Any, case: Case) -> list[Transition]:
    """The steps this user can take now: the buttons on the case page."""
    return [t for t in workflow_of(case).from_state(case.state) if may_fire(user, case, t) and blocked(case, t) is None]


def is_closed(case: Case) -> bool:
    return case.state in workflow_of(case).closed


def is_overdue(case: Case) -> bool:
    """Derived, never stored: the due date passed while the owner still has to deliver."""
    return bool(case.due_date and case.due_date < today() and case.state in workflow_of(case).overdue_in)


@service
def fire(
    actor: User, case: Case, name: str, *, reason: str | None = None, details: Mapping[str, Any] | None = None
) -> CaseEvent:
    """Take workflow step ``name`` on ``case`` as ``actor``, recording it in the case's history.
    ``details`` are the step's answers (``Transition.asks``), e.g. where agenderen puts the item, or the
    new date a postponement asks for; a date asked for is kept on the step's history line."""
    ensure(actor, Action.VIEW, case)
    # Two people taking a step on the same case at once take turns; the second one is judged by the
    # state the first one left (and told, in Dutch, that the step no longer fits).
    db.lock(case)
    workflow = workflow_of(case)
    transition = workflow.transition(name)
    if transition is None:
        raise InvalidTransition(_("Een %(type)s kent de stap '%(step)s' niet.", type=TYPE_LABELS[case.type], step=name))
    if case.state not in transition.sources:
        raise InvalidTransition(
            _(
                "'%(step)s' kan niet bij een %(type)s met de status '%(state)s'.",
                step=transition.label,
                type=TYPE_LABELS[case.type],
                state=workflow.label(case.state),
            )
        )
    ensure_may_fire(actor, case, transition)
    why_not = blocked(case, transition)
    if why_not is not None:
        raise InvalidTransition(why_not)
    reason = (reason or "").strip() or None
    if "reason" in transition.requires and not reason:
        raise DomainError(
            _("Geef een reden of opmerking bij '%(step)s'.", step=str(transition.label).lower()), field="reason"
        )
    if reason is not None and len(reason) > TEXT_MAX:
        raise DomainError(_("De reden is te lang: hoogstens %(n)s tekens.", n=format_decimal(TEXT_MAX)), field="reason")
    details = {key: value for key, value in (details or {}).items() if value is not None}
    if unasked := set(details) - set(transition.asks):
        raise TypeError(f"step {transition.name} does not ask for {sorted(unasked)}")
    asked_date = details.get("due_date")
    if "due_date" in transition.requires and not isinstance(asked_date, date):
        raise DomainError(_("Vul een geldige datum in (dd-mm-jjjj)."), field="due_date")
    previous_due = case.due_date
    if transition.effect:
        _EFFECTS[transition.effect](actor, case, transition, reason, details)
    previous = case.state
    target = workflow.target_of(transition, previous)
    case.state = target
    if target in workflow.closed:
        case.closed_at = now()
    elif previous in workflow.closed:
        case.closed_at = None
    event = CaseEvent(
        case_id=case.id,
        kind=EventKind.STAP,
        actor_id=actor.id,
        transition=transition.name,
        from_state=previous,
        to_state=target,
        note=reason,
        previous_due_date=previous_due if isinstance(asked_date, date) else None,
        due_date=asked_date if isinstance(asked_date, date) else None,
    )
    db.session.add(event)
    if reason:
        note_reason(db.session, case, reason)
    db.session.flush()
    for listener in _AFTER_STEP:
        listener(case, event, transition)
    return event
