"""Who the names in a workflow declaration (``cases.workflows.PEOPLE``) are, for one case."""

from __future__ import annotations

from sqlalchemy import select

from auth.models import Membership, Role, User
from cases.models import Case
from cases.services import route
from core.extensions import db

_TAKES_PART = (Role.SECRETARIAAT, Role.DEELNEMER)


class Members:
    """Every active member's role per body, loaded once: for planning reminders over many cases
    without a query per case."""

    def __init__(self) -> None:
        self.roles: dict[int, list[tuple[int, int, Role]]] = {}
        for body_id, user_id, organisation_id, role in db.session.execute(
            select(Membership.body_id, User.id, User.organisation_id, Membership.role)
            .join(User, Membership.user_id == User.id)
            .where(User.active.is_(True))
        ):
            self.roles.setdefault(body_id, []).append((user_id, organisation_id, role))

    def secretariat(self, body_id: int) -> set[int]:
        return {user for user, _org, role in self.roles.get(body_id, []) if role is Role.SECRETARIAAT}

    def participants(self, body_id: int, organisation_id: int) -> set[int]:
        return {
            user for user, org, role in self.roles.get(body_id, []) if org == organisation_id and role in _TAKES_PART
        }


def ids(name: str, case: Case, members: Members | None = None) -> set[int]:
    """The ids of the people ``name`` stands for (may fire a transition that names them)."""
    if name in ("auteur", "indiener"):
        return {case.created_by_id}
    if name == "aan_de_beurt":
        step = route.at_turn(case)
        return {step.user_id} if step is not None else set()
    if name == "beslisser":
        step = route.decision_step(route.route_of(case))
        return {step.user_id} if step is not None else set()
    if name == "uitvoerder":
        if case.assignee_id is not None:
            return {case.assignee_id}
        if members is not None:
            return members.participants(case.body_id, case.owner_organisation_id)
        return set(
            db.session.scalars(
                select(User.id)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    User.organisation_id == case.owner_organisation_id,
                    Membership.body_id == case.body_id,
                    Membership.role.in_(_TAKES_PART),
                )
            )
        )
    if name == "secretariaat":
        if members is not None:
            return members.secretariat(case.body_id)
        return set(
            db.session.scalars(
                select(Membership.user_id).where(
                    Membership.body_id == case.body_id, Membership.role == Role.SECRETARIAAT
                )
            )
        )
    raise KeyError(f"unknown person {name!r} in a workflow declaration")
