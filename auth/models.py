"""Organisations (each on one side), users, and the roles they hold per consultation body."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.acting import Actor
from core.db import Base, Side, created_at, intpk, utcnow
from core.removal import Removable


class Role(enum.StrEnum):
    """What a user may do in one consultation body."""

    SECRETARIAAT = "secretariaat"  # prepares cycles, agendas, decisions
    DEELNEMER = "deelnemer"  # member or supporting civil servant
    WAARNEMER = "waarnemer"  # reads only
    AUDITOR = "auditor"  # audit trail and exports


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Short form used in lists, e.g. "EZK" or "Prov. N-Brabant".
    short_name: Mapped[str] = mapped_column(String(60))
    side: Mapped[Side]
    #: TOOI identifier (identifier.overheid.nl), used as publisher in Woo metadata.
    tooi_uri: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]

    users: Mapped[list[User]] = relationship(back_populates="organisation", lazy="raise_on_sql")

    @property
    def audit_label(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


class User(UserMixin, Base):
    __tablename__ = "users"
    __audit_secret__ = frozenset({"password_hash", "totp_secret", "totp_last_step"})

    id: Mapped[intpk]
    #: Stored lower-case; the login name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Function in the consultation, e.g. "gedeputeerde economie".
    function: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: None until the person chose one through an invitation, and again once the account is switched
    #: off: nobody but the person ever sets it (``auth.invitations``, ``auth.recovery``).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    is_beheerder: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    #: Base32 TOTP secret once two-factor login is set up (RFC 6238, 30-second steps).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The last time step whose code was accepted: a code works once (ASVS 6.5).
    totp_last_step: Mapped[int | None]
    mfa_enabled_at: Mapped[datetime | None]
    #: The language of the interface and of the e-mails this user gets: "nl" or "en".
    locale: Mapped[str] = mapped_column(String(5), default="nl")

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined", innerjoin=True)
    # Loaded with every user: the policy needs them for every check, and a page shows few users.
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )
    # Loaded on the first vertrouwelijk item a request meets; most requests never do.
    grants: Mapped[list[AudienceGrant]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login: an inactive account cannot log in
        return self.active

    @property
    def side(self) -> Side:
        return self.organisation.side

    @property
    def roles(self) -> dict[int, Role]:
        """Role per body id."""
        return {m.body_id: m.role for m in self.memberships}

    def role_in(self, body_id: int) -> Role | None:
        return next((m.role for m in self.memberships if m.body_id == body_id), None)

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_secret is not None and self.mfa_enabled_at is not None

    @property
    def has_credentials(self) -> bool:
        """Whether the person can sign in at all: a password, chosen through an invitation.

        The seam for single sign-on: an account linked to an identity provider would have
        credentials too, and would accept its invitation by signing in there."""
        return self.password_hash is not None

    @property
    def grant_keys(self) -> frozenset[tuple[str, int]]:
        """The (table, id) of every vertrouwelijk item this user is named on."""
        return frozenset((g.object_type, g.object_id) for g in self.grants)

    def as_actor(self) -> Actor:
        return Actor(user_id=self.id, label=f"{self.name} <{self.email}>", organisation=self.organisation.name)

    @property
    def audit_label(self) -> str:
        return f"{self.name} <{self.email}>"

    def __str__(self) -> str:
        return self.name


class Membership(Removable, Base):
    """A user's role in one body; a person can be secretariat of one body and member of another."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "body_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role]
    created_at: Mapped[created_at]
    #: Since when the user holds this role here (the access review asks "who has what since when").
    role_since: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")

    def audit_main_object(self) -> str | None:
        return f"users/{self.user_id}"

    @property
    def audit_label(self) -> str:
        return f"lidmaatschap {self.user_id} in overleg {self.body_id} ({self.role.value})"


class AudienceGrant(Removable, Base):
    """A named person on a vertrouwelijk item: only they see it (membership of its body still applies)."""

    __tablename__ = "audience_grants"
    __table_args__ = (UniqueConstraint("object_type", "object_id", "user_id"),)

    id: Mapped[intpk]
    #: The table of the item, e.g. "documents"; with ``object_id`` it names the item.
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(back_populates="grants")

    def audit_main_object(self) -> str | None:
        return f"{self.object_type}/{self.object_id}"

    @property
    def audit_label(self) -> str:
        return f"gedeeld met gebruiker {self.user_id}: {self.object_type} {self.object_id}"


class UserSession(Base):
    """A signed-in session, held on the server so that it can end: at logout, at a password change,
    when the account is switched off, or when it grows too old. The browser holds only its token."""

    __tablename__ = "user_sessions"
    __audited__ = False

    id: Mapped[intpk]
    #: SHA-256 of the token in the cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]
    revoked_at: Mapped[datetime | None]
    #: logout, password, password-reset, deactivated, organisation, mfa-reset
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class LoginAttempt(Base):
    """A checked try at a password or a second-factor code that failed, or a session that opened: for
    throttling (``auth.throttle``). Not the audit trail."""

    __tablename__ = "login_attempts"
    __audited__ = False
    # One index per key that the throttle judges (the pair, the account, the client address), each
    # ending in ``at``: the latest failures within a window, and the last success, are one range each.
    __table_args__ = (
        Index("ix_login_attempts_pair", "email", "address", "succeeded", "kind", "at"),
        Index("ix_login_attempts_account", "email", "succeeded", "kind", "at"),
        Index("ix_login_attempts_client", "address", "succeeded", "kind", "at"),
    )

    id: Mapped[intpk]
    #: The address as typed (normalised), known account or not.
    email: Mapped[str] = mapped_column(String(254))
    #: The client's address; an IPv6 address as its /64 network (``throttle.network``).
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[created_at]
    succeeded: Mapped[bool]
    #: The step of a failure, "password" or "mfa". A success is written once, when the session
    #: opens after every step, as "password".
    kind: Mapped[str] = mapped_column(String(10), default="password")


class RecoveryCode(Base):
    """A one-time code to sign in when the authenticator app is lost; stored hashed."""

    __tablename__ = "recovery_codes"
    __audited__ = False

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]


class CalendarFeed(Base):
    """A personal calendar feed: its secret token is the only key to it, so it is kept as a hash,
    shown once, and revoked rather than changed."""

    __tablename__ = "calendar_feeds"
    __audit_secret__ = frozenset({"token_hash"})

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the feed's address.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    revoked_at: Mapped[datetime | None]

    def audit_main_object(self) -> str | None:
        return f"users/{self.user_id}"

    @property
    def audit_label(self) -> str:
        return f"agendakoppeling van gebruiker {self.user_id}"


class InvitationEnd(enum.StrEnum):
    """Why an invitation's link stopped working."""

    AANVAARD = "aanvaard"  # the person chose a password with it
    VERVANGEN = "vervangen"  # sent again: a new link replaced it
    INGETROKKEN = "ingetrokken"  # withdrawn (the account went off with it)
    ACCOUNT_UIT = "account_uit"  # the account was switched off, or its person left the organisation


class Invitation(Base):
    """A single-use link, sent by e-mail, with which a person chooses their own password.

    The link's token is derived from ``nonce`` with the server's secret key (``auth.links``), so the
    scheduler can write the e-mail when it sends it, in the recipient's language; the database keeps
    only the nonce and the token's hash. A copy of the database opens no invitation.
    """

    __tablename__ = "invitations"
    __audit_secret__ = frozenset({"token_hash", "nonce"})

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The body from whose page its secretariat sent it (None: the beheerder or the command line);
    #: that secretariat may send it again or withdraw it.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Random; with the secret key it gives the token (``auth.links.token_for``).
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[InvitationEnd | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id], lazy="raise_on_sql")

    def audit_main_object(self) -> str | None:
        return f"users/{self.user_id}"

    @property
    def audit_label(self) -> str:
        return f"uitnodiging {self.id} voor gebruiker {self.user_id}"


class PasswordReset(Base):
    """A request for a link to choose a new password (*Wachtwoord vergeten*), for any address typed.

    A request for an address without an account is stored as well (``user_id`` None): known and
    unknown addresses cost the same work and get the same answer. Bookkeeping, like the sign-in
    attempts: the request is in the audit trail as an event, the new password as a change of the user.
    """

    __tablename__ = "password_resets"
    __audited__ = False

    id: Mapped[intpk]
    #: The address as typed (normalised), known account or not.
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    #: A newer request, or the account going off, ended it unused.
    ended_at: Mapped[datetime | None]


class IdentityProvider(Base):
    """An organisation's own OpenID Connect provider (Entra ID, Keycloak, ADFS): its people sign in
    there instead of with a password here (``auth.sso``). The beheerder configures it."""

    __tablename__ = "identity_providers"
    # The client secret opens the provider's token endpoint for Regiotafel: never shown back, never in the trail.
    __audit_secret__ = frozenset({"client_secret"})

    id: Mapped[intpk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: Exactly as the provider's discovery document and its ID tokens name it (``iss``).
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    #: Encrypted with a key derived from SECRET_KEY (``auth.sso.seal``): a copy of the database alone
    #: does not give it away.
    client_secret: Mapped[str] = mapped_column(String(1000))
    #: The ID token's claim with the e-mail address ("email"; Entra ID without it: "preferred_username").
    email_claim: Mapped[str] = mapped_column(String(60), default="email")
    #: The claim that says the provider checked that address ("email_verified"; Entra ID: "xms_edov").
    verified_claim: Mapped[str] = mapped_column(String(60), default="email_verified")
    #: The organisation's e-mail domains, space-separated: only addresses there sign in through it.
    email_domains: Mapped[str] = mapped_column(String(500))
    #: Whether a person of the organisation without an account gets one at the first sign-in.
    create_users: Mapped[bool] = mapped_column(default=False)
    #: Space-separated ``acr`` values, and ``amr`` values, that the provider sends when it asked for a
    #: second factor itself; either one met stands in for Regiotafel's own second step. Empty: never.
    mfa_acr_values: Mapped[str] = mapped_column(String(300), default="")
    mfa_amr_values: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()

    @property
    def audit_label(self) -> str:
        return f"identiteitsprovider {self.issuer}"
