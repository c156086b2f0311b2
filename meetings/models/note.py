"""Notes (notities): one side's or one person's text on a body, a meeting or an agenda item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.db import AudienceMixin, Base, VersionedMixin, created_at, intpk
from core.removal import CASCADE, Removable, on_remove
from meetings.models.agenda import AgendaItem
from meetings.models.body import Body
from meetings.models.cycle import Meeting


class Note(Removable, VersionedMixin, AudienceMixin, Base):
    """A position, a preparation, a signal: by default seen by its author's side only.

    A province's negotiating position is the model of a regio note; a vertrouwelijk note is shared
    with named people. A note is not a meeting document: it is never published with the agenda.
    """

    __tablename__ = "notes"

    id: Mapped[intpk]
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: The notes on an item are about that item and go with it (moving them to the meeting could widen
    #: who reads them; refusing would tell a secretary that notes they may not see exist).
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id"), index=True, info=on_remove(CASCADE)
    )
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime | None]

    body: Mapped[Body] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    author: Mapped[User] = relationship(lazy="raise_on_sql")

    def audit_main_object(self) -> str | None:
        if self.agenda_item_id:
            return f"agenda_items/{self.agenda_item_id}"
        return f"meetings/{self.meeting_id}" if self.meeting_id else None

    @property
    def audit_label(self) -> str:
        return f"notitie {self.id}"

    def __str__(self) -> str:
        return self.title
