"""A consultation body (overleg), its seats and the themes its agendas are tagged with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from auth.models import Membership, Organisation
from core.db import Base, BodyMixin, created_at, intpk
from core.removal import Removable

if TYPE_CHECKING:
    from meetings.models.cycle import Cycle


class Body(BodyMixin, Base):
    """A standing consultation of Rijk and regio, such as BO-Brainport."""

    __tablename__ = "bodies"

    id: Mapped[intpk]
    #: In the URL: /overleggen/bo-brainport.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: Days from the meeting date to each milestone, per ``MilestoneKind`` value; a cycle
    #: created for this body plans its milestones with these.
    milestone_offsets: Mapped[dict[str, Any]]
    created_at: Mapped[created_at]

    # Memberships belong to ``auth``; the backref gives them their body without auth importing us.
    memberships: Mapped[list[Membership]] = relationship(
        Membership,
        lazy="raise_on_sql",
        cascade="all, delete-orphan",
        passive_deletes=True,
        backref=backref("body", lazy="joined", innerjoin=True),
    )
    seats: Mapped[list[Seat]] = relationship(
        back_populates="body", lazy="raise_on_sql", order_by="Seat.position", cascade="all, delete-orphan"
    )
    cycles: Mapped[list[Cycle]] = relationship(back_populates="body", lazy="raise_on_sql")

    @property
    def audit_label(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


class Seat(Removable, Base):
    """A seat at the table: who takes part on behalf of which organisation, in which function.

    Seats are the administrators (a minister, a gedeputeerde), not user accounts: attendance is
    recorded per seat, as a besluitenlijst lists it.
    """

    __tablename__ = "seats"

    id: Mapped[intpk]
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: E.g. "Minister van Economische Zaken en Klimaat" or "gedeputeerde economie".
    function: Mapped[str] = mapped_column(String(200))
    person_name: Mapped[str | None] = mapped_column(String(200))
    is_chair: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    body: Mapped[Body] = relationship(back_populates="seats")
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)

    @property
    def audit_label(self) -> str:
        return self.function

    def __str__(self) -> str:
        return f"{self.function} ({self.person_name})" if self.person_name else self.function


class Theme(Base):
    """A subject that agenda items and decisions are tagged with (talent, netcapaciteit, …)."""

    __tablename__ = "themes"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The theme of the government's top list (TOOI thesaurus) it belongs to, for Woo metadata.
    tooi_uri: Mapped[str | None] = mapped_column(String(200))

    @property
    def audit_label(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name
