"""Reading a nota's parafenroute: who has initialled, whose turn it is, who decides."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cases.models import Case, RouteStep, StepStatus
from cases.workflows import NotaState
from core.extensions import db

#: While the nota is on its way along the route: someone on it has the turn (``at_turn``).
ON_ROUTE = (NotaState.TER_PARAFERING, NotaState.TER_BESLISSING)


def route_of(case: Case) -> list[RouteStep]:
    """The steps in order; the decision-maker's last."""
    return list(
        db.session.scalars(
            select(RouteStep)
            .where(RouteStep.case_id == case.id)
            .options(joinedload(RouteStep.user))
            .order_by(RouteStep.position)
        )
    )


def holds(step: RouteStep, case: Case) -> bool:
    """Whether the step's paraaf holds: given, and on the text as it stands."""
    return step.status is StepStatus.AKKOORD and step.approved_version == case.text_version


def parafen(steps: list[RouteStep]) -> list[RouteStep]:
    return [step for step in steps if not step.decides]


def decision_step(steps: list[RouteStep]) -> RouteStep | None:
    return next((step for step in steps if step.decides), None)


def at_turn(case: Case, steps: list[RouteStep] | None = None) -> RouteStep | None:
    """Whose turn it is: the first paraaf that does not hold while the nota is ter parafering,
    the decision-maker while it is ter beslissing; nobody otherwise."""
    steps = route_of(case) if steps is None else steps
    if case.state == NotaState.TER_PARAFERING:
        return next((step for step in parafen(steps) if not holds(step, case)), None)
    if case.state == NotaState.TER_BESLISSING:
        return decision_step(steps)
    return None


def turns(cases: list[Case]) -> dict[int, RouteStep | None]:
    """Whose turn it is on each of these notas, with one query for all their routes."""
    steps: dict[int, list[RouteStep]] = {case.id: [] for case in cases}
    if steps:
        for step in db.session.scalars(
            select(RouteStep)
            .where(RouteStep.case_id.in_(steps))
            .options(joinedload(RouteStep.user))
            .order_by(RouteStep.case_id, RouteStep.position)
        ):
            steps[step.case_id].append(step)
    return {case.id: at_turn(case, steps[case.id]) for case in cases}
