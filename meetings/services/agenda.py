"""Composing and publishing an agenda, and the documents that go with it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from auth.models import Organisation, User
from auth.policy import Action, can, ensure, get_visible, visible
from auth.services import ensure_parts_within, share
from core.acting import Actor, service
from core.dates import now
from core.db import Audience
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.forms import TITLE_MAX
from meetings import storage
from meetings.models import AgendaItem, AgendaItemKind, Decision, Document, Meeting, Theme


def _check_refs(organisation_id: int | None, theme_id: int | None) -> None:
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation_id")
    if theme_id is not None and db.session.get(Theme, theme_id) is None:
        raise DomainError(_("Kies een bestaand thema."), field="theme_id")


@service
def add_agenda_item(
    actor: User,
    meeting: Meeting,
    *,
    title: str,
    kind: AgendaItemKind,
    description: str = "",
    organisation_id: int | None = None,
    theme_id: int | None = None,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
) -> AgendaItem:
    """Put an item at the end of a meeting's agenda. Without an audience it takes the meeting's."""
    ensure(actor, Action.MANAGE, meeting)
    _check_refs(organisation_id, theme_id)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        position=(last or 0) + 1,
        title=title.strip(),
        description=description or "",
        kind=AgendaItemKind(kind),
        organisation_id=organisation_id,
        theme_id=theme_id,
    )
    db.session.add(item)
    share(actor, item, audience, shared_with, like=meeting, within=meeting)
    return item


@service
def update_agenda_item(
    actor: User,
    item: AgendaItem,
    *,
    title: str,
    kind: AgendaItemKind,
    description: str = "",
    organisation_id: int | None = None,
    theme_id: int | None = None,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
) -> None:
    """Change an agenda item (its audience too, when one is given)."""
    ensure(actor, Action.MANAGE, item)
    _check_refs(organisation_id, theme_id)
    item.title = title.strip()
    item.kind = AgendaItemKind(kind)
    item.description = description or ""
    item.organisation_id = organisation_id
    item.theme_id = theme_id
    if audience:
        share(actor, item, audience, shared_with, within=item.meeting)
        ensure_parts_within(item, _parts_of(item))


def _parts_of(item: AgendaItem) -> list[Decision | Document]:
    decisions = db.session.scalars(select(Decision).where(Decision.agenda_item_id == item.id))
    documents = db.session.scalars(select(Document).where(Document.agenda_item_id == item.id))
    return [*decisions, *documents]


def _items_in_order(meeting_id: int) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def _renumber(items: list[AgendaItem]) -> None:
    for index, item in enumerate(items, start=1):
        if item.position != index:
            item.position = index


@service
def move_agenda_item(actor: User, item: AgendaItem, *, offset: int) -> None:
    """Move an item up (offset −1) or down (+1) the agenda."""
    ensure(actor, Action.MANAGE, item)
    items = _items_in_order(item.meeting_id)
    index = items.index(item)
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    _renumber(items)


@service
def remove_agenda_item(actor: User, item: AgendaItem) -> None:
    """Take an item off the agenda; not once it has decisions or documents."""
    ensure(actor, Action.MANAGE, item)
    has_decisions = db.session.scalar(select(func.count(Decision.id)).where(Decision.agenda_item_id == item.id))
    has_documents = db.session.scalar(select(func.count(Document.id)).where(Document.agenda_item_id == item.id))
    if has_decisions or has_documents:
        raise DomainError(_("Dit agendapunt heeft al besluiten of stukken en kan niet meer van de agenda af."))
    meeting_id = item.meeting_id
    db.session.delete(item)
    db.session.flush()
    _renumber(_items_in_order(meeting_id))


@service
def publish_agenda(actor: User, meeting: Meeting) -> None:
    """Send the agenda out: from now on the members see its items and documents."""
    ensure(actor, Action.MANAGE, meeting)
    if meeting.agenda_published:
        raise DomainError(_("De agenda is al gepubliceerd."))
    if not db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == meeting.id)):
        raise DomainError(_("Een lege agenda kan niet worden gepubliceerd. Voeg eerst agendapunten toe."))
    meeting.agenda_published_at = now()


PROGRESS_TITLE = "Voortgang actiepunten en toezeggingen"


@service
def add_progress_item(actor: User | Actor, meeting: Meeting) -> AgendaItem:
    """Put the progress item on a coming meeting's agenda: it lists the open and overdue actions
    and commitments, and what was done since the previous meeting. The scheduler adds it before
    each meeting (as the system); the secretariat may add it sooner."""
    if not isinstance(actor, Actor):
        ensure(actor, Action.MANAGE, meeting)
    # Two scheduler processes may try at once: the row lock on PostgreSQL, the write lock that
    # the service took at its start on SQLite, make the second one see the first one's mark.
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.refresh(meeting, ["agenda_published_at", "progress_item_added_at"])
    if meeting.agenda_published:
        raise DomainError(_("De agenda is al gepubliceerd."))
    if meeting.progress_item_added_at is not None:
        raise DomainError(_("Deze vergadering heeft het voortgangspunt al gehad."))
    if isinstance(actor, Actor) and meeting.audience is Audience.VERTROUWELIJK:
        raise DomainError(_("Bij een vertrouwelijke vergadering voegt het secretariaat dit punt zelf toe."))
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        position=(last or 0) + 1,
        title=PROGRESS_TITLE,
        description=(
            "Overzicht van de actiepunten en toezeggingen die openstaan of over de datum zijn, en van wat sinds "
            "het vorige overleg is afgerond. De lijst is steeds actueel."
        ),
        kind=AgendaItemKind.TER_INFORMATIE,
        is_progress_report=True,
    )
    db.session.add(item)
    if isinstance(actor, Actor):
        item.audience = meeting.audience
    else:
        share(actor, item, None, like=meeting)
    meeting.progress_item_added_at = now()
    return item


def meetings_needing_progress_item(within_days: int) -> list[Meeting]:
    """Coming meetings with an unpublished agenda that have not had their progress item yet."""
    moment = now()
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.agenda_published_at.is_(None),
                Meeting.progress_item_added_at.is_(None),
                # The secretariat adds it to a vertrouwelijk meeting itself: it knows whom to name.
                Meeting.audience != Audience.VERTROUWELIJK,
                Meeting.starts_at > moment,
                Meeting.starts_at <= moment + timedelta(days=within_days),
            )
            .order_by(Meeting.starts_at)
        )
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.body_id == meeting.body_id, Meeting.starts_at < meeting.starts_at)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    ).first()


@dataclass
class AgendaView:
    """What the agenda page shows, loaded in a fixed number of queries."""

    items: list[AgendaItem]
    documents_by_item: dict[int | None, list[Document]] = field(default_factory=dict)

    @property
    def meeting_documents(self) -> list[Document]:
        return self.documents_by_item.get(None, [])

    @property
    def all_documents(self) -> list[Document]:
        return [document for documents in self.documents_by_item.values() for document in documents]


def agenda_of(user: User, meeting: Meeting) -> AgendaView:
    """The items and documents of a meeting that this user may see."""
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, visible(user, AgendaItem))
            .options(joinedload(AgendaItem.organisation), joinedload(AgendaItem.theme))
            .order_by(AgendaItem.position)
        )
    )
    documents: dict[int | None, list[Document]] = defaultdict(list)
    for document in db.session.scalars(
        select(Document)
        .where(Document.meeting_id == meeting.id, visible(user, Document))
        .order_by(Document.uploaded_at, Document.id)
    ):
        documents[document.agenda_item_id].append(document)
    return AgendaView(items=items, documents_by_item=dict(documents))


def get_agenda_item(user: User, item_id: int) -> AgendaItem:
    return get_visible(
        user,
        AgendaItem,
        item_id,
        joinedload(AgendaItem.organisation),
        joinedload(AgendaItem.theme),
        joinedload(AgendaItem.meeting),
    )


def may_add_document(user: User, meeting: Meeting, item: AgendaItem | None) -> bool:
    """The secretariat adds documents anywhere; a member adds them to items its organisation brought in."""
    if can(user, Action.MANAGE, meeting):
        return True
    return (
        item is not None
        and item.organisation_id == getattr(user, "organisation_id", None)
        and can(user, Action.PARTICIPATE, item)
    )


@service
def add_document(
    actor: User,
    meeting: Meeting,
    *,
    title: str,
    filename: str,
    content: bytes,
    agenda_item: AgendaItem | None = None,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
) -> Document:
    """Store an uploaded document with a meeting or one of its agenda items. Its text is read later,
    by the scheduler (``meetings.jobs``); until then search finds it by its title."""
    ensure(actor, Action.VIEW, agenda_item or meeting)
    if not may_add_document(actor, meeting, agenda_item):
        raise NotPermitted(
            _("Alleen het secretariaat of de indiener van het agendapunt kan hier stukken toevoegen."),
            obj=agenda_item or meeting,
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        raise DomainError(_("Dit agendapunt hoort niet bij deze vergadering."))
    storage.check_size(content)
    file_type = storage.sniff(filename, content)
    digest = storage.store(content)
    safe_name = filename.replace("/", "_").replace("\\", "_").strip()[:200] or f"document.{file_type.extension}"
    document = Document(
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        agenda_item_id=agenda_item.id if agenda_item else None,
        title=title.strip(),
        filename=safe_name,
        content_type=file_type.content_type,
        size=len(content),
        sha256=digest,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    share(actor, document, audience, shared_with, like=agenda_item or meeting, within=agenda_item or meeting)
    return document


@service
def add_documents(
    actor: User,
    meeting: Meeting,
    *,
    files: list[storage.Upload],
    agenda_item: AgendaItem | None = None,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
) -> list[Document]:
    """Store several uploaded documents at once, all or none: every file is checked before any is
    stored. Each gets its own title, by default its file name without the extension."""
    ensure(actor, Action.VIEW, agenda_item or meeting)
    if not may_add_document(actor, meeting, agenda_item):
        raise NotPermitted(
            _("Alleen het secretariaat of de indiener van het agendapunt kan hier stukken toevoegen."),
            obj=agenda_item or meeting,
        )
    storage.check_uploads(files)
    titles = [(upload.title or "").strip() or upload.default_title for upload in files]
    if any(len(title) > TITLE_MAX for title in titles):
        raise DomainError(_("Een titel is te lang: hoogstens %(max)s tekens.", max=TITLE_MAX), field="title")
    return [
        add_document(
            actor,
            meeting,
            title=title,
            filename=upload.filename,
            content=upload.content,
            agenda_item=agenda_item,
            audience=audience,
            shared_with=shared_with,
        )
        for upload, title in zip(files, titles, strict=True)
    ]


@service
def remove_document(actor: User, document: Document) -> None:
    """Withdraw a document. Its file stays, so the audit trail's hash still points at it."""
    ensure(actor, Action.MANAGE, document)
    db.session.delete(document)
