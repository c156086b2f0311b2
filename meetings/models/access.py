"""The periodic review of who has access to a body (BIO: access rights are reviewed regularly)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.db import Base, intpk


class AccessReview(Base):
    """Someone confirmed that they reviewed who holds which role in a body, and when."""

    __tablename__ = "access_reviews"

    id: Mapped[intpk]
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime]
    #: What the reviewer found or changed, in their own words.
    note: Mapped[str] = mapped_column(Text, default="")

    reviewer: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def audit_label(self) -> str:
        return f"toegangsreview van overleg {self.body_id}"
