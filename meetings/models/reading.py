"""How far each reader has read: the marks behind *what's new* (``meetings.services.news``).

Bookkeeping of one person's reading, not domain data: nobody else ever reads it, and the audit trail
would only fill up with it (``__audited__ = False``). A mark is set by the reader's own *Gelezen*
button (a POST); opening a page never sets it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class BodyReadMark(Base):
    """Until when a user has read what is new in a body (*Alles gelezen* on Start)."""

    __tablename__ = "body_read_marks"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True)
    read_until: Mapped[datetime]


class MeetingReadMark(Base):
    """Until when a user has read what is new in one meeting (*Gelezen* on the meeting's page)."""

    __tablename__ = "meeting_read_marks"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    read_until: Mapped[datetime]
