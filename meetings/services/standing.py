"""What a new agenda starts with: the body's standing items (Opening, Mededelingen, …, Rondvraag,
Sluiting), placed when its cycle is created, and, on request, the previous meeting's own items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from auth.models import User
from auth.policy import Action, ensure, visible
from core.acting import service
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.forms import TITLE_MAX
from core.removal import remove
from meetings.models import AgendaItem, AgendaItemKind, Body, Meeting, Placement, StandingItem
from meetings.services.agenda import add_agenda_item, place_progress_item

#: Every new body starts with these (the beheerder changes them per body): title, kind, placement,
#: and whether it is the progress item. Migration cc59d5aed320 gave existing bodies the same.
DEFAULT_STANDING_ITEMS: tuple[tuple[str, AgendaItemKind, Placement, bool], ...] = (
    ("Opening", AgendaItemKind.TER_INFORMATIE, Placement.BEGIN, False),
    ("Mededelingen", AgendaItemKind.TER_INFORMATIE, Placement.BEGIN, False),
    ("Besluitenlijst vorige vergadering", AgendaItemKind.TER_BESLUITVORMING, Placement.BEGIN, False),
    ("Voortgang actiepunten en toezeggingen", AgendaItemKind.TER_INFORMATIE, Placement.BEGIN, True),
    ("Rondvraag", AgendaItemKind.TER_BESPREKING, Placement.EIND, False),
    ("Sluiting", AgendaItemKind.TER_INFORMATIE, Placement.EIND, False),
)


def add_default_standing_items(body: Body) -> None:
    """Give a new body the default standing items (inside the service that creates it)."""
    counters = {Placement.BEGIN: 0, Placement.EIND: 0}
    for title, kind, placement, progress in DEFAULT_STANDING_ITEMS:
        counters[placement] += 1
        db.session.add(
            StandingItem(
                body_id=body.id,
                title=title,
                kind=kind,
                placement=placement,
                position=counters[placement],
                is_progress_report=progress,
            )
        )


def standing_items_of(body_id: int) -> list[StandingItem]:
    """A body's standing items in agenda order: the first ones, then the last ones."""
    items = db.session.scalars(select(StandingItem).where(StandingItem.body_id == body_id))
    return sorted(items, key=lambda s: (s.placement is Placement.EIND, s.position, s.id))


@service
def save_standing_items(actor: User, body: Body, *, rows: list[dict[str, Any]]) -> list[StandingItem]:
    """Replace a body's standing items with ``rows`` (each: ``id`` of an existing one or None, ``title``,
    ``kind``, ``placement``, ``position``, ``progress``, ``remove``); a new row without a title is left
    out. They go on agendas of cycles created from now on. A refusal names its row's field:
    ``entries-<n>-<field>``."""
    ensure(actor, Action.ADMINISTER, body)
    existing = {s.id: s for s in db.session.scalars(select(StandingItem).where(StandingItem.body_id == body.id))}
    wanted: list[tuple[StandingItem | None, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        ident = str(row.get("id") or "").strip()
        current = existing.get(int(ident)) if ident.isdigit() else None
        if ident and current is None:  # another body's item, or no id at all
            raise DomainError(_("Dit vaste agendapunt hoort niet bij dit overleg."))
        title = (row.get("title") or "").strip()
        if row.get("remove") or (current is None and not title):
            continue
        if not title:
            raise DomainError(
                _("Geef het vaste agendapunt een titel, of vink ‘verwijderen’ aan."), field=f"entries-{index}-title"
            )
        if len(title) > TITLE_MAX:
            raise DomainError(
                _("Deze tekst is te lang: hoogstens %(max)s tekens.", max=TITLE_MAX), field=f"entries-{index}-title"
            )
        wanted.append((current, {**row, "title": title, "index": index}))
    progress = [values["index"] for _current, values in wanted if values.get("progress")]
    if len(progress) > 1:
        message = _("Maar één vast agendapunt kan het voortgangsoverzicht zijn.")
        raise DomainError(message, errors={f"entries-{index}-progress": message for index in progress})
    for current in set(existing.values()) - {c for c, _values in wanted if c is not None}:
        remove(current)
    # Ordered by the positions typed, then as listed; renumbered 1, 2, … per placement.
    ordered = sorted(wanted, key=lambda pair: (int(pair[1].get("position") or 0), pair[1]["index"]))
    counters = {Placement.BEGIN: 0, Placement.EIND: 0}
    kept = []
    for current, values in ordered:
        placement = Placement(values["placement"])
        counters[placement] += 1
        item = current or StandingItem(body_id=body.id)
        item.title = values["title"]
        item.kind = AgendaItemKind(values["kind"])
        item.placement = placement
        item.position = counters[placement]
        item.is_progress_report = bool(values.get("progress"))
        if current is None:
            db.session.add(item)
        kept.append(item)
    return kept


def place_standing_items(actor: User, meeting: Meeting) -> list[AgendaItem]:
    """Put the body's standing items on a new meeting's agenda, the first ones first and the last ones
    last, each taking the meeting's audience (inside the service that creates the cycle). The progress
    item among them is the meeting's progress item: the scheduler will not add another."""
    placed = []
    for standing in standing_items_of(meeting.body_id):
        if standing.is_progress_report:
            item = place_progress_item(actor, meeting, position=0, title=standing.title, kind=standing.kind)
        else:
            item = add_agenda_item(actor, meeting, title=standing.title, kind=standing.kind)
        item.standing = standing.placement
        placed.append(item)
    for position, item in enumerate(placed, start=1):
        item.position = position
    db.session.flush()
    return placed


# --- the previous meeting's agenda as a starting point ------------------------------------------------------


@dataclass
class AgendaCopy:
    """What "agenda overnemen" would bring from the previous meeting, as this user may see it."""

    previous: Meeting | None
    #: The previous meeting's own items (not its standing items nor its progress item), in order.
    items: list[AgendaItem] = field(default_factory=list)
    #: Of those, the ones whose title is on this agenda already: they are not added twice.
    already_there: list[AgendaItem] = field(default_factory=list)
    #: Vertrouwelijke items are not copied: who may read them is for the secretariat to decide again.
    confidential: int = 0

    @property
    def to_copy(self) -> list[AgendaItem]:
        return [item for item in self.items if item not in self.already_there]


def previous_meeting_for(user: User, meeting: Meeting) -> Meeting | None:
    """The body's last meeting before ``meeting`` that ``user`` may see."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.body_id == meeting.body_id, Meeting.starts_at < meeting.starts_at, visible(user, Meeting))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    ).first()


def agenda_copy_for(user: User, meeting: Meeting) -> AgendaCopy:
    """The previous meeting and which of its items "agenda overnemen" would copy (for the confirmation)."""
    previous = previous_meeting_for(user, meeting)
    if previous is None:
        return AgendaCopy(previous=None)
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(
                AgendaItem.meeting_id == previous.id,
                AgendaItem.standing.is_(None),
                AgendaItem.is_progress_report.is_(False),
                visible(user, AgendaItem),
            )
            .order_by(AgendaItem.position)
        )
    )
    own = {
        item.title.strip().casefold()
        for item in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    }
    confidential = [item for item in items if item.audience is Audience.VERTROUWELIJK]
    items = [item for item in items if item not in confidential]
    return AgendaCopy(
        previous=previous,
        items=items,
        already_there=[item for item in items if item.title.strip().casefold() in own],
        confidential=len(confidential),
    )


#: For a meeting of this audience, the audiences a copied item may keep; any other takes the meeting's.
_KEEPS = {
    Audience.OPENBAAR: {Audience.OPENBAAR, Audience.OVERLEG, Audience.RIJK, Audience.REGIO},
    Audience.OVERLEG: {Audience.OPENBAAR, Audience.OVERLEG, Audience.RIJK, Audience.REGIO},
    Audience.RIJK: {Audience.RIJK},
    Audience.REGIO: {Audience.REGIO},
    Audience.VERTROUWELIJK: set(),
}


@service
def copy_previous_agenda(actor: User, meeting: Meeting) -> list[AgendaItem]:
    """Copy the previous meeting's own items onto this agenda, as a starting point, while it is
    unpublished: title, kind, explanation, submitter, theme and audience (no documents, no decisions).
    An item keeps its audience when it fits in this meeting, else it takes the meeting's (narrower)
    one; items already on this agenda by title, and vertrouwelijke ones, are left out."""
    ensure(actor, Action.MANAGE, meeting)
    if meeting.agenda_published:
        raise DomainError(_("De agenda is al gepubliceerd; overnemen kan alleen zolang zij een concept is."))
    plan = agenda_copy_for(actor, meeting)
    if plan.previous is None:
        raise DomainError(_("Er is geen eerdere vergadering van dit overleg om de agenda van over te nemen."))
    if not plan.to_copy:
        raise DomainError(_("Er zijn geen agendapunten (meer) om over te nemen."))
    copied = []
    for item in plan.to_copy:
        copied.append(
            add_agenda_item(
                actor,
                meeting,
                title=item.title,
                kind=item.kind,
                description=item.description,
                organisation_id=item.organisation_id,
                theme_id=item.theme_id,
                audience=item.audience if item.audience in _KEEPS[meeting.audience] else None,
            )
        )
        db.session.flush()
    return copied
