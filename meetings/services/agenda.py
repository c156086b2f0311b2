"""Composing and publishing an agenda, and the documents that go with it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from audit.conflicts import expect_version
from auth.models import Organisation, User
from auth.policy import Action, can, ensure, get_visible, visible
from auth.services import ensure_parts_within, share
from core.acting import Actor, service
from core.dates import now
from core.db import Audience
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.forms import TITLE_MAX
from core.removal import remove
from meetings import storage
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Cycle,
    Decision,
    Document,
    Meeting,
    Placement,
    Theme,
)

#: The longest an agenda item can be planned for: a whole day of meeting.
MAX_DURATION_MINUTES = 600


def _check_refs(organisation_id: int | None, theme_id: int | None) -> None:
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation_id")
    if theme_id is not None and db.session.get(Theme, theme_id) is None:
        raise DomainError(_("Kies een bestaand thema."), field="theme_id")


def _check_duration(minutes: int | None) -> None:
    if minutes is not None and not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise DomainError(
            _("Geef de duur in minuten, van 1 tot en met %(max)s.", max=MAX_DURATION_MINUTES),
            field="duration_minutes",
        )


def _lock_agenda(meeting_id: int) -> None:
    """Hold the meeting's row while its agenda's positions change: two secretaries moving or adding
    at once take turns, so positions stay 1, 2, 3, … (SQLite serialises writers anyway)."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())


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
    duration_minutes: int | None = None,
    position: int | None = None,
) -> AgendaItem:
    """Put an item on a meeting's agenda: at ``position`` as the actor sees the agenda (1 is the top),
    or at the end, before the standing items that close it (rondvraag, sluiting). Without an audience
    it takes the meeting's."""
    ensure(actor, Action.MANAGE, meeting)
    _check_refs(organisation_id, theme_id)
    _check_duration(duration_minutes)
    _lock_agenda(meeting.id)
    item = AgendaItem(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        position=_make_room(meeting.id),
        title=title.strip(),
        description=description or "",
        kind=AgendaItemKind(kind),
        organisation_id=organisation_id,
        theme_id=theme_id,
        duration_minutes=duration_minutes,
    )
    db.session.add(item)
    share(actor, item, audience, shared_with, like=meeting, within=meeting)
    if position is not None:
        db.session.flush()
        _place(actor, item, position)
    return item


#: What the agenda item's form edits.
ITEM_FIELDS = ("title", "kind", "description", "organisation_id", "theme_id", "duration_minutes", "audience")


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
    duration_minutes: int | None = None,
    expected_version: int | None = None,
) -> None:
    """Change an agenda item (its audience too, when one is given); not when someone else changed it
    since ``expected_version``, the version the form was opened with."""
    ensure(actor, Action.MANAGE, item)
    expect_version(actor, item, expected_version, ITEM_FIELDS)
    _check_refs(organisation_id, theme_id)
    _check_duration(duration_minutes)
    item.title = title.strip()
    item.kind = AgendaItemKind(kind)
    item.description = description or ""
    item.organisation_id = organisation_id
    item.theme_id = theme_id
    item.duration_minutes = duration_minutes
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


def _make_room(meeting_id: int) -> int:
    """The position for a new item: after the last item that is not one of the standing items closing
    the agenda; those move down one place to make room."""
    items = _items_in_order(meeting_id)
    closing = 0
    while closing < len(items) and items[len(items) - 1 - closing].standing is Placement.EIND:
        closing += 1
    for item in items[len(items) - closing :]:
        item.position += 1
    return len(items) - closing + 1


def _place(actor: User, item: AgendaItem, position: int) -> None:
    """Put ``item`` at ``position`` of the agenda as ``actor`` sees it.

    The items the actor may see are reordered among the places they hold; an item the actor may not
    see (the other side's own) keeps its place. So a move neither depends on nor tells anything the
    actor cannot see, and the positions stay 1, 2, 3, … for everyone's numbering.
    """
    items = _items_in_order(item.meeting_id)
    seen = set(
        db.session.scalars(
            select(AgendaItem.id).where(AgendaItem.meeting_id == item.meeting_id, visible(actor, AgendaItem))
        )
    )
    shown = [i for i in items if i.id in seen]
    if not 1 <= position <= len(shown):
        raise DomainError(
            _("Kies een plaats van 1 tot en met %(n)s.", n=len(shown)),
            field="position",
        )
    places = [items.index(i) for i in shown]
    shown.remove(item)
    shown.insert(position - 1, item)
    for place, moved in zip(places, shown, strict=True):
        items[place] = moved
    _renumber(items)


@service
def move_agenda_item(actor: User, item: AgendaItem, *, position: int) -> None:
    """Move an item to ``position`` (1 is the top) of the agenda as the secretary sees it. Every way of
    moving (a drag, *naar plaats n*, a step up or down) comes here."""
    ensure(actor, Action.MANAGE, item)
    _lock_agenda(item.meeting_id)
    _place(actor, item, position)


def removable_items(meeting_id: int) -> set[int]:
    """The items of a meeting that may come off its agenda: those without decisions or documents
    (the rule ``remove_agenda_item`` keeps; the page offers *Verwijderen* only for these)."""
    attached = (
        select(Decision.agenda_item_id)
        .where(Decision.meeting_id == meeting_id)
        .union(
            select(Document.agenda_item_id).where(
                Document.meeting_id == meeting_id, Document.agenda_item_id.is_not(None)
            )
        )
    )
    return set(
        db.session.scalars(
            select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id, AgendaItem.id.not_in(attached))
        )
    )


@service
def remove_agenda_item(actor: User, item: AgendaItem) -> None:
    """Take an item off the agenda, with what the models let go with it (``core.removal``: its notes);
    not once it has decisions or documents."""
    ensure(actor, Action.MANAGE, item)
    meeting_id = item.meeting_id
    _lock_agenda(meeting_id)
    remove(item)
    _renumber(_items_in_order(meeting_id))


@service
def publish_agenda(actor: User, meeting: Meeting) -> None:
    """Send the agenda out: from now on the members see its items and documents."""
    ensure(actor, Action.MANAGE, meeting)
    db.lock(meeting)  # two secretaries publishing at once: the second one finds it published
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
    return place_progress_item(actor, meeting, position=_make_room(meeting.id))


PROGRESS_DESCRIPTION = (
    "Overzicht van de actiepunten en toezeggingen die openstaan of over de datum zijn, en van wat sinds "
    "het vorige overleg is afgerond. De lijst is steeds actueel."
)


def place_progress_item(
    actor: User | Actor,
    meeting: Meeting,
    *,
    position: int,
    title: str = PROGRESS_TITLE,
    kind: AgendaItemKind = AgendaItemKind.TER_INFORMATIE,
) -> AgendaItem:
    """The progress item at ``position``, marked as had: whether the scheduler, the secretariat's button
    or the body's standing items put it there, a meeting gets it once (inside a service)."""
    item = AgendaItem(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        position=position,
        title=title,
        description=PROGRESS_DESCRIPTION,
        kind=kind,
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
    #: When each item starts (see ``start_times``); empty when no item has a duration.
    starts: dict[int, datetime] = field(default_factory=dict)

    @property
    def meeting_documents(self) -> list[Document]:
        return self.documents_by_item.get(None, [])

    @property
    def all_documents(self) -> list[Document]:
        return [document for documents in self.documents_by_item.values() for document in documents]

    @property
    def planned_end(self) -> datetime | None:
        """When the last item ends, if every item has a duration."""
        if not self.items or any(i.duration_minutes is None for i in self.items):
            return None
        last = self.items[-1]
        return self.starts[last.id] + timedelta(minutes=last.duration_minutes or 0)


def start_times(starts_at: datetime, items: list[AgendaItem]) -> dict[int, datetime]:
    """When each item starts: the meeting's start plus the durations of the items before it.

    Counted over the items given, which are the ones the reader sees, as the numbers are: a gap in
    the times would tell that something is there. A time is known up to the first item without a
    duration; with no duration anywhere there are no times at all.
    """
    if not any(item.duration_minutes for item in items):
        return {}
    starts: dict[int, datetime] = {}
    moment = starts_at
    for item in items:
        starts[item.id] = moment
        if item.duration_minutes is None:
            break
        moment += timedelta(minutes=item.duration_minutes)
    return starts


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
    return AgendaView(items=items, documents_by_item=dict(documents), starts=start_times(meeting.starts_at, items))


def get_agenda_item(user: User, item_id: int) -> AgendaItem:
    return get_visible(
        user,
        AgendaItem,
        item_id,
        joinedload(AgendaItem.organisation),
        joinedload(AgendaItem.theme),
        # Down to the body: the page's breadcrumbs name it, and the template must not load it.
        joinedload(AgendaItem.meeting).joinedload(Meeting.cycle).joinedload(Cycle.body),
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
    by the scheduler (``meetings.jobs.documents``); until then search finds it by its title."""
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
    remove(document)
