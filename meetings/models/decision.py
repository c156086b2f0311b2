"""Decisions (besluiten), members' comments on a concept besluitenlijst, and minutes."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text, exists
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from auth.models import Organisation, User
from core.db import AudienceMixin, Base, SubmittedMixin, VersionedMixin, created_at, intpk
from core.removal import REFUSE, Removable, on_remove
from meetings.models.agenda import ITEM_IN_USE, AgendaItem
from meetings.models.cycle import Meeting, ReviewStatus


class Decision(Removable, VersionedMixin, AudienceMixin, Base):
    """A decision on an agenda item; numbered per item (3.1, 3.2) on the besluitenlijst."""

    __tablename__ = "decisions"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id"), index=True, info=on_remove(REFUSE, ITEM_IN_USE)
    )
    #: 1, 2, … within its agenda item.
    sequence: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    #: An adopted decision changes only by a later one that amends it.
    amends_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id"), info=on_remove(REFUSE, _l("Een later besluit wijzigt dit besluit."))
    )
    created_at: Mapped[created_at]

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="decisions")
    amends: Mapped[Decision | None] = relationship(remote_side="Decision.id", lazy="raise_on_sql")
    comments: Mapped[list[DecisionComment]] = relationship(
        back_populates="decision", lazy="raise_on_sql", order_by="DecisionComment.created_at"
    )

    @property
    def status(self) -> ReviewStatus:
        return self.meeting.besluitenlijst_status

    def number_in(self, item: AgendaItem) -> str:
        return f"{item.position}.{self.sequence}"

    @classmethod
    def released_clause(cls) -> ColumnElement[bool]:
        meeting = aliased(Meeting)
        return exists().where(meeting.id == cls.meeting_id, meeting.besluitenlijst_status != ReviewStatus.CONCEPT)

    def is_released(self) -> bool:
        return self.meeting.besluitenlijst_released

    def audit_main_object(self) -> str | None:
        return f"agenda_items/{self.agenda_item_id}"

    @property
    def audit_label(self) -> str:
        return f"besluit bij agendapunt {self.agenda_item_id}: {self.text[:120]}"


class CommentStatus(enum.StrEnum):
    OPEN = "open"
    OVERGENOMEN = "overgenomen"  # accepted: the decision text was changed
    BEANTWOORD = "beantwoord"  # answered without changing the text


class DecisionComment(VersionedMixin, SubmittedMixin, Base):
    """A member's comment on a decision of a concept besluitenlijst, addressed to the secretariat."""

    __tablename__ = "decision_comments"
    # handled_at: "what's new" asks for the meetings whose comments were settled since the last visit.
    __table_args__ = (Index("ix_decision_comments_handled_at", "handled_at"),)

    id: Mapped[intpk]
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id"), index=True, info=on_remove(REFUSE, _l("Op dit besluit is al gereageerd."))
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]
    status: Mapped[CommentStatus] = mapped_column(default=CommentStatus.OPEN)
    #: The secretariat's answer, or its note on how the text was changed.
    response: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]

    decision: Mapped[Decision] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    organisation: Mapped[Organisation] = relationship(lazy="raise_on_sql")

    @classmethod
    def submitted_on(cls) -> tuple[type[Decision], ColumnElement[bool]]:
        return Decision, Decision.id == cls.decision_id

    def audit_main_object(self) -> str | None:
        return f"decisions/{self.decision_id}"

    @property
    def audit_label(self) -> str:
        return f"reactie op besluit {self.decision_id}"


class Minutes(VersionedMixin, AudienceMixin, Base):
    """The verslag of a meeting: drafted by the secretariat, shared, then adopted."""

    __tablename__ = "minutes"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(default=ReviewStatus.CONCEPT)
    adopted_at: Mapped[datetime | None]
    updated_at: Mapped[created_at]

    meeting: Mapped[Meeting] = relationship(back_populates="minutes")

    @classmethod
    def released_clause(cls) -> ColumnElement[bool]:
        return cls.status != ReviewStatus.CONCEPT

    def is_released(self) -> bool:
        return self.status is not ReviewStatus.CONCEPT

    def audit_main_object(self) -> str | None:
        return f"meetings/{self.meeting_id}"

    @property
    def audit_label(self) -> str:
        return f"verslag van vergadering {self.meeting_id}"
