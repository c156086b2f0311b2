"""Cases: agenda requests, action items, commitments, notas and dossiers, each following a declared
workflow; a nota's parafenroute; what a dossier groups."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, exists, or_
from sqlalchemy.orm import Mapped, aliased, mapped_column, object_session, relationship, validates
from sqlalchemy.sql.elements import ColumnElement

from auth.models import Organisation, User
from cases.workflows import WORKFLOWS, CaseType
from core.db import AudienceMixin, Base, ScaffoldingMixin, VersionedMixin, created_at, intpk
from core.removal import CASCADE, DETACH, Removable, on_remove
from meetings.models import AgendaItem, AgendaItemKind, Body, Cycle, Decision, Meeting, ReviewStatus, Theme

__all__ = ["Case", "CaseAttachment", "CaseEvent", "CaseType", "DossierLink", "EventKind", "RouteStep", "StepStatus"]


class Case(VersionedMixin, AudienceMixin, Base):
    """A piece of work with a type, a state in that type's workflow, an owner and a history."""

    __tablename__ = "cases"
    # created_at: "what's new" on the home page asks for the cases recorded since the last visit.
    __table_args__ = (Index("ix_cases_type_state", "type", "state"), Index("ix_cases_created_at", "created_at"))

    id: Mapped[intpk]
    type: Mapped[CaseType]
    #: A state of the type's workflow (``cases.workflows``: ``WORKFLOWS[type].State``); the engine
    #: alone changes it, and a state the workflow does not declare is refused (``_declared_state``).
    state: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The organisation that owns the work: the requester of an agendaverzoek, the party that
    #: must deliver an actiepunt or toezegging.
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(index=True)
    #: The later due date the owner asked for (uitstel aanvragen) while the secretariat has not yet
    #: granted or refused it; None when no postponement is asked.
    requested_due_date: Mapped[date | None]
    #: The cycle an agendaverzoek is for; it moves when the request is doorgeschoven.
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id"), index=True)
    #: The agenda item a request became, or the item an action came from.
    #: A case outlives the item or the concept decision it came from when that is removed.
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id"), index=True, info=on_remove(DETACH)
    )
    #: The decision an action or commitment came from.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), index=True, info=on_remove(DETACH))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    #: What an agendaverzoek asks of the meeting.
    requested_kind: Mapped[AgendaItemKind | None]
    #: Where a commitment was made, e.g. "Commissiedebat Bedrijfslevenbeleid, 19 oktober 2022".
    source: Mapped[str | None] = mapped_column(String(200))
    #: A nota's reference, as the department's document system gives it, e.g. "DGBI / 12345678".
    kenmerk: Mapped[str | None] = mapped_column(String(60), index=True)
    #: A nota's text version: it goes up with every change of title or text, and a paraaf holds
    #: for the version it was given on.
    text_version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    closed_at: Mapped[datetime | None]

    body: Mapped[Body] = relationship(lazy="raise_on_sql")
    owner_organisation: Mapped[Organisation] = relationship(lazy="raise_on_sql")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise_on_sql")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="raise_on_sql")
    cycle: Mapped[Cycle | None] = relationship(lazy="raise_on_sql")
    agenda_item: Mapped[AgendaItem | None] = relationship(lazy="raise_on_sql")
    decision: Mapped[Decision | None] = relationship(lazy="raise_on_sql")
    theme: Mapped[Theme | None] = relationship(lazy="raise_on_sql")
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", lazy="raise_on_sql", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )

    @validates("type", "state")
    def _declared_state(self, key: str, value: Any) -> Any:
        """A ``ValueError`` for a state the case's workflow does not declare, whichever is set last."""
        case_type = CaseType(value) if key == "type" else self.type
        state = value if key == "state" else self.state
        if case_type is not None and state is not None:
            WORKFLOWS[case_type].state(state)
        return value

    @property
    def reference(self) -> str:
        prefix = {
            CaseType.AGENDAVERZOEK: "AV",
            CaseType.ACTIEPUNT: "AP",
            CaseType.TOEZEGGING: "TZ",
            CaseType.NOTA: "NT",
            CaseType.DOSSIER: "DS",
        }[self.type]
        return f"{prefix}-{self.id}"

    # What follows from a decision becomes visible, and is announced, when the decision does: an
    # action recorded on a concept besluitenlijst waits with it for the secretariat to publish.
    @classmethod
    def released_clause(cls) -> ColumnElement[bool]:
        decision, meeting = aliased(Decision), aliased(Meeting)
        published = exists().where(
            decision.id == cls.decision_id,
            meeting.id == decision.meeting_id,
            meeting.besluitenlijst_status != ReviewStatus.CONCEPT,
        )
        return or_(cls.decision_id.is_(None), published)

    def is_released(self) -> bool:
        if self.decision_id is None:
            return True
        session = object_session(self)
        decision = session.get(Decision, self.decision_id) if session is not None else None
        return decision is not None and decision.is_released()

    def audit_main_object(self) -> str | None:
        return f"decisions/{self.decision_id}" if self.decision_id else None

    @property
    def audit_label(self) -> str:
        return f"{self.type.value} {self.id}: {self.title}"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class EventKind(enum.StrEnum):
    AANGEMAAKT = "aangemaakt"
    STAP = "stap"
    VOORTGANG = "voortgang"
    TERMIJN = "termijn"  # the due date moved
    TEKST = "tekst"  # a nota's text changed
    ROUTE = "route"  # a nota's parafenroute changed


class CaseEvent(Base):
    """One line of a case's history: its creation, a workflow step, a progress note, a new due date,
    a changed text or route. (What a dossier gains is its timeline, not its history: a line here
    would name the item to everyone who sees the dossier.)"""

    __tablename__ = "case_events"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(default=EventKind.VOORTGANG)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[created_at]
    #: The workflow transition, or None for a progress note.
    transition: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    #: The reason given for a step, or the text of a progress note.
    note: Mapped[str | None] = mapped_column(Text)
    #: A changed due date: the date it had before this event, and the date it got (for a step that asks
    #: for a date, such as uitstel aanvragen: the date it had then, and the date asked for).
    previous_due_date: Mapped[date | None]
    due_date: Mapped[date | None]

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")

    def audit_main_object(self) -> str | None:
        return f"cases/{self.case_id}"

    @property
    def audit_label(self) -> str:
        return f"gebeurtenis bij zaak {self.case_id}: {self.transition or 'notitie'}"


class CaseAttachment(Removable, ScaffoldingMixin, Base):
    """A file on a case: with a progress report (its history line), or sent with an agenda request
    until the request is agendeerd (then it becomes a document of the new agenda item). Stored as
    documents are (``meetings.storage``: in the database, by its SHA-256), and seen by exactly who may see the
    case: the policy derives that from the case, as it does for a meeting's scaffolding."""

    __tablename__ = "case_attachments"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: The history line (a progress report, or the request's creation) the file came with.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The name the file had on the uploader's computer, offered again on download.
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[created_at]

    @classmethod
    def belongs_to(cls) -> tuple[type[Case], ColumnElement[bool]]:
        return Case, Case.id == cls.case_id

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1].upper() if "." in self.filename else ""

    def audit_main_object(self) -> str | None:
        return f"cases/{self.case_id}"

    @property
    def audit_label(self) -> str:
        return f"bijlage {self.title} ({self.filename}) bij zaak {self.case_id}"


class StepStatus(enum.StrEnum):
    OPEN = "open"
    AKKOORD = "akkoord"
    TERUGGESTUURD = "teruggestuurd"
    AFGEWEZEN = "afgewezen"  # the decision-maker's "no"


class RouteStep(Removable, VersionedMixin, Base):
    """One signatory on a nota's parafenroute, in order; the decision-maker is the last step."""

    __tablename__ = "nota_route"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3, … without gaps; the services keep it so.
    position: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: In which capacity the person signs, e.g. "directeur Topsectoren en Industriebeleid".
    capacity: Mapped[str] = mapped_column(String(200))
    #: The decision-maker decides; everyone before initials (paraferen).
    decides: Mapped[bool] = mapped_column(default=False)
    status: Mapped[StepStatus] = mapped_column(default=StepStatus.OPEN)
    #: The text version the paraaf was given on; a newer text voids it.
    approved_version: Mapped[int | None]
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    def audit_main_object(self) -> str | None:
        return f"cases/{self.case_id}"

    @property
    def audit_label(self) -> str:
        return f"parafenroute van zaak {self.case_id}, stap {self.position}"


class DossierLink(Removable, AudienceMixin, Base):
    """An agenda item, decision or case that belongs to a dossier.

    That the two belong together is itself something to see: the link's audience is the narrower
    of the dossier's and the item's (for vertrouwelijk ones: the people who may see both), so that
    its record in the audit trail tells nobody of a dossier or an item they may not see.
    """

    __tablename__ = "dossier_links"
    __table_args__ = (
        UniqueConstraint("dossier_id", "agenda_item_id"),
        UniqueConstraint("dossier_id", "decision_id"),
        UniqueConstraint("dossier_id", "case_id"),
        CheckConstraint(
            "(agenda_item_id IS NOT NULL AND decision_id IS NULL AND case_id IS NULL)"
            " OR (agenda_item_id IS NULL AND decision_id IS NOT NULL AND case_id IS NULL)"
            " OR (agenda_item_id IS NULL AND decision_id IS NULL AND case_id IS NOT NULL)",
            name="one_target",
        ),
    )

    id: Mapped[intpk]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True, info=on_remove(CASCADE)
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True, info=on_remove(CASCADE)
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[created_at]

    def audit_main_object(self) -> str | None:
        return f"cases/{self.dossier_id}"

    @property
    def audit_label(self) -> str:
        return f"koppeling aan dossier {self.dossier_id}"
