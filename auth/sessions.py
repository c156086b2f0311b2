"""Signing in and out (ASVS 5.0 V6, V7): server-side sessions, attempts, the second factor.

The browser's cookie carries a random token and the time of its last request, signed. The server
keeps a record per token; a token whose record is revoked (logout, new password, a password reset,
account switched off, second factor reset), whose user is inactive, or that is older than the absolute limit is
refused, whatever the cookie says. The idle limit is checked against the signed time of the last
request, so reading a page never writes to the database.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from audit.events import NOBODY, record_event
from auth import mfa, throttle
from auth.models import LoginAttempt, RecoveryCode, Role, User, UserSession
from auth.passwords import hash_password, password_problem, verify_password
from auth.policy import Action, ensure
from core.acting import Actor, service
from core.dates import now
from core.errors import DomainError
from core.extensions import db


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))


def absolute_limit() -> timedelta:
    return timedelta(hours=int(current_app.config["SESSION_MAX_HOURS"]))


def session_user(token: str | None, last_seen: float | None) -> User | None:
    """The user of a live session, or None: unknown, revoked, idle too long, or too old."""
    if not token or last_seen is None:
        return None
    moment = now()
    if moment - datetime.fromtimestamp(last_seen, tz=moment.tzinfo) > idle_limit():
        return None
    return db.session.scalars(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == token_hash(token),
            UserSession.revoked_at.is_(None),
            UserSession.created_at > moment - absolute_limit(),
            User.active.is_(True),
        )
    ).one_or_none()


def requires_second_factor(user: User) -> bool:
    """Whether this user must sign in with a second factor: beheerders, secretariats and auditors,
    when the installation asks for it (``REQUIRE_MFA``)."""
    if not current_app.config.get("REQUIRE_MFA"):
        return False
    return user.is_beheerder or any(role in (Role.SECRETARIAAT, Role.AUDITOR) for role in user.roles.values())


def _attempt(email: str, address: str, succeeded: bool, kind: str) -> None:
    db.session.add(LoginAttempt(email=email, address=throttle.network(address), succeeded=succeeded, kind=kind))


@service
def record_failed_sign_in(
    actor: Actor, *, email: str, address: str, kind: str = "password", throttled: bool = False, checked: bool = True
) -> None:
    """A sign-in was refused: put it in the trail, and count it when the password or code was
    checked (wrong, unknown account, or right but refused by a wait; see ``auth.throttle``)."""
    if checked:
        _attempt(email, address, False, kind)
    user = db.session.scalars(select(User).where(User.email == email)).one_or_none()
    record_event(
        "login_failed" if kind == "password" else "mfa_failed",
        object_type="users",
        object_id=user.id if user else None,
        label=f"aanmelding als {email}",
        actor=NOBODY,
        details={"email": email, "tweede_factor": kind == "mfa", "afgeremd": throttled},
        result=401,
    )


@service
def sign_in(actor: User, *, address: str, user_agent: str) -> str:
    """Open a session for a user whose password (and second factor) were right; returns its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(token_hash=token_hash(token), user_id=actor.id, address=address[:64], user_agent=user_agent[:200])
    )
    _attempt(actor.email, address, True, throttle.SIGNED_IN)
    actor.last_login_at = now()
    record_event("login", object_type="users", object_id=actor.id, label=f"aanmelding als {actor.email}", result=200)
    return token


@service
def sign_out(actor: User, *, token: str) -> None:
    """End this session on the server: the cookie is worthless from now on."""
    _revoke(actor.id, "logout", only=token_hash(token))
    record_event("logout", object_type="users", object_id=actor.id, label=f"afmelding van {actor.email}", result=200)


def _revoke(user_id: int, reason: str, *, only: str | None = None, keep: str | None = None) -> int:
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if only is not None:
        statement = statement.where(UserSession.token_hash == only)
    if keep is not None:
        statement = statement.where(UserSession.token_hash != keep)
    result: Any = db.session.execute(statement.values(revoked_at=now(), revoked_reason=reason))
    return int(result.rowcount or 0)


def end_sessions(user: User, reason: str, *, keep_token: str | None = None) -> int:
    """End a user's sessions (all but ``keep_token``); called inside the service that has a reason.
    Returns how many were still open."""
    return _revoke(user.id, reason, keep=token_hash(keep_token) if keep_token else None)


@service
def change_own_password(actor: User, *, current: str, new: str, keep_token: str) -> None:
    """A user changes their own password; their other sessions end."""
    if not verify_password(actor.password_hash, current):
        raise DomainError(_("Dit is niet uw huidige wachtwoord."), field="current")
    problem = password_problem(new, email=actor.email, name=actor.name)
    if problem:
        raise DomainError(problem, field="password")
    actor.password_hash = hash_password(new)
    actor.password_changed_at = now()
    end_sessions(actor, "password", keep_token=keep_token)


@service
def enable_second_factor(actor: User, *, secret: str, code: str) -> list[str]:
    """Switch on TOTP for the acting user after a first good code; returns new recovery codes."""
    step = mfa.matching_step(secret, code, None)
    if step is None:
        raise DomainError(_("Deze code klopt niet. Kijk of de klok van uw telefoon goed staat."), field="code")
    actor.totp_secret = secret
    actor.totp_last_step = step
    actor.mfa_enabled_at = now()
    return _replace_recovery_codes(actor)


@service
def replace_recovery_codes(actor: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not actor.mfa_enabled:
        raise DomainError(_("Zet eerst de tweede stap aan."))
    return _replace_recovery_codes(actor)


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now())
    )
    codes = mfa.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=mfa.hash_recovery_code(c)) for c in codes)
    return codes


@service
def check_second_factor(actor: User, *, code: str) -> bool:
    """Accept a current TOTP code (once) or an unused recovery code."""
    if actor.totp_secret is None:
        return False
    step = mfa.matching_step(actor.totp_secret, code, actor.totp_last_step)
    if step is not None:
        actor.totp_last_step = step
        return True
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == actor.id, RecoveryCode.used_at.is_(None))
    )
    for recovery in unused:
        if mfa.recovery_code_matches(recovery.code_hash, code):
            recovery.used_at = now()
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


@service
def reset_second_factor(actor: User, user: User) -> None:
    """The beheerder switches a user's second factor off (a lost phone); their sessions end."""
    ensure(actor, Action.ADMINISTER)
    forget_second_factor(user)
    end_sessions(user, "mfa-reset")


def forget_second_factor(user: User) -> None:
    """The user's authenticator secret goes, and their unused recovery codes count as used: no code
    from before works again. Part of a service's step (it records nothing itself)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.mfa_enabled_at = None
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now())
    )
