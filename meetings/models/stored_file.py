"""The content of uploaded files, in the database that holds their documents.

Every web node reads the same database, so each serves every upload; a backup of the database holds
the documents too, consistent with their rows; and a document's row and its content are written in
one transaction, so a failed upload leaves neither. Keyed by the content's SHA-256: the same file
uploaded twice (or attached to a case and then agendeerd) is kept once.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at


class StoredFile(Base):
    """One file's bytes, written once and never changed (``meetings.storage``)."""

    __tablename__ = "stored_files"
    #: Bookkeeping: the documents and attachments that name a file are in the trail, with its SHA-256.
    __audited__ = False

    #: SHA-256 of ``content``, hex: what ``Document.sha256`` and ``CaseAttachment.sha256`` name.
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<StoredFile {self.sha256[:12]} {self.size} bytes>"
