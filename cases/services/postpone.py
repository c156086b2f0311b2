"""Uitstel: the owner of an action or commitment asks for a later due date, the secretariat grants it
or refuses it. The steps are declared in ``cases.workflows.postponement``; the guards and effects they
name are here. The request is kept on the case (``Case.requested_due_date``) until it is answered, and
every step is a line in the case's history with its reason and the date asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from auth.models import User
from cases.engine import after_step, effect, guard, workflow_of
from cases.models import Case, CaseEvent, EventKind
from cases.workflows import Transition
from core.dates import show_date, today
from core.errors import DomainError
from core.extensions import db

#: A postponement asks for a date within this time: a later one is a new plan, not a postponement.
FURTHEST = timedelta(days=2 * 365)


@guard("geen_uitstel_gevraagd")
def _none_asked(case: Case) -> str | None:
    if case.requested_due_date is None:
        return None
    return _(
        "Er is al uitstel gevraagd tot %(date)s; het secretariaat beslist daar eerst over.",
        date=show_date(case.requested_due_date),
    )


@guard("uitstel_gevraagd")
def _asked(case: Case) -> str | None:
    return None if case.requested_due_date is not None else _("Er is geen uitstel gevraagd.")


@effect("uitstel_gevraagd")
def _ask(actor: User, case: Case, transition: Transition, reason: str | None, details: Mapping[str, Any]) -> None:
    """The date asked for lies after the current due date, not in the past, and within two years."""
    wanted = details["due_date"]
    if case.due_date is not None and wanted <= case.due_date:
        raise DomainError(
            _("Kies een datum na de huidige datum (%(date)s).", date=show_date(case.due_date)), field="due_date"
        )
    if wanted < today():
        raise DomainError(_("Kies een datum die nog moet komen."), field="due_date")
    if wanted > today() + FURTHEST:
        raise DomainError(_("Uitstel kan tot hoogstens twee jaar vooruit."), field="due_date")
    case.requested_due_date = wanted


def move_due_date(actor: User, case: Case, due_date: date, reason: str | None) -> None:
    """The due date becomes ``due_date``; the old one and the reason stay in the history. A
    postponement the owner asked for is answered by it, granted or not."""
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
    case.requested_due_date = None


@effect("uitstel_verleend")
def _grant(actor: User, case: Case, transition: Transition, reason: str | None, details: Mapping[str, Any]) -> None:
    """The due date moves to the date asked for, as when the secretariat moves it itself
    (``cases.services.cases.change_due_date``)."""
    granted = case.requested_due_date
    assert granted is not None  # the guard holds the step back otherwise
    move_due_date(actor, case, granted, reason)


@effect("uitstel_geweigerd")
def _refuse(actor: User, case: Case, transition: Transition, reason: str | None, details: Mapping[str, Any]) -> None:
    case.requested_due_date = None


@after_step
def _request_lapses(case: Case, event: CaseEvent, transition: Transition) -> None:
    """A request nobody answered lapses when the case leaves the states in which it can be answered
    (reported done, let lapse): reopened later, it does not come back as if still asked."""
    if case.requested_due_date is None:
        return
    answer = workflow_of(case).transition("uitstel_verlenen")
    if answer is None or case.state not in answer.sources:
        case.requested_due_date = None
