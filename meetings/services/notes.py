"""Notes: written by a member, seen by the author's side unless the author chooses otherwise."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from audit.conflicts import expect_version
from auth.models import User
from auth.policy import Action, ensure, get_visible, visible
from auth.services import share
from core.acting import service
from core.dates import now
from core.db import Audience
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.removal import remove
from meetings.models import AgendaItem, Body, Meeting, Note


def default_audience(user: User) -> Audience:
    """A note stays with its author's side unless the author says otherwise."""
    return Audience(user.side.value)


@service
def add_note(
    actor: User,
    body: Body,
    *,
    title: str,
    text: str,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
) -> Note:
    """Write a note on a body, one of its meetings, or one of its agenda items."""
    ensure(actor, Action.PARTICIPATE, body)
    for target in (meeting, agenda_item):
        if target is not None:
            ensure(actor, Action.VIEW, target)
            if target.body_id != body.id:
                raise DomainError(_("Dit hoort niet bij dit overleg."))
    note = Note(
        body_id=body.id,
        meeting_id=(meeting.id if meeting else agenda_item.meeting_id if agenda_item else None),
        agenda_item_id=agenda_item.id if agenda_item else None,
        title=title.strip(),
        text=text.strip(),
        author_id=actor.id,
    )
    db.session.add(note)
    share(actor, note, audience or default_audience(actor), shared_with)
    return note


def ensure_author(actor: User, note: Note) -> None:
    """Only the author changes a note; everyone else who sees it is refused."""
    ensure(actor, Action.VIEW, note)
    if note.author_id != actor.id:
        raise NotPermitted(_("Alleen wie de notitie schreef, kan haar wijzigen."), obj=note)


@service
def update_note(
    actor: User,
    note: Note,
    *,
    title: str,
    text: str,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
    expected_version: int | None = None,
) -> None:
    """The author changes a note (not over a change since ``expected_version``, in another window)."""
    ensure_author(actor, note)
    expect_version(actor, note, expected_version, ("title", "text", "audience"))
    note.title = title.strip()
    note.text = text.strip()
    note.updated_at = now()
    share(actor, note, audience or note.audience, shared_with)


@service
def remove_note(actor: User, note: Note) -> None:
    """The author withdraws a note."""
    ensure_author(actor, note)
    remove(note)


def get_note(user: User, note_id: int) -> Note:
    return get_visible(
        user, Note, note_id, joinedload(Note.author), joinedload(Note.agenda_item), joinedload(Note.meeting)
    )


def notes_on(
    user: User, *, body: Body | None = None, meeting: Meeting | None = None, item: AgendaItem | None = None
) -> list[Note]:
    """The notes this user may see on a body (all of its notes), a meeting (and its items) or an item."""
    query = select(Note).where(visible(user, Note)).options(joinedload(Note.author))
    if body is not None:
        query = query.where(Note.body_id == body.id)
    if meeting is not None:
        query = query.where(
            or_(
                Note.meeting_id == meeting.id,
                Note.agenda_item_id.in_(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)),
            )
        )
    if item is not None:
        query = query.where(Note.agenda_item_id == item.id)
    return list(db.session.scalars(query.order_by(Note.created_at.desc())))
