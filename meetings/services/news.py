"""What is new for a reader since their previous visit: per body on the home page, and as *nieuw* and
*gewijzigd* marks on the agenda items and documents of a meeting.

The previous visit is a mark the reader sets (``mark_read``: *Gelezen* on a meeting, *Alles gelezen*
for a body on Start), never a page view: a GET changes nothing. Without a mark the reader looks back
``LOOK_BACK``. A meeting is read up to the later of its own mark and its body's.

Everything here is what the reader may see now, found through the policy (``visible``), and *new* is
judged from the reader's side: an item is new to a reader who could not see it at their previous visit
(it did not exist, its agenda was not yet out, or it was for the other side or other people then),
and *changed* only by changes the reader could read. That an item existed earlier, hidden from them,
or changed while hidden, is nothing a mark may tell; neither are a count or a date of what they may not
see. What the audit trail sealed (who could read each value while it was current) tells both.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from audit.services import records_about
from auth.models import Role, User
from auth.policy import Action, ensure, record_states, state_admits, visible
from core.acting import service
from core.dates import now, show_date
from core.extensions import db
from core.sections import NewsLine
from core.signals import answer
from meetings import signals
from meetings.models import (
    AgendaItem,
    Body,
    BodyReadMark,
    CommentStatus,
    Decision,
    DecisionComment,
    Document,
    Meeting,
    MeetingReadMark,
    ReviewStatus,
)
from meetings.services.decisions import comments_deadline
from meetings.services.numbering import numberings

#: Without a mark of their own, a reader's *what's new* looks back this far.
LOOK_BACK = timedelta(days=14)
#: Changes that tell a reader nothing about the item: its place moves when something is added to or
#: taken off the agenda, also something the reader may not see; a document's text is read for search
#: after the upload (bookkeeping of the scheduler, not a new version). The version goes with every
#: change (``core.db.VersionedMixin``): alone with these it tells nothing either.
UNTOLD_CHANGES = frozenset({"position", "text_status", "version"})


class Mark(enum.StrEnum):
    NIEUW = "nieuw"
    GEWIJZIGD = "gewijzigd"


# --- the reader's marks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadMarks:
    """Until when a reader has read each body and each meeting (only those they marked)."""

    bodies: dict[int, datetime]
    meetings: dict[int, datetime]
    #: The moment the look-back starts from for what has no mark.
    moment: datetime

    def body(self, body_id: int) -> datetime:
        return self.bodies.get(body_id) or self.moment - LOOK_BACK

    def meeting(self, meeting: Meeting) -> datetime:
        own = self.meetings.get(meeting.id)
        body = self.body(meeting.body_id)
        return max(own, body) if own else body

    def marked(self, body_id: int, meeting_id: int | None = None) -> bool:
        return body_id in self.bodies or (meeting_id is not None and meeting_id in self.meetings)


def read_marks(user: User) -> ReadMarks:
    """The reader's marks, in two queries."""
    bodies = dict(
        db.session.execute(
            select(BodyReadMark.body_id, BodyReadMark.read_until).where(BodyReadMark.user_id == user.id)
        ).all()
    )
    meetings = dict(
        db.session.execute(
            select(MeetingReadMark.meeting_id, MeetingReadMark.read_until).where(MeetingReadMark.user_id == user.id)
        ).all()
    )
    return ReadMarks(bodies=bodies, meetings=meetings, moment=now())


def parse_moment(value: str | None) -> datetime | None:
    """The moment a page was made, as its *Gelezen* form sends it back (ISO 8601); None if it is none."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@service
def mark_read(
    actor: User, *, body: Body | None = None, meeting: Meeting | None = None, until: datetime | None = None
) -> datetime:
    """Remember that ``actor`` has read what is new in ``body`` or ``meeting`` up to ``until``: the moment
    the page they read was made, so that what came in while they read stays new. Never later than now,
    and a mark never goes back."""
    target = meeting if meeting is not None else body
    if target is None:
        raise TypeError("mark_read needs a body or a meeting")
    ensure(actor, Action.VIEW, target)
    moment = now()
    read = min(until, moment) if until is not None else moment
    model: Any = MeetingReadMark if meeting is not None else BodyReadMark
    key = {"meeting_id": meeting.id} if meeting is not None else {"body_id": target.id}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(user_id=actor.id, read_until=read, **key)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", *key],
            set_={"read_until": statement.excluded.read_until},
            where=model.read_until < statement.excluded.read_until,
        )
    )
    return read


# --- marks on a meeting's items and documents -----------------------------------------------------


@dataclass
class Marks:
    """The *nieuw* and *gewijzigd* marks of one reader on one meeting's agenda items and documents."""

    since: datetime
    #: Whether ``since`` is the reader's own mark (else the look-back).
    marked: bool
    items: dict[int, Mark] = field(default_factory=dict)
    documents: dict[int, Mark] = field(default_factory=dict)

    def item(self, item: Any) -> str | None:
        mark = self.items.get(item.id)
        return mark.value if mark else None

    def document(self, document: Any) -> str | None:
        mark = self.documents.get(document.id)
        return mark.value if mark else None

    @property
    def any(self) -> bool:
        return bool(self.items or self.documents)

    def summary(self) -> str:
        """E.g. "2 agendapunten nieuw, 1 gewijzigd; 3 stukken nieuw", counting only what is marked."""
        parts = []
        new_items = sum(1 for m in self.items.values() if m is Mark.NIEUW)
        changed = sum(1 for m in self.items.values() if m is Mark.GEWIJZIGD)
        new_documents = sum(1 for m in self.documents.values() if m is Mark.NIEUW)
        changed_documents = len(self.documents) - new_documents
        if new_items:
            parts.append(ngettext("%(num)d agendapunt nieuw", "%(num)d agendapunten nieuw", new_items))
        if changed:
            parts.append(ngettext("%(num)d agendapunt gewijzigd", "%(num)d agendapunten gewijzigd", changed))
        if new_documents:
            parts.append(ngettext("%(num)d stuk nieuw", "%(num)d stukken nieuw", new_documents))
        if changed_documents:
            parts.append(ngettext("%(num)d stuk gewijzigd", "%(num)d stukken gewijzigd", changed_documents))
        return ", ".join(parts)


def marks_for(
    user: User, meeting: Meeting, items: Iterable[AgendaItem], documents: Iterable[Document], marks: ReadMarks | None
) -> Marks:
    """The marks on these items and documents (those of ``meeting`` the reader sees) since the reader's
    previous visit of the meeting. One query to the audit trail."""
    marks = marks or read_marks(user)
    since = marks.meeting(meeting)
    result = Marks(since=since, marked=marks.marked(meeting.body_id, meeting.id))
    objects = [*(("agenda_items", i.id) for i in items), *(("documents", d.id) for d in documents)]
    if not objects:
        return result
    secretariat = user.role_in(meeting.body_id) is Role.SECRETARIAAT
    published = meeting.agenda_published_at
    if not secretariat and published is not None and published > since:
        # The whole agenda came out after the previous visit: all of it is new to this reader.
        _put(result, objects, dict.fromkeys(objects, Mark.NIEUW))
        return result
    trail = records_about(set(objects))
    verdicts = {ref: _verdict(user, ref, trail.get(ref, []), since) for ref in objects}
    _put(result, objects, {ref: mark for ref, mark in verdicts.items() if mark is not None})
    return result


def _put(result: Marks, objects: list[tuple[str, int]], verdicts: dict[tuple[str, int], Mark]) -> None:
    for table, ident in objects:
        mark = verdicts.get((table, ident))
        if mark is not None:
            (result.items if table == "agenda_items" else result.documents)[ident] = mark


def _verdict(user: User, ref: tuple[str, int], records: list[dict[str, Any]], since: datetime) -> Mark | None:
    """New: the reader could not see the object at ``since`` (no record yet, or its state then did not
    admit them); changed: a change after ``since`` that the reader could read before and after, made by
    someone else. (Publication is the caller's: before it, only the secretariat reads marks.)"""
    before = [r for r in records if r["occurred_at"] <= since]
    after = [r for r in records if r["occurred_at"] > since]
    if not after:
        return None  # as it was, and the reader sees it now: they could then too
    if not before:
        return None if after[0]["actor_user_id"] == user.id else Mark.NIEUW
    state_then, _before = record_states(before[-1])
    if not state_admits(user, state_then, ref):
        return Mark.NIEUW
    for record in after:
        if record["object_type"] != ref[0] or record["action"] != "update" or record["actor_user_id"] == user.id:
            continue
        if not set(record["changes"] or {}) - UNTOLD_CHANGES:
            continue
        state_after, state_before = record_states(record)
        if state_admits(user, state_after, ref) and state_admits(user, state_before, ref):
            return Mark.GEWIJZIGD
    return None


# --- what is new per body, for the home page ------------------------------------------------------


@dataclass
class BodyNews:
    body: Body
    since: datetime
    marked: bool
    lines: list[NewsLine]


def whats_new(user: User, bodies: list[Body], marks: ReadMarks | None = None) -> list[BodyNews]:
    """Per body of the reader: what came in since their previous visit, newest first, as far as they
    may see it. A fixed number of queries, whatever the number of bodies."""
    if not bodies:
        return []
    marks = marks or read_marks(user)
    since = {body.id: marks.body(body.id) for body in bodies}
    earliest = min(since.values())
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.body_id.in_(since), visible(user, Meeting))
            .where(
                or_(
                    Meeting.agenda_published_at > earliest,
                    Meeting.besluitenlijst_published_at > earliest,
                    Meeting.id.in_(select(Document.meeting_id).where(Document.uploaded_at > earliest)),
                    Meeting.id.in_(
                        select(Decision.meeting_id)
                        .join(DecisionComment, DecisionComment.decision_id == Decision.id)
                        .where(DecisionComment.handled_at > earliest)
                    ),
                )
            )
            .order_by(Meeting.starts_at)
        )
    )
    lines: dict[int, list[NewsLine]] = defaultdict(list)
    by_id = {meeting.id: meeting for meeting in meetings}
    seen_since = {meeting.id: marks.meeting(meeting) for meeting in meetings}
    _published(user, meetings, seen_since, lines)
    _documents(user, by_id, seen_since, lines)
    _out_for_comments(meetings, seen_since, lines)
    _comments_settled(user, by_id, seen_since, lines)
    for extra in answer(signals.whats_new, user, since=since):
        for line in extra:
            if line.body_id in since:
                lines[line.body_id].append(line)
    return [
        BodyNews(
            body=body,
            since=since[body.id],
            marked=body.id in marks.bodies,
            lines=sorted(lines.get(body.id, []), key=lambda line: line.at, reverse=True),
        )
        for body in bodies
    ]


def _meeting_url(meeting: Meeting, anchor: str | None = None) -> str:
    from flask import url_for

    return url_for("meetings.meeting", meeting_id=meeting.id, _anchor=anchor)


def _published(
    user: User, meetings: list[Meeting], since: dict[int, datetime], lines: dict[int, list[NewsLine]]
) -> None:
    fresh = [m for m in meetings if m.agenda_published_at is not None and m.agenda_published_at > since[m.id]]
    if not fresh:
        return
    counts = dict(
        db.session.execute(
            select(AgendaItem.meeting_id, func.count(AgendaItem.id))
            .where(AgendaItem.meeting_id.in_([m.id for m in fresh]), visible(user, AgendaItem))
            .group_by(AgendaItem.meeting_id)
        ).all()
    )
    for meeting in fresh:
        assert meeting.agenda_published_at is not None
        n = counts.get(meeting.id, 0)
        lines[meeting.body_id].append(
            NewsLine(
                body_id=meeting.body_id,
                at=meeting.agenda_published_at,
                kind=_("Agenda"),
                text=_("Agenda gepubliceerd: %(meeting)s", meeting=meeting.title),
                url=_meeting_url(meeting, "agenda"),
                detail=ngettext("%(num)d agendapunt", "%(num)d agendapunten", n),
            )
        )


def _documents(
    user: User, meetings: dict[int, Meeting], since: dict[int, datetime], lines: dict[int, list[NewsLine]]
) -> None:
    """Documents added after the agenda went out (those on a newly published agenda are in its line)."""
    settled = [
        m for m in meetings.values() if m.agenda_published_at is not None and m.agenda_published_at <= since[m.id]
    ]
    if not settled:
        return
    from flask import url_for

    added: dict[int, list[Document]] = defaultdict(list)
    for document in db.session.scalars(
        select(Document)
        .join(Meeting, Meeting.id == Document.meeting_id)
        .where(
            Document.meeting_id.in_([m.id for m in settled]),
            Document.uploaded_at > Meeting.agenda_published_at,
            Document.uploaded_by_id != user.id,
            visible(user, Document),
        )
        .order_by(Document.uploaded_at, Document.id)
    ):
        if document.uploaded_at > since[document.meeting_id]:
            added[document.meeting_id].append(document)
    for meeting_id, documents in added.items():
        meeting = meetings[meeting_id]
        links = tuple(
            (
                d.title,
                url_for("meetings.agenda_item", item_id=d.agenda_item_id, _anchor="stukken")
                if d.agenda_item_id
                else _meeting_url(meeting, "stukken"),
            )
            for d in documents
        )
        lines[meeting.body_id].append(
            NewsLine(
                body_id=meeting.body_id,
                at=documents[-1].uploaded_at,
                kind=_("Stukken"),
                text=ngettext(
                    "%(num)d stuk toegevoegd na publicatie: %(meeting)s",
                    "%(num)d stukken toegevoegd na publicatie: %(meeting)s",
                    len(documents),
                    meeting=meeting.title,
                ),
                url=_meeting_url(meeting, "agenda"),
                links=links,
            )
        )


def _out_for_comments(meetings: list[Meeting], since: dict[int, datetime], lines: dict[int, list[NewsLine]]) -> None:
    from flask import url_for

    for meeting in meetings:
        published = meeting.besluitenlijst_published_at
        if meeting.besluitenlijst_status is not ReviewStatus.TER_COMMENTAAR or published is None:
            continue
        if published <= since[meeting.id]:
            continue
        deadline = comments_deadline(meeting)
        lines[meeting.body_id].append(
            NewsLine(
                body_id=meeting.body_id,
                at=published,
                kind=_("Besluitenlijst"),
                text=_("Besluitenlijst ter commentaar: %(meeting)s", meeting=meeting.title),
                url=url_for("meetings.besluitenlijst", meeting_id=meeting.id),
                detail=_("reageren kan tot en met %(date)s", date=show_date(deadline)) if deadline else "",
            )
        )


def _comments_settled(
    user: User, meetings: dict[int, Meeting], since: dict[int, datetime], lines: dict[int, list[NewsLine]]
) -> None:
    """Comments the secretariat settled (those the reader may see: their organisation's, or all of them
    for the secretariat), on decisions the reader may see."""
    if not meetings:
        return
    from flask import url_for

    settled = db.session.execute(
        select(DecisionComment, Decision)
        .join(Decision, Decision.id == DecisionComment.decision_id)
        .where(
            Decision.meeting_id.in_(list(meetings)),
            DecisionComment.status != CommentStatus.OPEN,
            DecisionComment.handled_at.is_not(None),
            DecisionComment.handled_by_id != user.id,
            visible(user, DecisionComment),
            visible(user, Decision),
        )
        .options(joinedload(DecisionComment.organisation))
        .order_by(DecisionComment.handled_at)
    ).all()
    numbers = numberings(user, {decision.meeting_id for _comment, decision in settled})
    for comment, decision in settled:
        meeting = meetings[decision.meeting_id]
        assert comment.handled_at is not None
        if comment.handled_at <= since[meeting.id]:
            continue
        outcome = _("overgenomen") if comment.status is CommentStatus.OVERGENOMEN else _("beantwoord")
        lines[meeting.body_id].append(
            NewsLine(
                body_id=meeting.body_id,
                at=comment.handled_at,
                kind=_("Reactie"),
                text=_(
                    "Reactie van %(organisation)s op besluit %(number)s verwerkt: %(outcome)s",
                    organisation=comment.organisation.short_name,
                    number=numbers[meeting.id].decision(decision),
                    outcome=outcome,
                ),
                url=url_for("meetings.decision", decision_id=decision.id),
                detail=meeting.title,
            )
        )
