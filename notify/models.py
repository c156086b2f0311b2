"""A notification is a row with a unique key: planning it twice plans it once, and the scheduler
that claims it is the only one that sends it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.db import Base, created_at, intpk


class NotificationState(enum.StrEnum):
    GEPLAND = "gepland"
    #: Claimed by one scheduler process until ``lease_until``; after that another may take it over.
    BEZIG = "bezig"
    #: Composed and kept: there is no mail server. A scheduler with one sends it on.
    IN_POSTVAK = "in_postvak"
    VERZONDEN = "verzonden"
    #: When it came due it no longer applied (the action was done, the date moved, the recipient
    #: may no longer see it).
    VERVALLEN = "vervallen"
    #: The mail server refused it, or kept failing.
    MISLUKT = "mislukt"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_state_due_at", "state", "due_at"),)
    # Bookkeeping of the scheduler, not domain data: the messages themselves are the record.
    __audited__ = False

    id: Mapped[intpk]
    #: What makes it one notification, e.g. "zaak:12:week-vooraf:2026-11-30:7".
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: Which composer writes it (``notify.registry``).
    kind: Mapped[str] = mapped_column(String(40))
    #: A detail of the kind: which reminder, or in which capacity the recipient is told.
    variant: Mapped[str] = mapped_column(String(40), default="")
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What it is about, as "table" and id; the composer loads it and checks it still applies.
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    #: The date it was planned against (a due date, a milestone): if that moved, it lapses.
    planned_for: Mapped[date | None]
    due_at: Mapped[datetime]
    state: Mapped[NotificationState] = mapped_column(default=NotificationState.GEPLAND)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[created_at]
    sent_at: Mapped[datetime | None]
    #: The message as composed (for the outbox and for what was sent).
    mail_subject: Mapped[str | None] = mapped_column(String(300))
    mail_text: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    #: Why it lapsed or failed, or the last error before a retry.
    note: Mapped[str | None] = mapped_column(Text)

    recipient: Mapped[User] = relationship(lazy="raise_on_sql")
