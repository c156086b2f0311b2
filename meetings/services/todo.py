"""What waits for a participant: the besluitenlijsten out for comments that they may comment on, with
the deadline and how far they and their organisation have got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from auth.models import User
from auth.policy import Action, bodies_where, visible
from core.extensions import db
from meetings.models import Decision, DecisionComment, Meeting, ReviewStatus
from meetings.services.decisions import commenting_open, comments_deadline


@dataclass(frozen=True)
class CommentsAsked:
    """A besluitenlijst out for comments, as one participant stands with it."""

    meeting: Meeting
    deadline: date
    #: The decisions the participant may see (and so comment on).
    decisions: int
    #: Of those, the ones someone of the participant's organisation commented on.
    by_organisation: int
    #: Of those, the ones the participant commented on.
    by_user: int


def comments_asked(user: User) -> list[CommentsAsked]:
    """The besluitenlijsten ``user`` may comment on now, soonest deadline first. Three queries. Not for a
    body's secretariat: it sent the besluitenlijst out and settles the comments (its work is elsewhere)."""
    secretariat = set(bodies_where(user, Action.MANAGE))
    body_ids = [body_id for body_id in bodies_where(user, Action.PARTICIPATE) if body_id not in secretariat]
    if not body_ids:
        return []
    meetings = [
        meeting
        for meeting in db.session.scalars(
            select(Meeting).where(
                Meeting.body_id.in_(body_ids),
                Meeting.besluitenlijst_status == ReviewStatus.TER_COMMENTAAR,
                visible(user, Meeting),
            )
        )
        if commenting_open(meeting)
    ]
    if not meetings:
        return []
    ids = [meeting.id for meeting in meetings]
    decisions = dict(
        db.session.execute(
            select(Decision.meeting_id, func.count(Decision.id))
            .where(Decision.meeting_id.in_(ids), visible(user, Decision))
            .group_by(Decision.meeting_id)
        ).all()
    )
    commented: dict[int, set[int]] = {}
    mine: dict[int, set[int]] = {}
    own = DecisionComment.organisation_id == user.organisation_id
    for meeting_id, decision_id, author_id in db.session.execute(
        select(Decision.meeting_id, DecisionComment.decision_id, DecisionComment.author_id)
        .join(Decision, Decision.id == DecisionComment.decision_id)
        .where(Decision.meeting_id.in_(ids), own, visible(user, Decision), visible(user, DecisionComment))
        .distinct()
    ):
        commented.setdefault(meeting_id, set()).add(decision_id)
        if author_id == user.id:
            mine.setdefault(meeting_id, set()).add(decision_id)
    asked = []
    for meeting in meetings:
        deadline = comments_deadline(meeting)
        if deadline is None or not decisions.get(meeting.id):
            continue
        asked.append(
            CommentsAsked(
                meeting=meeting,
                deadline=deadline,
                decisions=decisions[meeting.id],
                by_organisation=len(commented.get(meeting.id, ())),
                by_user=len(mine.get(meeting.id, ())),
            )
        )
    return sorted(asked, key=lambda a: (a.deadline, a.meeting.starts_at))
