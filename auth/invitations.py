"""Invitations: how a person gets into Regiotafel, choosing their own password (ASVS 5.0 V6.4).

The beheerder, or a body's secretariat where the beheerder allows it (``Body.secretariat_invites``,
and then only as deelnemer or waarnemer of that body), adds a person with name, e-mail address,
organisation and roles. The account has no password. The person gets an e-mail (``notify.accounts``,
written when the scheduler sends it, in their language) with a link that works once and for
``INVITATION_HOURS`` (72), on which they choose their password, checked by the password rules; a role
that asks for a second factor then takes them to setting it up. Nobody else ever sets or sees the
password. An invitation can be sent again (a new link; the old one stops working) or withdrawn
(the account goes off with it: nobody can use it any more). A GET of the link only shows the form;
the POST, to an address without the token, uses it up.

Single sign-on, once it exists, would accept an invitation by signing in at the identity provider
instead of choosing a password: ``accept_invitation`` is the one place that turns an invitation into
credentials, and ``User.has_credentials`` the one question whether someone has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth import links
from auth.models import Invitation, InvitationEnd, Membership, Role, User
from auth.passwords import hash_password, password_problem
from auth.policy import Action, ensure, grantable_roles
from auth.services import close_access, end_invitations, new_account
from auth.sessions import end_sessions, token_hash
from core.acting import Actor, service
from core.dates import now
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.labels import label
from core.web import absolute_url

PURPOSE = "uitnodiging"
#: The page the link in the e-mail opens.
ENDPOINT = "auth.invitation"


def lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["INVITATION_HOURS"]))


def token_of(invitation: Invitation) -> str:
    """The token of an invitation's link (derived again; see ``auth.links``)."""
    return links.token_for(PURPOSE, invitation.nonce)


def link_of(invitation: Invitation) -> str:
    """The full address of the invitation's link, for the e-mail or the command line."""
    return absolute_url(ENDPOINT, token=token_of(invitation))


def still_sendable(invitation: Invitation) -> bool:
    """Whether the server's key still gives this invitation's token (a new key voids every open link)."""
    return links.still_derives(PURPOSE, invitation.nonce, invitation.token_hash)


# --- inviting -------------------------------------------------------------------------------------


@service
def invite_user(
    actor: User | Actor,
    *,
    email: str,
    name: str,
    organisation_id: int,
    function: str | None = None,
    is_beheerder: bool = False,
    roles: Sequence[tuple[Any, Role]] = (),
    from_body: Any = None,
    locale: str | None = None,
) -> Invitation:
    """Add a person with their roles per body; they get an e-mail with a link to choose a password.

    ``roles`` pairs a body with a role. ``from_body`` is the body on whose page a secretariat did
    this: that secretariat may then send the invitation again or withdraw it. ``locale`` is the
    language of the e-mails (the invitation first) until the person chooses another.
    """
    seen: set[int] = set()
    for body, _role in roles:
        if body.id in seen:
            raise DomainError(_("Noem elk overleg maar één keer."), field="roles")
        seen.add(body.id)
    if not isinstance(actor, Actor):
        if is_beheerder or not roles or from_body is None:
            ensure(actor, Action.ADMINISTER)
        for body, role in roles:
            ensure(actor, Action.INVITE, body)
            if Role(role) not in grantable_roles(actor, body):
                raise DomainError(
                    _(
                        "U kunt iemand in %(body)s niet als %(role)s uitnodigen; vraag het de beheerder.",
                        body=body.name,
                        role=label(Role(role)),
                    ),
                    field="roles",
                )
    user = new_account(
        email=email,
        name=name,
        organisation_id=organisation_id,
        function=function,
        is_beheerder=is_beheerder,
        locale=locale,
    )
    db.session.flush()
    for body, role in roles:
        # Through the user's collection, so that the user in memory knows its roles.
        user.memberships.append(Membership(body_id=body.id, role=Role(role)))
    return _issue(user, actor, body_id=from_body.id if from_body is not None else None)


@service
def invite_again(actor: User | Actor, user: User) -> Invitation:
    """A new invitation for an account without a password (the command line's first beheerder, say)."""
    if not isinstance(actor, Actor):
        ensure(actor, Action.ADMINISTER)
    if not user.active:
        raise DomainError(_("Dit account staat uit. Zet het weer aan; dat stuurt een nieuwe uitnodiging."))
    if user.has_credentials:
        raise DomainError(_("Deze persoon heeft al een wachtwoord. Wie het kwijt is, kiest Wachtwoord vergeten."))
    return _issue(user, actor, body_id=None)


@service
def resend_invitation(actor: User, invitation: Invitation) -> Invitation:
    """Send an invitation again with a new link; the old link stops working."""
    ensure(actor, Action.INVITE, invitation)
    user = invitation.user
    if invitation.ended_reason in (InvitationEnd.INGETROKKEN, InvitationEnd.ACCOUNT_UIT) or not user.active:
        raise DomainError(_("Deze uitnodiging is ingetrokken en het account staat uit."))
    if user.has_credentials:
        raise DomainError(_("Deze uitnodiging is al aanvaard."))
    return _issue(user, actor, body_id=invitation.body_id)


@service
def withdraw_invitation(actor: User, invitation: Invitation) -> None:
    """Withdraw an invitation: its link stops working and the account, never used, goes off with its roles."""
    ensure(actor, Action.INVITE, invitation)
    user = invitation.user
    if invitation.ended_at is not None or user.has_credentials or not user.active:
        raise DomainError(_("Deze uitnodiging is niet meer open."))
    if not actor.is_beheerder and any(m.body_id != invitation.body_id for m in user.memberships):
        raise DomainError(_("Deze persoon heeft ook een rol in een ander overleg. Vraag de beheerder."))
    invitation.ended_at = now()
    invitation.ended_reason = InvitationEnd.INGETROKKEN
    close_access(user, why="account_uit", switch_off=True, reason=_("Uitnodiging ingetrokken."))


@service
def reactivate_user(actor: User, user: User) -> Invitation:
    """Switch an account on again: nothing of its old password or second factor comes back; the
    person gets a new invitation and chooses a password afresh."""
    ensure(actor, Action.ADMINISTER)
    if user.active:
        raise DomainError(_("Dit account staat al aan."))
    user.active = True
    return _issue(user, actor, body_id=None)


def _issue(user: User, actor: User | Actor, *, body_id: int | None) -> Invitation:
    """A new link for ``user``; any open one stops working. The e-mail is planned by the scheduler."""
    end_invitations(user, InvitationEnd.VERVANGEN)
    issued = links.issue(PURPOSE)
    invitation = Invitation(
        user_id=user.id,
        body_id=body_id,
        invited_by_id=actor.id if isinstance(actor, User) else actor.user_id,
        token_hash=issued.token_hash,
        nonce=issued.nonce,
        expires_at=now() + lifetime(),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


# --- the link -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a link does not work, in the reader's language, and the status of the page that says so."""

    message: str
    status: int


UNKNOWN = _l("Deze link kennen we niet. Kijk of u de hele link uit de e-mail hebt gebruikt.")


def find(token: str | None) -> Invitation | None:
    """The invitation whose link carries this token (used, ended or open), or None."""
    if not links.plausible(token):
        return None
    return db.session.scalars(select(Invitation).where(Invitation.token_hash == token_hash(token or ""))).one_or_none()


def refusal(invitation: Invitation | None) -> Refusal | None:
    """Why this invitation's link no longer works, or None when it does (only reads)."""
    if invitation is None:
        return Refusal(str(UNKNOWN), 404)
    if invitation.ended_reason is InvitationEnd.AANVAARD or (
        invitation.ended_at is None and invitation.user.has_credentials
    ):
        return Refusal(
            _(
                "Deze uitnodiging is al gebruikt: het wachtwoord is gekozen. Log in, of kies Wachtwoord vergeten "
                "als u het niet meer weet."
            ),
            410,
        )
    if invitation.ended_reason is InvitationEnd.VERVANGEN:
        return Refusal(
            _(
                "Deze link werkt niet meer: de uitnodiging is opnieuw verstuurd. "
                "Gebruik de link uit het laatste bericht."
            ),
            410,
        )
    if invitation.ended_at is not None or not invitation.user.active:
        return Refusal(_("Deze uitnodiging is ingetrokken."), 410)
    if invitation.expires_at <= now():
        return Refusal(
            _("Deze uitnodiging is verlopen. Vraag wie u uitnodigde om haar opnieuw te sturen."),
            410,
        )
    return None


@service
def accept_invitation(actor: User, invitation: Invitation, *, password: str) -> None:
    """The invited person chooses their password; the link is used up."""
    if invitation.user_id != actor.id:
        raise NotPermitted()
    # Read again, locked: two tabs posting the same link at once use it once (SQLite serialises
    # writers from the start of the request; PostgreSQL locks the row here).
    db.session.refresh(invitation, with_for_update=True)
    refused = refusal(invitation)
    if refused is not None:
        raise DomainError(refused.message)
    problem = password_problem(password, email=actor.email, name=actor.name)
    if problem:
        raise DomainError(problem, field="password")
    actor.password_hash = hash_password(password)
    actor.password_changed_at = now()
    invitation.ended_at = now()
    invitation.ended_reason = InvitationEnd.AANVAARD
    end_sessions(actor, "password")


def open_invitation_of(user: User) -> Invitation | None:
    """The user's latest invitation that is not ended (it may have expired)."""
    return db.session.scalars(
        select(Invitation)
        .where(Invitation.user_id == user.id, Invitation.ended_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).first()


def latest_invitation_of(user: User) -> Invitation | None:
    return db.session.scalars(
        select(Invitation).where(Invitation.user_id == user.id).order_by(Invitation.id.desc())
    ).first()
