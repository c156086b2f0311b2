"""Consultation bodies, who holds which role in them, their seats and the themes."""

from __future__ import annotations

import itertools
import re

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from auth.models import Membership, Organisation, Role, User
from auth.policy import Action, ensure, visible
from core.acting import service
from core.dates import now
from core.errors import DomainError, NotVisible
from core.extensions import db
from core.labels import label
from core.removal import remove
from meetings.models import DEFAULT_MILESTONE_OFFSETS, Body, MilestoneKind, Seat, Theme
from meetings.services.standing import add_default_standing_items

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def bodies_for(user: User) -> list[Body]:
    """The bodies this user is a member of."""
    return list(db.session.scalars(select(Body).where(visible(user, Body)).order_by(Body.name)))


def all_bodies() -> list[Body]:
    """Every body (for the beheerder)."""
    return list(db.session.scalars(select(Body).order_by(Body.name)))


def body_by_slug(user: User, slug: str) -> Body:
    """A body this user is a member of, by its slug."""
    body = db.session.scalars(select(Body).where(Body.slug == slug, visible(user, Body))).one_or_none()
    if body is None:
        raise NotVisible()
    return body


def admin_body_by_slug(user: User, slug: str) -> Body:
    """A body for its beheer pages: any body, for the beheerder only."""
    body = db.session.scalars(select(Body).where(Body.slug == slug)).one_or_none()
    if body is None:
        raise NotVisible()
    ensure(user, Action.ADMINISTER, body)
    return body


def check_offsets(offsets: dict[str, int]) -> dict[str, int]:
    """Milestones must come in their natural order around the meeting day (offset 0)."""
    kinds = [k.value for k in MilestoneKind]
    missing = [k for k in kinds if k not in offsets]
    if missing:
        raise DomainError(
            _(
                "Geef voor elke mijlpaal een aantal dagen op (ontbreekt: %(missing)s).",
                missing=", ".join(label(MilestoneKind(k)) for k in missing),
            )
        )
    values = [int(offsets[k]) for k in kinds]
    if offsets[MilestoneKind.VERGADERING.value] != 0:
        raise DomainError(_("De vergadering zelf ligt op dag 0."), field="vergadering")
    for (_earlier, before), (kind, after) in itertools.pairwise(zip(kinds, values, strict=True)):
        if after <= before:
            # Blame the milestone that breaks the order, unless that is the fixed meeting day.
            blamed = _earlier if kind == MilestoneKind.VERGADERING.value else kind
            raise DomainError(
                _(
                    "De mijlpalen moeten in deze volgorde liggen: agendaverzoeken sluiten, ambtelijk voorportaal, "
                    "stukken verzonden, vergadering (dag 0), conceptverslag, reactietermijn sluit."
                ),
                field=blamed,
            )
    if min(values) < -365 or max(values) > 365:
        raise DomainError(_("Een mijlpaal ligt hoogstens een jaar voor of na de vergadering."))
    return {k: int(offsets[k]) for k in kinds}


@service
def create_body(actor: User, *, name: str, slug: str, description: str = "") -> Body:
    """Add a consultation body with the default milestone plan and standing agenda items."""
    ensure(actor, Action.ADMINISTER)
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise DomainError(_("Alleen kleine letters, cijfers en streepjes, bijvoorbeeld bo-brainport."), field="slug")
    if db.session.scalar(select(Body.id).where(Body.slug == slug)) is not None:
        raise DomainError(_("Deze korte naam is al in gebruik."), field="slug")
    if db.session.scalar(select(Body.id).where(func.lower(Body.name) == name.strip().lower())) is not None:
        raise DomainError(_("Er is al een overleg met deze naam."), field="name")
    body = Body(
        name=name.strip(),
        slug=slug,
        description=description or "",
        milestone_offsets=dict(DEFAULT_MILESTONE_OFFSETS),
    )
    db.session.add(body)
    db.session.flush()
    add_default_standing_items(body)
    return body


@service
def update_body(actor: User, body: Body, *, name: str, description: str, offsets: dict[str, int]) -> None:
    """Change a body's name, description or milestone plan (for cycles created from now on)."""
    ensure(actor, Action.ADMINISTER, body)
    taken = db.session.scalar(select(Body.id).where(func.lower(Body.name) == name.strip().lower(), Body.id != body.id))
    if taken is not None:
        raise DomainError(_("Er is al een overleg met deze naam."), field="name")
    body.name = name.strip()
    body.description = description or ""
    body.milestone_offsets = check_offsets(offsets)


def memberships_of(body: Body) -> list[Membership]:
    """Who holds which role in this body, by name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .options(joinedload(Membership.user))
            .where(Membership.body_id == body.id)
            .order_by(User.name)
        )
    )


def members_of(body_id: int) -> list[User]:
    """The users who hold a role in this body, by name (who can be named on a vertrouwelijk item)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.body_id == body_id)
            .order_by(User.name)
        )
    )


def organisations_of(body_id: int) -> list[Organisation]:
    """The organisations at the body's table, by name: those with a seat, and those whose people hold
    a role in it. Only they can own the body's actions: anyone else's people could not even open one."""
    seated = select(Seat.organisation_id).where(Seat.body_id == body_id)
    represented = (
        select(User.organisation_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.body_id == body_id)
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .where(or_(Organisation.id.in_(seated), Organisation.id.in_(represented)))
            .order_by(Organisation.name)
        )
    )


@service
def set_member_role(actor: User, body: Body, *, user_id: int, role: Role) -> Membership:
    """Give a user a role in this body, or change the role they have."""
    ensure(actor, Action.ADMINISTER, body)
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError(_("Kies een bestaande gebruiker."), field="user_id")
    if not user.active:
        raise DomainError(_("Dit account staat uit. Zet het eerst weer aan."), field="user_id")
    membership = db.session.scalars(
        select(Membership).where(Membership.user_id == user_id, Membership.body_id == body.id)
    ).one_or_none()
    if membership is None:
        # Through the user's collection, so a user object already in memory sees its new role.
        membership = Membership(body_id=body.id, role=Role(role))
        user.memberships.append(membership)
    elif membership.role is not Role(role):
        membership.role = Role(role)
        membership.role_since = now()
    return membership


@service
def set_secretariat_invites(actor: User, body: Body, *, allowed: bool) -> None:
    """Let the body's secretariat invite people into it (as deelnemer or waarnemer), or no longer."""
    ensure(actor, Action.ADMINISTER, body)
    body.secretariat_invites = allowed


@service
def remove_member(actor: User, membership: Membership) -> None:
    """Take a user's role in a body away."""
    body = db.session.get(Body, membership.body_id)
    ensure(actor, Action.ADMINISTER, body)
    user = membership.user
    # An explicit removal, so that it is in the trail: an orphan dropped from the user's collection is
    # deleted during the flush, where the recorder does not see it.
    remove(membership)
    db.session.expire(user, ["memberships"])


def seats_of(body: Body) -> list[Seat]:
    return list(db.session.scalars(select(Seat).where(Seat.body_id == body.id).order_by(Seat.position, Seat.id)))


@service
def add_seat(
    actor: User,
    body: Body,
    *,
    organisation_id: int,
    function: str,
    person_name: str | None = None,
    is_chair: bool = False,
) -> Seat:
    """Add a seat at the table of this body."""
    ensure(actor, Action.MANAGE, body)
    if db.session.get(Organisation, organisation_id) is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation_id")
    position = (db.session.scalar(select(func.max(Seat.position)).where(Seat.body_id == body.id)) or 0) + 1
    seat = Seat(
        body_id=body.id,
        organisation_id=organisation_id,
        function=function.strip(),
        person_name=person_name,
        is_chair=is_chair,
        position=position,
    )
    db.session.add(seat)
    return seat


@service
def remove_seat(actor: User, seat: Seat) -> None:
    """Remove a seat (its attendance records go with it, each in the trail)."""
    body = db.session.get(Body, seat.body_id)
    ensure(actor, Action.MANAGE, body)
    remove(seat)


def all_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.name)))


@service
def create_theme(actor: User, *, name: str, tooi_uri: str | None = None) -> Theme:
    """Add a theme for tagging agenda items (beheerder), with its place in the TOOI top list."""
    ensure(actor, Action.ADMINISTER)
    name = name.strip()
    if db.session.scalar(select(Theme.id).where(func.lower(Theme.name) == name.lower())) is not None:
        raise DomainError(_("Dit thema bestaat al."), field="name")
    if tooi_uri and not tooi_uri.startswith("https://identifier.overheid.nl/tooi/def/thes/top/"):
        raise DomainError(
            _("Een TOOI-thema begint met https://identifier.overheid.nl/tooi/def/thes/top/."), field="tooi_uri"
        )
    theme = Theme(name=name, tooi_uri=tooi_uri or None)
    db.session.add(theme)
    return theme
