"""Reading the text of uploaded documents, for search, as the scheduler does it.

One document at a time: a process claims it in a short transaction (a lease: one that dies while
reading leaves it to another later), reads its file with no transaction open (``read_claimed``), and
stores the outcome in a second short transaction, only if it still holds the claim. On PostgreSQL
the claim skips rows another process has locked; on SQLite writers queue. Either way each document
is read by one process and stored once, and no write lock is held while a file is read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, or_, select, update

from core.acting import Actor, service
from core.dates import now
from core.extensions import db
from meetings import storage
from meetings.models import Document, TextStatus
from meetings.services.document_text import READABLE, Reading, read_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextClaim:
    """A document this process has claimed for reading: what reading needs, no ORM object."""

    document_id: int
    content_type: str
    sha256: str


@service
def claim_text(actor: Actor, *, token: str, lease: timedelta) -> TextClaim | None:
    """Claim the oldest document whose text is still to be read, for the process ``token``."""
    moment = now()
    document = db.session.scalars(
        select(Document)
        .where(
            Document.text_status == TextStatus.WACHT,
            or_(Document.text_claimed_until.is_(None), Document.text_claimed_until < moment),
        )
        .order_by(Document.uploaded_at, Document.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()
    if document is None:
        return None
    # A claim is the reading queue's bookkeeping, not an edit: written past the mapper, so that the
    # document's version (what an edit conflict compares, and what the trail replays) stays as it was.
    documents = cast(Table, Document.__table__)
    db.session.execute(
        update(documents)
        .where(documents.c.id == document.id)
        .values(text_claimed_by=token, text_claimed_until=moment + lease)
    )
    return TextClaim(document.id, document.content_type, document.sha256)


def read_claimed(claim: TextClaim) -> Reading:
    """Read a claimed document's file, in the limited child; never inside a transaction, which would
    keep the database's write lock (SQLite) or a row lock (PostgreSQL) for as long as reading takes:
    its content is fetched in a short transaction of its own, ended before the reading starts."""
    if db.session().in_transaction():
        raise RuntimeError("a document is read with no transaction open; commit or roll back first")
    if claim.content_type not in READABLE:
        return Reading(TextStatus.NIET_ONDERSTEUND)
    content = storage.read(claim.sha256)
    db.session.rollback()  # the read's own short transaction ends before the reading starts
    if content is None:
        log.error("document %s: its content %s is missing", claim.document_id, claim.sha256)
        return Reading(TextStatus.ONLEESBAAR)
    return read_text(claim.content_type, content)


@service
def store_text(actor: Actor, claim: TextClaim, *, token: str, reading: Reading) -> bool:
    """Keep what reading gave, the text or why there is none, if ``token`` still holds the claim.

    False when the document was withdrawn meanwhile, or taken over by another process after the
    lease ran out (that one stores it). The search index follows in the same transaction.
    """
    document = db.session.scalars(
        select(Document)
        .where(
            Document.id == claim.document_id,
            Document.text_claimed_by == token,
            Document.text_status == TextStatus.WACHT,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if document is None:
        return False
    document.text_content = reading.text
    document.text_status = reading.status
    document.text_claimed_by = None
    document.text_claimed_until = None
    return True


@service
def read_again(actor: Actor) -> int:
    """Put every PDF and Word document without text back in the queue, to be read again
    (``flask search reindex``: after a reader or its limits changed). Returns how many."""
    documents = db.session.scalars(
        select(Document).where(
            Document.text_content.is_(None),
            Document.text_status != TextStatus.WACHT,
            Document.content_type.in_(list(READABLE)),
        )
    ).all()
    for document in documents:
        document.text_status = TextStatus.WACHT
        document.text_claimed_by = document.text_claimed_until = None
    return len(documents)
