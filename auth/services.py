"""Organisations, users and sign-in: every write here goes through ``@service``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from audit.events import record_event
from auth.feeds import end_feeds
from auth.models import (
    AudienceGrant,
    Invitation,
    InvitationEnd,
    Membership,
    Organisation,
    PasswordReset,
    User,
)
from auth.passwords import hash_password, password_problem, verify_password
from auth.policy import Action, audience_admits, ensure, forget_named, note_named
from auth.sessions import end_sessions, forget_second_factor
from auth.signals import account_closed
from core.acting import SYSTEM, Actor, service
from core.dates import now
from core.db import AppSession, Audience, AudienceMixin, Side
from core.errors import DomainError
from core.extensions import db
from core.i18n import known
from core.labels import label
from core.removal import remove


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user(user_id: int) -> User | None:
    """The signed-in user with what the policy needs (organisation, memberships) in two queries."""
    return db.session.scalars(select(User).where(User.id == user_id)).one_or_none()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def _check_password(password: str, *, email: str, name: str, field: str = "password") -> None:
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise DomainError(problem, field=field)


# --- organisations --------------------------------------------------------------------------


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.side, Organisation.name)))


def _check_unique_organisation(name: str, exclude_id: int | None = None) -> None:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DomainError(_("Er is al een organisatie met deze naam."), field="name")


@service
def create_organisation(
    actor: User | Actor, *, name: str, short_name: str, side: Side, tooi_uri: str | None = None
) -> Organisation:
    """Add an organisation on one side."""
    if not isinstance(actor, Actor):
        ensure(actor, Action.ADMINISTER)
    _check_unique_organisation(name)
    organisation = Organisation(name=name.strip(), short_name=short_name.strip(), side=Side(side), tooi_uri=tooi_uri)
    db.session.add(organisation)
    return organisation


@service
def update_organisation(
    actor: User,
    organisation: Organisation,
    *,
    name: str,
    short_name: str,
    side: Side,
    tooi_uri: str | None = None,
) -> None:
    """Change an organisation's names, side or TOOI identifier."""
    ensure(actor, Action.ADMINISTER)
    _check_unique_organisation(name, exclude_id=organisation.id)
    organisation.name = name.strip()
    organisation.short_name = short_name.strip()
    organisation.side = Side(side)
    organisation.tooi_uri = tooi_uri


# --- users ----------------------------------------------------------------------------------


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))


def _check_unique_email(email: str, exclude_id: int | None = None) -> None:
    query = select(User.id).where(User.email == email)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DomainError(_("Er is al een gebruiker met dit e-mailadres."), field="email")


def new_account(
    *,
    email: str,
    name: str,
    organisation_id: int,
    function: str | None = None,
    is_beheerder: bool = False,
    locale: str | None = None,
) -> User:
    """An account without a password: the person chooses one through an invitation."""
    email = normalise_email(email)
    _check_unique_email(email)
    if db.session.get(Organisation, organisation_id) is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation_id")
    if locale is not None and not known(locale):
        raise DomainError(_("Kies Nederlands of English."), field="locale")
    user = User(
        email=email,
        name=name.strip(),
        function=function,
        organisation_id=organisation_id,
        password_hash=None,
        is_beheerder=is_beheerder,
        locale=locale or "nl",
    )
    db.session.add(user)
    return user


@service
def create_user(
    actor: User | Actor,
    *,
    email: str,
    name: str,
    organisation_id: int,
    function: str | None = None,
    is_beheerder: bool = False,
) -> User:
    """Add an account to an organisation, without a password and without an invitation (the demo and
    tests; people are added with ``auth.invitations.invite_user``)."""
    if not isinstance(actor, Actor):
        ensure(actor, Action.ADMINISTER)
    return new_account(
        email=email, name=name, organisation_id=organisation_id, function=function, is_beheerder=is_beheerder
    )


@service
def update_user(
    actor: User,
    user: User,
    *,
    email: str,
    name: str,
    organisation_id: int,
    function: str | None = None,
    is_beheerder: bool = False,
    active: bool | None = None,
) -> None:
    """Change a user's details, organisation or beheer right; ``active=False`` switches it off too.

    Another organisation means the person left the one they were in: what they had there ends in
    the same step as for a leaver (``close_access``), only the account and its password stay.
    Switching off is that step as well, and ends the account; switching on again is
    ``auth.invitations.reactivate_user``, which sends a new invitation.
    """
    ensure(actor, Action.ADMINISTER)
    if active and not user.active:
        raise DomainError(_("Zet het account weer aan met Weer aanzetten: dat stuurt een nieuwe uitnodiging."))
    email = normalise_email(email)
    _check_unique_email(email, exclude_id=user.id)
    if db.session.get(Organisation, organisation_id) is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation_id")
    if user.id == actor.id and (not is_beheerder or active is False):
        raise DomainError(_("U kunt uw eigen beheerrecht of account niet uitzetten."), field="is_beheerder")
    if user.id == actor.id and organisation_id != user.organisation_id:
        raise DomainError(_("U kunt uzelf niet naar een andere organisatie verplaatsen."), field="organisation_id")
    moved = organisation_id != user.organisation_id
    if active is False and user.active:
        close_access(user, why="account_uit", switch_off=True)
    elif moved:
        close_access(user, why="organisatie", switch_off=False)
    user.email = email
    user.name = name.strip()
    user.function = function
    user.organisation_id = organisation_id
    user.is_beheerder = is_beheerder
    if moved:
        db.session.flush()
        db.session.expire(user, ["organisation"])


@service
def provision_password(actor: Actor, user: User, *, password: str) -> None:
    """Give an account a password from the command line or the demo loader: never from a page, where
    nobody sets another person's password (they choose it through an invitation or a reset link)."""
    if actor is not SYSTEM:
        raise DomainError(_("Alleen vanaf de opdrachtregel."))
    _check_password(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    end_invitations(user, InvitationEnd.VERVANGEN)
    end_sessions(user, "password")


@service
def set_own_language(actor: User, *, locale: str) -> None:
    """The language Regiotafel speaks to this user: its pages and the e-mails it sends them."""
    if not known(locale):
        raise DomainError(_("Kies Nederlands of English."), field="locale")
    actor.locale = locale


@service
def bootstrap_beheerder(actor: Actor, *, email: str, name: str, organisation_name: str) -> User:
    """The first beheerder of a new installation, made from the command line (without a password:
    the command prints an invitation's link, or the demo gives it the demo's password)."""
    if actor is not SYSTEM:
        raise DomainError(_("Alleen bij de installatie."))
    organisation = db.session.scalars(
        select(Organisation).where(Organisation.name == organisation_name)
    ).one_or_none() or create_organisation(actor, name=organisation_name, short_name=organisation_name, side=Side.RIJK)
    db.session.flush()
    return create_user(actor, email=email, name=name, organisation_id=organisation.id, is_beheerder=True)


# --- leavers --------------------------------------------------------------------------------------


@service
def switch_off_user(actor: User, user: User, *, reason: str | None = None) -> None:
    """Switch an account off: the person left, or must no longer get in. One step, one transaction."""
    ensure(actor, Action.ADMINISTER)
    if user.id == actor.id:
        raise DomainError(_("U kunt uw eigen beheerrecht of account niet uitzetten."))
    if not user.active:
        raise DomainError(_("Dit account staat al uit."))
    close_access(user, why="account_uit", switch_off=True, reason=reason)


def close_access(user: User, *, why: str, switch_off: bool, reason: str | None = None) -> dict[str, int]:
    """What a leaver loses at once, inside the service that says why (BIO: leavers lose access
    immediately; ASVS 7.4: sessions end when the account does).

    Sessions, calendar feeds, roles in every body, the people a vertrouwelijk item names, open
    invitations and reset links end here; what other packages keep for the user (messages not yet
    sent; later personal API tokens) ends through ``signals.account_closed``. Switching off also
    drops the password and the second factor: an account switched on again gets a new invitation and
    starts afresh. What the person wrote stays, with their name.
    """
    ended: dict[str, int] = {
        "sessies": end_sessions(user, "deactivated" if switch_off else "organisation"),
        "agendakoppelingen": end_feeds(user),
        "lidmaatschappen": len(user.memberships),
        "gedeeld": 0,
        "uitnodigingen": end_invitations(user, InvitationEnd.ACCOUNT_UIT),
        "herstellinks": end_resets(user),
    }
    # Deleted one by one, not dropped from the collection: the recorder sees an explicit delete (an
    # orphan removed during the flush never reaches ``session.deleted``, and so never the trail).
    for membership in list(user.memberships):
        remove(membership)
    for grant in db.session.scalars(select(AudienceGrant).where(AudienceGrant.user_id == user.id)).all():
        remove(grant)
        ended["gedeeld"] += 1
    db.session.flush()
    db.session.expire(user, ["memberships", "grants"])
    for _receiver, count in account_closed.send(user, why=why):
        for key, value in (count or {}).items():
            ended[key] = ended.get(key, 0) + int(value)
    if switch_off:
        user.active = False
        user.password_hash = None
        forget_second_factor(user)
    record_event(
        "account_closed" if switch_off else "left_organisation",
        object_type="users",
        object_id=user.id,
        label=f"{'account uitgezet' if switch_off else 'organisatie verlaten'}: {user.email}",
        details=ended,
        reason=reason or None,
        result=200,
    )
    return ended


def end_invitations(user: User, why: InvitationEnd) -> int:
    moment = now()
    open_ones = list(
        db.session.scalars(select(Invitation).where(Invitation.user_id == user.id, Invitation.ended_at.is_(None)))
    )
    for invitation in open_ones:
        invitation.ended_at = moment
        invitation.ended_reason = why
    return len(open_ones)


def end_resets(user: User) -> int:
    result: Any = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None), PasswordReset.ended_at.is_(None))
        .values(ended_at=now())
    )
    return int(result.rowcount or 0)


# --- audiences ----------------------------------------------------------------------------------


def named_people(obj: Any) -> list[User]:
    """Who is named on a vertrouwelijk item (empty for every other audience)."""
    if obj.audience is not Audience.VERTROUWELIJK:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(AudienceGrant, AudienceGrant.user_id == User.id)
            .where(AudienceGrant.object_type == obj.__tablename__, AudienceGrant.object_id == obj.id)
            .order_by(User.name)
        )
    )


def share(
    actor: User,
    obj: Any,
    audience: Audience | None,
    named: list[int] | None = None,
    *,
    like: Any = None,
    within: Any = None,
) -> None:
    """Set who may see ``obj``, inside the service that writes it.

    Without an audience the item takes that of ``like`` (its meeting, its agenda item), named people
    included. For a vertrouwelijk item the named people must be members of its body; the actor is
    always among them, so that nobody hides an item from themselves. A part never reaches further
    than the whole it is part of (``within``: a meeting's agenda item, an item's decision): an item for
    the whole table on a Rijk-only meeting would show the regio that the meeting exists. (A case that
    follows from a decision is no part of it: it may be shared wider, its origin shown to who sees it.)
    """
    if audience is None:
        if like is None:
            raise DomainError(_("Kies wie dit mag zien."), field="audience")
        audience = like.audience
        named = [u.id for u in named_people(like)]
    obj.audience = Audience(audience)
    if within is not None:
        _ensure_within(obj.audience, set(named or []) | {actor.id}, within)
    if obj.audience in (Audience.RIJK, Audience.REGIO) and obj.audience.value != actor.side.value:
        raise DomainError(
            _(
                "U kunt niets maken dat alleen voor de andere kant zichtbaar is (%(audience)s).",
                audience=label(obj.audience),
            ),
            field="audience",
        )
    wanted = set(named or []) | {actor.id} if obj.audience is Audience.VERTROUWELIJK else set()
    # The item's record must name the people it is shared with, which its grants (written after it,
    # as they need its id) do not yet do at this flush.
    note_named(db.session, obj, wanted)
    try:
        db.session.flush()
        existing = {
            grant.user_id: grant
            for grant in db.session.scalars(
                select(AudienceGrant).where(
                    AudienceGrant.object_type == obj.__tablename__, AudienceGrant.object_id == obj.id
                )
            )
        }
        if wanted:
            members = set(db.session.scalars(select(Membership.user_id).where(Membership.body_id == obj.body_id)))
            if wanted - members:
                raise DomainError(_("Alleen leden van dit overleg kunnen worden genoemd."), field="shared_with")
        for user_id in wanted - existing.keys():
            db.session.add(AudienceGrant(object_type=obj.__tablename__, object_id=obj.id, user_id=user_id))
        for user_id in existing.keys() - wanted:
            remove(existing[user_id])
        # A user already in memory (the actor, most often) must see the change in its own grants; a
        # lazy load does not flush, so flush first.
        db.session.flush()
    finally:
        forget_named(db.session, obj)
    for user_id in wanted ^ existing.keys():
        loaded = db.session.identity_map.get(identity_key(User, user_id))
        if loaded is not None:
            db.session.expire(loaded, ["grants"])


#: For an item in something of this audience: the audiences it may have (None: any).
_WITHIN: dict[Audience, frozenset[Audience] | None] = {
    Audience.OPENBAAR: None,
    Audience.OVERLEG: None,
    Audience.RIJK: frozenset({Audience.RIJK, Audience.VERTROUWELIJK}),
    Audience.REGIO: frozenset({Audience.REGIO, Audience.VERTROUWELIJK}),
    Audience.VERTROUWELIJK: frozenset({Audience.VERTROUWELIJK}),
}


def _ensure_within(audience: Audience, named: set[int], parent: Any) -> None:
    allowed = _WITHIN[parent.audience]
    too_wide = allowed is not None and audience not in allowed
    if not too_wide and audience is Audience.VERTROUWELIJK and allowed is not None:
        # The named people must be able to see what the item belongs to, or it names them in vain
        # and tells them the parent exists.
        people = db.session.scalars(select(User).where(User.id.in_(named)))
        too_wide = not all(audience_admits(person, parent) for person in people)
    if too_wide:
        raise DomainError(
            _(
                "Dit kan niet ruimer zichtbaar zijn dan waar het bij hoort (%(audience)s).",
                audience=label(parent.audience),
            ),
            field="audience",
        )


def ensure_parts_within(parent: Any, parts: Iterable[Any]) -> None:
    """Before ``parent``'s audience narrows: none of its parts (decisions, documents) may then reach
    further than it does."""
    for part in parts:
        _ensure_within(part.audience, {u.id for u in named_people(part)}, parent)


def _forget_named_people(session: Session, _context: Any, _instances: Any) -> None:
    """When a vertrouwelijk item is deleted, its named people go with it, in the same flush.

    Without this a later item that got the same id (SQLite reuses the highest) would inherit them.
    """
    deleted = [obj for obj in session.deleted if isinstance(obj, AudienceMixin)]
    if not deleted:
        return
    with session.no_autoflush:
        for obj in deleted:
            for grant in session.scalars(
                select(AudienceGrant).where(
                    AudienceGrant.object_type == obj.__tablename__, AudienceGrant.object_id == obj.id
                )
            ):
                session.delete(grant)


def install_grant_cleanup() -> None:
    """Forget the named people of deleted items in the app's sessions (``auth.init_app``)."""
    if not event.contains(AppSession, "before_flush", _forget_named_people):
        event.listen(AppSession, "before_flush", _forget_named_people)
