"""Agenda items and the documents (stukken) that go with them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, exists
from sqlalchemy.orm import InstrumentedAttribute, Mapped, aliased, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from auth.models import Organisation, User
from core.db import AudienceMixin, Base, VersionedMixin, created_at, intpk
from core.removal import REFUSE, Removable, on_remove
from meetings.models.body import Theme
from meetings.models.cycle import Meeting

if TYPE_CHECKING:
    from meetings.models.decision import Decision


class AgendaItemKind(enum.StrEnum):
    TER_BESLUITVORMING = "ter_besluitvorming"
    TER_BESPREKING = "ter_bespreking"
    TER_INFORMATIE = "ter_informatie"
    HAMERSTUK = "hamerstuk"


class TextStatus(enum.StrEnum):
    """Whether a document's text has been read for search, and if it has none, why not."""

    #: Not read yet: the scheduler reads it (``meetings.jobs.documents``); until then search finds the title.
    WACHT = "wacht"
    GELEZEN = "gelezen"
    #: Read, but there is no text in it (a scan).
    GEEN_TEKST = "geen_tekst"
    #: Reading it went over a limit: time, memory or unpacked size.
    TE_ZWAAR = "te_zwaar"
    #: Damaged or encrypted: the reader failed.
    ONLEESBAAR = "onleesbaar"
    #: A kind of file whose text is not read (Excel, PowerPoint, OpenDocument).
    NIET_ONDERSTEUND = "niet_ondersteund"


class Placement(enum.StrEnum):
    """Where a standing item goes on every new agenda: among the first items or the last."""

    BEGIN = "begin"  # opening, mededelingen, the previous besluitenlijst, the progress item
    EIND = "eind"  # rondvraag, sluiting: new items go before these


class StandingItem(Removable, Base):
    """An item every new agenda of a body gets when its cycle is created (Opening, Mededelingen, …);
    the beheerder keeps the list per body. Configuration of the body, not meeting content."""

    __tablename__ = "standing_items"

    id: Mapped[intpk]
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgendaItemKind]
    placement: Mapped[Placement]
    #: Order within its placement: 1, 2, … among the first items, and again among the last.
    position: Mapped[int]
    #: The item "Voortgang actiepunten en toezeggingen": on the agenda it lists the open actions
    #: and commitments (the item the scheduler would otherwise add before the meeting).
    is_progress_report: Mapped[bool] = mapped_column(default=False)

    def audit_main_object(self) -> str | None:
        return f"bodies/{self.body_id}"

    @property
    def audit_label(self) -> str:
        return f"vast agendapunt: {self.title}"


def _agenda_published(meeting_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    # An alias, so the EXISTS keeps its own FROM even in a query that joins meetings itself.
    meeting = aliased(Meeting)
    return exists().where(meeting.id == meeting_id, meeting.agenda_published_at.is_not(None))


class ReleasedWithTheAgenda:
    """Members other than the secretariat see the item once its meeting's agenda is published."""

    if TYPE_CHECKING:  # declared by the models themselves; not mapped from here
        meeting_id: InstrumentedAttribute[int]
        meeting: Meeting

    @classmethod
    def released_clause(cls) -> ColumnElement[bool]:
        return _agenda_published(cls.meeting_id)

    def is_released(self) -> bool:
        return self.meeting.agenda_published


#: Why an item with decisions or documents stays on its agenda (their record is the meeting's).
ITEM_IN_USE = _l("Dit agendapunt heeft al besluiten of stukken en kan niet meer van de agenda af.")


class AgendaItem(Removable, ReleasedWithTheAgenda, VersionedMixin, AudienceMixin, Base):
    """One point on a meeting's agenda; members see it once the agenda is published."""

    __tablename__ = "agenda_items"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: Order on the agenda, 1, 2, 3, …; kept without gaps, so it is also the item's number.
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[AgendaItemKind]
    #: The organisation that brought the item in (the indiener).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    #: Minutes set aside for the item (optional); the agenda and the papers add them up into start times.
    duration_minutes: Mapped[int | None]
    #: The item that lists the open and overdue actions and commitments (its page shows them,
    #: live, as far as the reader may see them).
    is_progress_report: Mapped[bool] = mapped_column(default=False)
    #: Set on the items a new agenda got from the body's standing items: where they stand (the last
    #: ones stay last as items are added), and what "agenda overnemen" leaves out.
    standing: Mapped[Placement | None]
    created_at: Mapped[created_at]

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise_on_sql")
    theme: Mapped[Theme | None] = relationship(lazy="raise_on_sql")
    documents: Mapped[list[Document]] = relationship(
        back_populates="agenda_item", lazy="raise_on_sql", order_by="Document.uploaded_at"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="agenda_item", lazy="raise_on_sql", order_by="Decision.sequence"
    )

    @property
    def number(self) -> str:
        return str(self.position)

    def audit_main_object(self) -> str | None:
        return f"meetings/{self.meeting_id}"

    @property
    def audit_label(self) -> str:
        return f"agendapunt: {self.title}"

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Document(Removable, ReleasedWithTheAgenda, VersionedMixin, AudienceMixin, Base):
    """An uploaded meeting document. Its content is a ``StoredFile``, named by its hash."""

    __tablename__ = "documents"
    __audit_omit__ = frozenset({"text_content", "text_claimed_by", "text_claimed_until"})
    # uploaded_at: "what's new" asks for the meetings with documents uploaded since the last visit.
    __table_args__ = (Index("ix_documents_uploaded_at", "uploaded_at"),)

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: None for a document of the meeting as a whole (e.g. the annotated agenda).
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id"), index=True, info=on_remove(REFUSE, ITEM_IN_USE)
    )
    title: Mapped[str] = mapped_column(String(200))
    #: The name the file had on the uploader's computer, offered again on download.
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    #: SHA-256 of the content, hex: its ``StoredFile``.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The text of a PDF or Word document, for search; read by the scheduler after the upload.
    text_content: Mapped[str | None] = mapped_column(Text, deferred=True)
    text_status: Mapped[TextStatus] = mapped_column(default=TextStatus.WACHT, index=True)
    #: The scheduler process reading the text, and until when it holds the document: one that died
    #: while reading leaves it to another after that.
    text_claimed_by: Mapped[str | None] = mapped_column(String(100))
    text_claimed_until: Mapped[datetime | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[created_at]

    meeting: Mapped[Meeting] = relationship(back_populates="documents")
    agenda_item: Mapped[AgendaItem | None] = relationship(back_populates="documents")
    uploaded_by: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1].upper() if "." in self.filename else ""

    @property
    def text_pending(self) -> bool:
        return self.text_status is TextStatus.WACHT

    @property
    def text_searchable(self) -> bool:
        return self.text_status is TextStatus.GELEZEN

    def audit_main_object(self) -> str | None:
        return f"agenda_items/{self.agenda_item_id}" if self.agenda_item_id else f"meetings/{self.meeting_id}"

    @property
    def audit_label(self) -> str:
        return f"document {self.title} ({self.filename})"

    def __str__(self) -> str:
        return self.title
