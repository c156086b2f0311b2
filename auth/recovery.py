"""*Wachtwoord vergeten*: a link by e-mail, valid once and for at most an hour (ASVS 5.0 V6.4).

Anyone may ask for a link for any address. The answer and the work are the same whether the address
has an account or not, is switched off, or has no password yet: the request is stored either way
(with its user, or without), counted by the throttle (``auth.throttle``, kind ``reset``), and put in
the audit trail; nothing is composed or sent while the page waits. The scheduler then writes the
e-mail (``notify.accounts``) only for an active account that has a password. A new request ends the
earlier links of that address; using one ends every session of the user, and their second factor is
still asked before a new session opens (``auth.views.signin``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from audit.events import NOBODY, record_event
from auth import links, throttle
from auth.models import LoginAttempt, PasswordReset, User
from auth.passwords import hash_password, password_problem
from auth.sessions import end_sessions, token_hash
from core.acting import Actor, service
from core.dates import now
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.web import absolute_url

PURPOSE = "wachtwoordherstel"
ENDPOINT = "auth.password_reset"
#: ASVS 6.4: a reset link lives an hour at most, whatever the configuration says.
LONGEST = timedelta(hours=1)


def lifetime() -> timedelta:
    return min(timedelta(minutes=int(current_app.config["PASSWORD_RESET_MINUTES"])), LONGEST)


def link_of(reset: PasswordReset) -> str:
    return absolute_url(ENDPOINT, token=links.token_for(PURPOSE, reset.nonce))


def still_sendable(reset: PasswordReset) -> bool:
    return links.still_derives(PURPOSE, reset.nonce, reset.token_hash)


@service
def request_password_reset(actor: Actor, *, email: str, address: str) -> None:
    """Someone asks for a reset link for ``email`` (normalised). The same statements run for every
    address: whether it has an account decides only what the scheduler sends, later."""
    moment = now()
    user_id = db.session.scalar(select(User.id).where(User.email == email))
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.email == email, PasswordReset.used_at.is_(None), PasswordReset.ended_at.is_(None))
        .values(ended_at=moment)
    )
    issued = links.issue(PURPOSE)
    db.session.add(
        PasswordReset(
            email=email,
            user_id=user_id,
            token_hash=issued.token_hash,
            nonce=issued.nonce,
            created_at=moment,
            expires_at=moment + lifetime(),
        )
    )
    db.session.add(LoginAttempt(email=email, address=throttle.network(address), succeeded=False, kind=throttle.RESET))
    record_event(
        "reset_requested",
        object_type="users",
        object_id=user_id,
        label=f"wachtwoordherstel gevraagd voor {email}",
        actor=NOBODY,
        details={"email": email},
        result=202,
    )


@service
def record_refused_reset(actor: Actor, *, email: str) -> None:
    """A request the throttle refused: in the trail, and not counted again (it sent nothing)."""
    user_id = db.session.scalar(select(User.id).where(User.email == email))
    record_event(
        "reset_refused",
        object_type="users",
        object_id=user_id,
        label=f"wachtwoordherstel gevraagd voor {email}",
        actor=NOBODY,
        details={"email": email, "afgeremd": True},
        result=429,
    )


# --- the link -------------------------------------------------------------------------------------


UNKNOWN = _l("Deze link kennen we niet. Kijk of u de hele link uit de e-mail hebt gebruikt, of vraag een nieuwe aan.")


def find(token: str | None) -> PasswordReset | None:
    """The reset whose link carries this token, for an active account with a password; else None."""
    if not links.plausible(token):
        return None
    reset = db.session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token or ""))
    ).one_or_none()
    if reset is None or reset.user_id is None:
        return None
    user = db.session.get(User, reset.user_id)
    if user is None or not user.active or not user.has_credentials:
        return None
    return reset


def refusal(reset: PasswordReset | None) -> tuple[str, int] | None:
    """Why this link no longer works (message, status), or None when it does. Only reads."""
    if reset is None:
        return str(UNKNOWN), 404
    if reset.used_at is not None:
        return _("Deze link is al gebruikt. Vraag zo nodig een nieuwe aan."), 410
    if reset.ended_at is not None:
        return _(
            "Er is sindsdien een nieuwere link verstuurd; alleen de laatste werkt. Vraag zo nodig een nieuwe aan."
        ), 410
    if reset.expires_at <= now():
        return (
            _("Deze link is verlopen: hij werkt %(minutes)s minuten. Vraag een nieuwe aan.", minutes=_minutes()),
            410,
        )
    return None


def _minutes() -> int:
    return int(lifetime().total_seconds() // 60)


@service
def reset_password(actor: User, reset: PasswordReset, *, password: str) -> None:
    """The person chose a new password with their reset link: the link is used up and every session
    of theirs ends. Their second factor stays, and is asked before they are signed in again."""
    if reset.user_id != actor.id:
        raise NotPermitted()
    db.session.refresh(reset, with_for_update=True)
    refused = refusal(reset)
    if refused is not None:
        raise DomainError(refused[0])
    problem = password_problem(password, email=actor.email, name=actor.name)
    if problem:
        raise DomainError(problem, field="password")
    moment = now()
    actor.password_hash = hash_password(password)
    actor.password_changed_at = moment
    reset.used_at = moment
    result: Any = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == actor.id,
            PasswordReset.id != reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.ended_at.is_(None),
        )
        .values(ended_at=moment)
    )
    ended = end_sessions(actor, "password-reset")
    record_event(
        "password_reset",
        object_type="users",
        object_id=actor.id,
        label=f"nieuw wachtwoord via herstellink: {actor.email}",
        details={"sessies_beeindigd": ended, "andere_links_beeindigd": int(result.rowcount or 0)},
        result=200,
    )
