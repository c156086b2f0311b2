"""Personal access tokens: made by their user on *Mijn account* (or by an operator with ``flask tokens
create``), shown once, listed with their last use, revoked for good.

A token is a key, not a role: each call acts as its user with what that user may see and do at that
moment (a closed account, an expired or revoked token: 401; a lost membership is lost through the token
too), and a read token does no writes. The secret never reaches the database or the audit trail:
only its SHA-256 is kept (like a session's).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from api.models import AccessToken, TokenScope
from auth.models import User
from auth.sessions import token_hash
from core.acting import service
from core.dates import now
from core.errors import DomainError, NotVisible
from core.extensions import db

#: Every secret starts with this, so that a secret scanner (and a person) recognises a leaked one.
PREFIX = "rt_"
#: A token lives at most a year: an API client that runs longer asks its user for a new one.
MAX_DAYS = 365
#: The last use is noted at most once a minute per token: a busy script writes no row per call.
USE_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A token just made, with its secret: the one moment the secret exists outside its holder."""

    token: AccessToken
    secret: str


@service
def create_token(actor: User | object, *, owner: User, name: str, scope: str, days: int) -> IssuedToken:
    """Make a personal access token for ``owner`` (the owner themselves, or an operator on the command line)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Geef de token een naam van hoogstens 100 tekens."), field="name")
    if scope not in {s.value for s in TokenScope}:
        raise DomainError(_("Kies lezen of schrijven."), field="scope")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_("Een token geldt 1 tot %(max)d dagen.", max=MAX_DAYS), field="days")
    if not owner.active:
        raise DomainError(_("Dit account staat uit."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(
        user_id=owner.id,
        name=name,
        scope=TokenScope(scope),
        token_hash=token_hash(secret),
        expires_at=now() + timedelta(days=days),
    )
    db.session.add(token)
    return IssuedToken(token=token, secret=secret)


@service
def revoke_token(actor: User, token_id: int) -> AccessToken:
    """Revoke one of one's own tokens: from now on it answers 401. Another's token does not exist here."""
    token = db.session.get(AccessToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != actor.id:
        raise NotVisible("access_tokens", token_id)
    if token.revoked_at is None:
        token.revoked_at = now()
    return token


def end_tokens(user: User, **_why: object) -> dict[str, int]:
    """Revoke every live token of a leaver (the receiver of ``auth.signals.account_closed``, inside the
    service that closes the account, so it commits or rolls back with it)."""
    tokens = list(
        db.session.scalars(select(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None)))
    )
    for token in tokens:
        token.revoked_at = now()
    return {"api_tokens": len(tokens)}


def tokens_of(user: User) -> list[AccessToken]:
    """The user's tokens, newest first, revoked and expired ones included (so the list explains itself)."""
    return list(
        db.session.scalars(select(AccessToken).where(AccessToken.user_id == user.id).order_by(AccessToken.id.desc()))
    )


def token_user(secret: str) -> tuple[User, AccessToken] | None:
    """The active user of a live token with this secret, and the token; None when it does not open."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalars(select(AccessToken).where(AccessToken.token_hash == token_hash(secret))).one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= now() or not token.user.active:
        return None
    return token.user, token


def note_use(token: AccessToken) -> None:
    """Note when the token was last used (bookkeeping the audit trail omits), in its own commit."""
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at >= USE_GRANULARITY:
        token.last_used_at = moment
        db.session.commit()
