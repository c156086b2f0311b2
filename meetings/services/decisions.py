"""Decisions, the besluitenlijst's review (concept → ter commentaar → vastgesteld), and minutes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from audit.conflicts import expect_version
from auth.models import User
from auth.policy import Action, ensure, get_visible, visible
from auth.services import share
from core.acting import service
from core.dates import now, show_date, today
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.removal import remove
from meetings.models import (
    AgendaItem,
    CommentStatus,
    Cycle,
    Decision,
    DecisionComment,
    Meeting,
    Milestone,
    MilestoneKind,
    Minutes,
    ReviewStatus,
)
from meetings.models.agenda import Document
from meetings.services.numbering import Numbering, numbering


def _require_concept(meeting: Meeting) -> None:
    if meeting.besluitenlijst_status is ReviewStatus.VASTGESTELD:
        raise DomainError(
            _(
                "De besluitenlijst is vastgesteld. Een besluit verandert nu alleen door een nieuw besluit "
                "in een volgende vergadering dat het wijzigt."
            )
        )
    if meeting.besluitenlijst_status is ReviewStatus.TER_COMMENTAAR:
        raise DomainError(
            _("De conceptbesluitenlijst ligt ter commentaar. Verwerk wijzigingen via de reacties van de leden.")
        )


def _amended(actor: User, decision_meeting: Meeting, amends_id: int | None) -> int | None:
    if amends_id is None:
        return None
    earlier = db.session.get(Decision, amends_id)
    if (
        earlier is None
        or earlier.body_id != decision_meeting.body_id
        or earlier.meeting.besluitenlijst_status is not ReviewStatus.VASTGESTELD
        or earlier.meeting_id == decision_meeting.id
    ):
        raise DomainError(
            _("Kies een vastgesteld besluit uit een eerdere vergadering van dit overleg."), field="amends_id"
        )
    ensure(actor, Action.VIEW, earlier)
    return earlier.id


@service
def add_decision(
    actor: User,
    item: AgendaItem,
    *,
    text: str,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
    amends_id: int | None = None,
) -> Decision:
    """Record a decision on an agenda item of the concept besluitenlijst."""
    ensure(actor, Action.MANAGE, item)
    meeting = item.meeting
    _require_concept(meeting)
    if not meeting.agenda_published:
        raise DomainError(_("Publiceer eerst de agenda; besluiten volgen op een gepubliceerde agenda."))
    if not meeting.day_reached:
        # Members would see the meeting as under way weeks before it is held.
        raise DomainError(
            _("Besluiten worden vastgelegd vanaf de dag van de vergadering, %(date)s.", date=show_date(meeting.day))
        )
    last = db.session.scalar(select(func.max(Decision.sequence)).where(Decision.agenda_item_id == item.id))
    decision = Decision(
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        body_id=item.body_id,
        sequence=(last or 0) + 1,
        text=text.strip(),
        amends_id=_amended(actor, meeting, amends_id),
    )
    db.session.add(decision)
    share(actor, decision, audience, shared_with, like=item, within=item)
    return decision


@service
def update_decision(
    actor: User,
    decision: Decision,
    *,
    text: str,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
    expected_version: int | None = None,
) -> None:
    """Change the text (or the audience) of a decision while the besluitenlijst is still a concept; not
    when someone else changed it since ``expected_version``."""
    ensure(actor, Action.MANAGE, decision)
    expect_version(actor, decision, expected_version, ("text", "audience"))
    _require_concept(decision.meeting)
    decision.text = text.strip()
    if audience:
        share(actor, decision, audience, shared_with, within=decision.agenda_item)


@service
def remove_decision(actor: User, decision: Decision) -> None:
    """Remove a decision from the concept besluitenlijst (the others keep their numbers in order); the
    actions that came from it stay, no longer tied to it (``core.removal``)."""
    ensure(actor, Action.MANAGE, decision)
    _require_concept(decision.meeting)
    item_id = decision.agenda_item_id
    remove(decision)
    remaining = db.session.scalars(
        select(Decision).where(Decision.agenda_item_id == item_id).order_by(Decision.sequence)
    )
    for index, other in enumerate(remaining, start=1):
        if other.sequence != index:
            other.sequence = index


@service
def publish_besluitenlijst(actor: User, meeting: Meeting, *, comments_deadline: date | None) -> None:
    """Publish the concept besluitenlijst to the members, who may comment until the deadline.

    The deadline is the cycle's milestone "reactietermijn sluit": publishing moves that milestone (and
    the milestone of the concept going out to today), so the plan, the besluitenlijst, the reminders
    and the papers all tell one date."""
    ensure(actor, Action.MANAGE, meeting)
    db.lock(meeting)
    if meeting.besluitenlijst_status is not ReviewStatus.CONCEPT:
        raise DomainError(_("De besluitenlijst is al gepubliceerd."))
    if not isinstance(comments_deadline, date):
        raise DomainError(_("Vul een geldige datum in."), field="comments_deadline")
    if comments_deadline < today():
        raise DomainError(_("De reactietermijn kan niet in het verleden eindigen."), field="comments_deadline")
    if (comments_deadline - meeting.day).days > 365:
        raise DomainError(
            _("Een mijlpaal ligt hoogstens een jaar voor of na de vergadering."), field="comments_deadline"
        )
    if not db.session.scalar(select(func.count(Decision.id)).where(Decision.meeting_id == meeting.id)):
        raise DomainError(_("Er zijn nog geen besluiten vastgelegd."))
    meeting.besluitenlijst_status = ReviewStatus.TER_COMMENTAAR
    meeting.besluitenlijst_published_at = now()
    _set_milestone(meeting, MilestoneKind.CONCEPTVERSLAG, today())
    _set_milestone(meeting, MilestoneKind.REACTIETERMIJN_SLUIT, comments_deadline)
    db.session.flush()
    db.session.expire(meeting, ["comments_deadline"])


def _set_milestone(meeting: Meeting, kind: MilestoneKind, day: date) -> None:
    milestone = db.session.scalars(
        select(Milestone).where(Milestone.cycle_id == meeting.cycle_id, Milestone.kind == kind)
    ).one_or_none()
    if milestone is None:  # a cycle planned before this milestone existed
        db.session.add(Milestone(cycle_id=meeting.cycle_id, body_id=meeting.body_id, kind=kind, due_date=day))
    elif milestone.due_date != day:
        milestone.due_date = day


def suggested_comments_deadline(meeting: Meeting) -> date | None:
    """The cycle's "reactietermijn sluit" milestone, if it still lies ahead."""
    deadline = db.session.scalar(
        select(Milestone.due_date).where(
            Milestone.cycle_id == meeting.cycle_id, Milestone.kind == MilestoneKind.REACTIETERMIJN_SLUIT
        )
    )
    return deadline if deadline is not None and deadline >= today() else None


def comments_deadline(meeting: Meeting) -> date | None:
    """The last day members may comment on the meeting's besluitenlijst: the one place that reads it
    (it is becoming the cycle's milestone *reactietermijn sluit*; every reader here asks this function)."""
    return meeting.comments_deadline


def commenting_open(meeting: Meeting) -> bool:
    deadline = comments_deadline(meeting)
    return meeting.besluitenlijst_status is ReviewStatus.TER_COMMENTAAR and deadline is not None and today() <= deadline


@service
def comment_on_decision(actor: User, decision: Decision, *, text: str) -> DecisionComment:
    """A member's comment on one decision of the concept besluitenlijst."""
    ensure(actor, Action.PARTICIPATE, decision)
    meeting = decision.meeting
    if meeting.besluitenlijst_status is not ReviewStatus.TER_COMMENTAAR:
        raise DomainError(_("Op deze besluitenlijst kan niet (meer) worden gereageerd."))
    if not commenting_open(meeting):
        raise DomainError(_("De reactietermijn is verstreken."))
    comment = DecisionComment(
        decision_id=decision.id,
        body_id=decision.body_id,
        organisation_id=actor.organisation_id,
        author_id=actor.id,
        text=text.strip(),
    )
    db.session.add(comment)
    return comment


@service
def handle_comment(
    actor: User,
    comment: DecisionComment,
    *,
    outcome: CommentStatus,
    response: str | None = None,
    new_text: str | None = None,
) -> None:
    """Settle a comment: accept it by changing the decision's text, or answer it."""
    decision = comment.decision
    ensure(actor, Action.MANAGE, decision)
    # Two secretaries settling it at once: the second one finds it settled. The decision too, whose
    # text another comment may be changing.
    db.lock(comment)
    db.lock(decision)
    if decision.meeting.besluitenlijst_status is not ReviewStatus.TER_COMMENTAAR:
        raise DomainError(_("Reacties worden verwerkt zolang de besluitenlijst ter commentaar ligt."))
    if comment.status is not CommentStatus.OPEN:
        raise DomainError(_("Deze reactie is al verwerkt."))
    outcome = CommentStatus(outcome)
    response = (response or "").strip() or None
    if outcome is CommentStatus.OVERGENOMEN:
        new_text = (new_text or "").strip()
        if not new_text:
            raise DomainError(_("Geef de nieuwe tekst van het besluit."), field="new_text")
        if new_text == decision.text:
            raise DomainError(
                _("De tekst is niet gewijzigd. Kies 'beantwoorden' als de tekst blijft."), field="new_text"
            )
        decision.text = new_text
    elif outcome is CommentStatus.BEANTWOORD:
        if not response:
            raise DomainError(_("Geef een antwoord aan de indiener."), field="response")
    else:
        raise DomainError(_("Kies overnemen of beantwoorden."), field="outcome")
    comment.status = outcome
    comment.response = response
    comment.handled_by_id = actor.id
    comment.handled_at = now()


@service
def adopt_besluitenlijst(actor: User, meeting: Meeting) -> None:
    """Adopt (vaststellen) the besluitenlijst once the term has passed and every comment is settled."""
    ensure(actor, Action.MANAGE, meeting)
    db.lock(meeting)
    if meeting.besluitenlijst_status is not ReviewStatus.TER_COMMENTAAR:
        raise DomainError(_("Alleen een besluitenlijst die ter commentaar lag, kan worden vastgesteld."))
    if meeting.comments_deadline is not None and today() <= meeting.comments_deadline:
        raise DomainError(
            _("De reactietermijn loopt nog tot en met %(date)s.", date=show_date(meeting.comments_deadline))
        )
    open_comments = db.session.scalar(
        select(func.count(DecisionComment.id))
        .join(Decision, DecisionComment.decision_id == Decision.id)
        .where(Decision.meeting_id == meeting.id, DecisionComment.status == CommentStatus.OPEN)
    )
    if open_comments:
        raise DomainError(f"Er staan nog {open_comments} reacties open. Verwerk die eerst.")
    meeting.besluitenlijst_status = ReviewStatus.VASTGESTELD
    meeting.besluitenlijst_adopted_at = now()


@dataclass
class BesluitenlijstView:
    """The besluitenlijst of a meeting as one user may see it, in a fixed number of queries."""

    items: list[AgendaItem]
    decisions_by_item: dict[int, list[Decision]] = field(default_factory=dict)
    comments_by_decision: dict[int, list[DecisionComment]] = field(default_factory=dict)
    documents_by_item: dict[int, list[Document]] = field(default_factory=dict)
    #: The items' and decisions' numbers as this user sees them.
    numbers: Numbering = field(default_factory=Numbering)

    @property
    def decision_count(self) -> int:
        return sum(len(d) for d in self.decisions_by_item.values())

    @property
    def open_comment_count(self) -> int:
        return sum(1 for cs in self.comments_by_decision.values() for c in cs if c.status is CommentStatus.OPEN)


def besluitenlijst_of(user: User, meeting: Meeting) -> BesluitenlijstView:
    """Items with their decisions, the comments this user may see, and the items' documents."""
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, visible(user, AgendaItem))
            .options(joinedload(AgendaItem.theme))
            .order_by(AgendaItem.position)
        )
    )
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for decision in db.session.scalars(
        select(Decision)
        .where(Decision.meeting_id == meeting.id, visible(user, Decision))
        .order_by(Decision.agenda_item_id, Decision.sequence)
    ):
        decisions[decision.agenda_item_id].append(decision)
    comments: dict[int, list[DecisionComment]] = defaultdict(list)
    for comment in db.session.scalars(
        select(DecisionComment)
        .join(Decision, DecisionComment.decision_id == Decision.id)
        .where(Decision.meeting_id == meeting.id, visible(user, DecisionComment), visible(user, Decision))
        .options(joinedload(DecisionComment.author), joinedload(DecisionComment.organisation))
        .order_by(DecisionComment.created_at, DecisionComment.id)
    ):
        comments[comment.decision_id].append(comment)
    documents: dict[int, list[Document]] = defaultdict(list)
    for document in db.session.scalars(
        select(Document)
        .where(Document.meeting_id == meeting.id, Document.agenda_item_id.is_not(None), visible(user, Document))
        .order_by(Document.uploaded_at, Document.id)
    ):
        documents[document.agenda_item_id].append(document)  # type: ignore[index]
    return BesluitenlijstView(
        items=items,
        decisions_by_item=dict(decisions),
        comments_by_decision=dict(comments),
        documents_by_item=dict(documents),
        numbers=numbering(user, meeting.id),
    )


def get_decision(user: User, decision_id: int) -> Decision:
    return get_visible(
        user,
        Decision,
        decision_id,
        joinedload(Decision.agenda_item).joinedload(AgendaItem.theme),
        joinedload(Decision.meeting).joinedload(Meeting.cycle).joinedload(Cycle.body),
    )


def comments_on(user: User, decision: Decision) -> list[DecisionComment]:
    return list(
        db.session.scalars(
            select(DecisionComment)
            .where(DecisionComment.decision_id == decision.id, visible(user, DecisionComment))
            .options(joinedload(DecisionComment.author), joinedload(DecisionComment.organisation))
            .order_by(DecisionComment.created_at, DecisionComment.id)
        )
    )


def get_comment(user: User, comment_id: int) -> DecisionComment:
    return get_visible(user, DecisionComment, comment_id, joinedload(DecisionComment.decision))


def amended_decision(user: User, decision: Decision) -> Decision | None:
    """The earlier decision this one amends, if the user may see it: a hidden one leaves no link."""
    if decision.amends_id is None:
        return None
    return db.session.scalars(
        select(Decision)
        .where(Decision.id == decision.amends_id, visible(user, Decision))
        .options(joinedload(Decision.meeting), joinedload(Decision.agenda_item))
    ).one_or_none()


def amending_decisions(user: User, decision: Decision) -> list[Decision]:
    """Later decisions that amend this one."""
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.amends_id == decision.id, visible(user, Decision))
            .options(joinedload(Decision.meeting), joinedload(Decision.agenda_item))
        )
    )


def adopted_decisions_of_body(user: User, body_id: int, before_meeting: Meeting) -> list[Decision]:
    """Adopted decisions of earlier meetings that a new decision may amend: the latest meeting first,
    and within a meeting by number (agenda item, then decision), as its besluitenlijst lists them."""
    return list(
        db.session.scalars(
            select(Decision)
            .join(Meeting, Decision.meeting_id == Meeting.id)
            .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
            .where(
                Decision.body_id == body_id,
                Meeting.besluitenlijst_status == ReviewStatus.VASTGESTELD,
                Meeting.id != before_meeting.id,
                visible(user, Decision),
            )
            .options(joinedload(Decision.meeting), joinedload(Decision.agenda_item))
            .order_by(Meeting.starts_at.desc(), Meeting.id, AgendaItem.position, Decision.sequence)
        )
    )


# --- minutes ---------------------------------------------------------------------------------


def minutes_of(user: User, meeting: Meeting) -> Minutes | None:
    return db.session.scalars(
        select(Minutes).where(Minutes.meeting_id == meeting.id, visible(user, Minutes))
    ).one_or_none()


@service
def save_minutes(
    actor: User,
    meeting: Meeting,
    *,
    text: str,
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
    expected_version: int | None = None,
) -> Minutes:
    """Write or change the draft minutes of a meeting.

    Minutes the actor may not see (another side's, or vertrouwelijk without them) are not theirs to
    change. The new text is set before the audience, so that the change is one record: its old text is
    judged by the audience it was written under, not by the one it gets now."""
    ensure(actor, Action.MANAGE, meeting)
    minutes = db.session.scalars(select(Minutes).where(Minutes.meeting_id == meeting.id)).one_or_none()
    new = minutes is None
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, body_id=meeting.body_id)
        db.session.add(minutes)
    else:
        ensure(actor, Action.MANAGE, minutes)
        expect_version(actor, minutes, expected_version, ("text", "audience"))
        if minutes.status is ReviewStatus.VASTGESTELD:
            raise DomainError(_("Het verslag is vastgesteld en verandert niet meer."))
    minutes.text = text.strip()
    minutes.updated_at = now()
    if new:
        share(actor, minutes, audience, shared_with, like=meeting, within=meeting)
    elif audience:
        share(actor, minutes, audience, shared_with, within=meeting)
    return minutes


@service
def share_minutes(actor: User, minutes: Minutes) -> None:
    """Share the draft minutes with the members."""
    ensure(actor, Action.MANAGE, minutes)
    db.lock(minutes)
    if minutes.status is not ReviewStatus.CONCEPT:
        raise DomainError(_("Het verslag is al gedeeld."))
    if not minutes.text.strip():
        raise DomainError(_("Het verslag is nog leeg."))
    minutes.status = ReviewStatus.TER_COMMENTAAR


@service
def adopt_minutes(actor: User, minutes: Minutes) -> None:
    """Adopt the minutes (usually at the next meeting)."""
    ensure(actor, Action.MANAGE, minutes)
    db.lock(minutes)
    if minutes.status is not ReviewStatus.TER_COMMENTAAR:
        raise DomainError(_("Deel het verslag eerst met de leden voordat het wordt vastgesteld."))
    minutes.status = ReviewStatus.VASTGESTELD
    minutes.adopted_at = now()
