"""Personal access tokens: the key a script or another system uses for the JSON API, on a person's behalf."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.db import Base, created_at, intpk


class TokenScope(enum.StrEnum):
    """What a token lets its holder do, never more than its user may do at that moment."""

    READ = "read"  # GET only
    WRITE = "write"  # also the API's writes, through the same services as the pages


class AccessToken(Base):
    """A personal access token. Like a calendar link its secret is the only key, so the database keeps
    only its SHA-256; the secret is shown once, when it is made. Revoking is final."""

    __tablename__ = "access_tokens"
    __audit_secret__ = frozenset({"token_hash"})
    # Bookkeeping of every API call, not a change anyone makes: the audit trail keeps the token's
    # creation and revocation, and a call that only notes its use records nothing.
    __audit_omit__ = frozenset({"last_used_at"})

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the user called it, to tell their tokens apart ("rapportage-script").
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope]
    #: SHA-256 of the secret.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    def audit_main_object(self) -> str | None:
        return f"users/{self.user_id}"

    @property
    def audit_label(self) -> str:
        return f"API-token '{self.name}' van gebruiker {self.user_id}"
