"""Files on cases: the attachments of a progress report, and those an agenda request carries until it
is agendeerd, when they become documents of the new agenda item.

They are checked and stored exactly as meeting documents are (``meetings.storage``: size, type by
content and name, zip bombs refused before anything is unpacked; kept in the database by their
SHA-256), and
seen by exactly who may see the case (``CaseAttachment`` takes its case's visibility in the policy).
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from auth.models import User
from auth.policy import visible
from cases.models import Case, CaseAttachment, CaseEvent
from core.errors import DomainError
from core.extensions import db
from core.removal import remove
from meetings import storage
from meetings.models import AgendaItem, Meeting
from meetings.services import agenda


def attach(actor: User, case: Case, event: CaseEvent | None, uploads: list[storage.Upload]) -> list[CaseAttachment]:
    """Store ``uploads`` on ``case`` (with the history line ``event``), inside the service that writes
    the case or its line. Every file is checked before any is stored; a refusal names the file."""
    types = storage.check_uploads(uploads, field="files")
    attachments = []
    for upload, file_type in zip(uploads, types, strict=True):
        attachment = CaseAttachment(
            case_id=case.id,
            event_id=event.id if event is not None else None,
            body_id=case.body_id,
            title=(upload.title or "").strip() or upload.default_title,
            filename=storage.safe_filename(upload.filename, file_type),
            content_type=file_type.content_type,
            size=len(upload.content),
            sha256=storage.store(upload.content, field="files"),
            uploaded_by_id=actor.id,
        )
        db.session.add(attachment)
        attachments.append(attachment)
    db.session.flush()
    return attachments


def move_onto_agenda(actor: User, case: Case, meeting: Meeting, item: AgendaItem) -> None:
    """Agenderen: the request's files become documents of the agenda item it became, with the item's
    audience (``agenda.add_document`` shares them like, and within, the item), and leave the request."""
    for attachment in db.session.scalars(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id).order_by(CaseAttachment.id)
    ):
        content = storage.read(attachment.sha256)
        if content is None:
            raise DomainError(
                _(
                    "Het bestand %(file)s van dit verzoek is niet meer te vinden. Meld het aan beheer.",
                    file=attachment.filename,
                )
            )
        agenda.add_document(
            actor, meeting, title=attachment.title, filename=attachment.filename, content=content, agenda_item=item
        )
        remove(attachment)


def attachments_of(user: User, case: Case) -> dict[int | None, list[CaseAttachment]]:
    """The case's files that ``user`` may see, per history line (None: without one), in one query."""
    grouped: dict[int | None, list[CaseAttachment]] = defaultdict(list)
    for attachment in db.session.scalars(
        select(CaseAttachment)
        .where(CaseAttachment.case_id == case.id, visible(user, CaseAttachment))
        .order_by(CaseAttachment.id)
    ):
        grouped[attachment.event_id].append(attachment)
    return dict(grouped)
