"""Cycles (one round of a body: agenda-setting, preparation, meeting, follow-up) and meetings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from core.dates import to_local, today
from core.db import AudienceMixin, Base, ScaffoldingMixin, VersionedMixin, created_at, intpk
from core.removal import CASCADE, Removable, on_remove

if TYPE_CHECKING:
    from auth.models import User
    from meetings.models.agenda import AgendaItem, Document
    from meetings.models.body import Body, Seat
    from meetings.models.decision import Decision, Minutes


class Season(enum.StrEnum):
    VOORJAAR = "voorjaar"
    NAJAAR = "najaar"

    @classmethod
    def of(cls, day: date) -> Season:
        return cls.VOORJAAR if day.month <= 6 else cls.NAJAAR


class MilestoneKind(enum.StrEnum):
    AGENDAVERZOEKEN_SLUITEN = "agendaverzoeken_sluiten"
    AMBTELIJK_VOORPORTAAL = "ambtelijk_voorportaal"
    STUKKEN_VERZONDEN = "stukken_verzonden"
    VERGADERING = "vergadering"
    CONCEPTVERSLAG = "conceptverslag"
    REACTIETERMIJN_SLUIT = "reactietermijn_sluit"


#: Days from the meeting date D (DESIGN.md): requests close D−42, voorportaal D−28, documents
#: out D−7, meeting D, draft minutes D+14, comments close D+28.
DEFAULT_MILESTONE_OFFSETS: dict[str, int] = {
    MilestoneKind.AGENDAVERZOEKEN_SLUITEN.value: -42,
    MilestoneKind.AMBTELIJK_VOORPORTAAL.value: -28,
    MilestoneKind.STUKKEN_VERZONDEN.value: -7,
    MilestoneKind.VERGADERING.value: 0,
    MilestoneKind.CONCEPTVERSLAG.value: 14,
    MilestoneKind.REACTIETERMIJN_SLUIT.value: 28,
}


class ReviewStatus(enum.StrEnum):
    """The life of a besluitenlijst or verslag."""

    CONCEPT = "concept"  # the secretariat's draft, seen by nobody else
    TER_COMMENTAAR = "ter_commentaar"  # published to the members, who may comment
    VASTGESTELD = "vastgesteld"  # adopted; changes only by a new decision


class Cycle(VersionedMixin, ScaffoldingMixin, Base):
    """One round of a body, planned backwards and forwards from its meeting date; seen with its meeting."""

    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("body_id", "year", "season"),)

    id: Mapped[intpk]
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    year: Mapped[int]
    season: Mapped[Season]
    #: The date D of the bestuurlijk overleg from which the milestones are planned.
    meeting_date: Mapped[date]
    created_at: Mapped[created_at]

    body: Mapped[Body] = relationship(back_populates="cycles")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="cycle",
        lazy="raise_on_sql",
        order_by="Milestone.due_date",
        cascade="all, delete-orphan",
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="cycle", lazy="raise_on_sql", order_by="Meeting.starts_at"
    )

    @classmethod
    def belongs_to(cls) -> tuple[type[Meeting], ColumnElement[bool]]:
        return Meeting, Meeting.cycle_id == cls.id

    @property
    def title(self) -> str:
        return f"{self.season.value} {self.year}"

    @property
    def audit_label(self) -> str:
        return f"cyclus {self.season.value} {self.year}"


class Milestone(VersionedMixin, ScaffoldingMixin, Base):
    """A date in a cycle's plan; seen with the cycle's meeting."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("cycle_id", "kind"),)

    id: Mapped[intpk]
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    kind: Mapped[MilestoneKind]
    due_date: Mapped[date]

    cycle: Mapped[Cycle] = relationship(back_populates="milestones")

    @classmethod
    def belongs_to(cls) -> tuple[type[Meeting], ColumnElement[bool]]:
        return Meeting, Meeting.cycle_id == cls.cycle_id

    def audit_main_object(self) -> str | None:
        return f"cycles/{self.cycle_id}"

    @property
    def audit_label(self) -> str:
        return f"mijlpaal {self.kind.value} ({self.due_date.isoformat()})"


class Meeting(VersionedMixin, AudienceMixin, Base):
    """A meeting of a body: the bestuurlijk overleg of a cycle."""

    __tablename__ = "meetings"
    #: Derived from the cycle's milestone (see ``comments_deadline``): the milestone's own record has it.
    __audit_omit__ = frozenset({"comments_deadline"})

    id: Mapped[intpk]
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200))
    #: The meeting's reference on its papers, as the secretariat's document system gives it.
    kenmerk: Mapped[str | None] = mapped_column(String(60))
    #: Who chairs, as a function, e.g. "Minister van Economische Zaken en Klimaat".
    chair: Mapped[str] = mapped_column(String(200))
    #: Set when the secretariat sends out the agenda; before that only it sees the items.
    agenda_published_at: Mapped[datetime | None]
    besluitenlijst_status: Mapped[ReviewStatus] = mapped_column(default=ReviewStatus.CONCEPT)
    besluitenlijst_published_at: Mapped[datetime | None]
    #: Last day (Amsterdam) on which members may comment on the concept besluitenlijst: the date of
    #: the cycle's milestone "reactietermijn sluit", read with the meeting, never stored twice (publishing
    #: the besluitenlijst, or moving the milestone, sets it).
    comments_deadline: Mapped[date | None] = column_property(
        select(Milestone.due_date)
        .where(Milestone.cycle_id == cycle_id, Milestone.kind == MilestoneKind.REACTIETERMIJN_SLUIT)
        .correlate_except(Milestone)
        .scalar_subquery()
    )
    besluitenlijst_adopted_at: Mapped[datetime | None]
    #: When the progress item was put on the agenda (by the scheduler or the secretariat); once
    #: set, the scheduler does not add it again, also not when the secretariat took it off.
    progress_item_added_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    cycle: Mapped[Cycle] = relationship(back_populates="meetings")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", lazy="raise_on_sql", order_by="AgendaItem.position"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="meeting", lazy="raise_on_sql")
    decisions: Mapped[list[Decision]] = relationship(back_populates="meeting", lazy="raise_on_sql")
    attendance: Mapped[list[Attendance]] = relationship(back_populates="meeting", lazy="raise_on_sql")
    minutes: Mapped[Minutes | None] = relationship(back_populates="meeting", lazy="raise_on_sql")

    @property
    def agenda_published(self) -> bool:
        return self.agenda_published_at is not None

    @property
    def day(self) -> date:
        """The meeting's calendar day in Amsterdam."""
        return to_local(self.starts_at).date()

    @property
    def day_reached(self) -> bool:
        """Whether the meeting's day has come (Amsterdam): from then on attendance and decisions are
        recorded; before it, members say themselves whether they come."""
        return today() >= self.day

    @property
    def besluitenlijst_released(self) -> bool:
        return self.besluitenlijst_status is not ReviewStatus.CONCEPT

    def audit_main_object(self) -> str | None:
        return f"cycles/{self.cycle_id}"

    @property
    def audit_label(self) -> str:
        return self.title

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(enum.StrEnum):
    AANWEZIG = "aanwezig"
    AFWEZIG = "afwezig"
    VERVANGEN = "vervangen"


class Attendance(Removable, ScaffoldingMixin, Base):
    """Who sat at the table: per seat, present, absent or replaced by someone named; seen with the meeting."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "seat_id"),)

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id", ondelete="CASCADE"), info=on_remove(CASCADE))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    status: Mapped[AttendanceStatus]
    replaced_by: Mapped[str | None] = mapped_column(String(200))

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    seat: Mapped[Seat] = relationship(lazy="raise_on_sql")

    @classmethod
    def belongs_to(cls) -> tuple[type[Meeting], ColumnElement[bool]]:
        return Meeting, Meeting.id == cls.meeting_id

    def audit_main_object(self) -> str | None:
        return f"meetings/{self.meeting_id}"

    @property
    def audit_label(self) -> str:
        return f"aanwezigheid zetel {self.seat_id} in vergadering {self.meeting_id}"


class AttendanceNotice(Removable, ScaffoldingMixin, Base):
    """What a member said ahead of a meeting about a seat of their own organisation: coming, not coming,
    or replaced by whom. It pre-fills the secretariat's attendance; seen with the meeting."""

    __tablename__ = "attendance_notices"
    __table_args__ = (UniqueConstraint("meeting_id", "seat_id"),)

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id", ondelete="CASCADE"), info=on_remove(CASCADE))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    status: Mapped[AttendanceStatus]
    #: The stand-in, for a seat that will be replaced (someone of the seat's own organisation).
    replaced_by: Mapped[str | None] = mapped_column(String(200))
    #: Who said so, and when (the last word counts).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]

    seat: Mapped[Seat] = relationship(lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="raise_on_sql")

    @classmethod
    def belongs_to(cls) -> tuple[type[Meeting], ColumnElement[bool]]:
        return Meeting, Meeting.id == cls.meeting_id

    def audit_main_object(self) -> str | None:
        return f"meetings/{self.meeting_id}"

    @property
    def audit_label(self) -> str:
        return f"aan- of afmelding zetel {self.seat_id} voor vergadering {self.meeting_id}"
