"""The decisions of the large data set, the comments on them, the besluitenlijsten and the minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from auth.models import Role
from core.acting import Actor
from core.db import Audience, Side
from demo import large_data as data
from demo.large_cast import Person
from demo.large_plan import (
    PlannedItem,
    PlannedMeeting,
    PlannedPart,
    Planner,
    allocate,
)
from demo.large_trail import state
from meetings.models import (
    AgendaItemKind,
    CommentStatus,
    Decision,
    DecisionComment,
    Meeting,
    Minutes,
    ReviewStatus,
)

_DECIDES = {
    AgendaItemKind.TER_BESLUITVORMING: 3.0,
    AgendaItemKind.TER_BESPREKING: 1.5,
    AgendaItemKind.HAMERSTUK: 1.0,
    AgendaItemKind.TER_INFORMATIE: 0.5,
}


def decisions(plan: Planner, meetings: list[PlannedMeeting], total: int) -> list[PlannedPart]:
    """``total`` decisions on the items of the meetings held (at least one per meeting, most on items
    ter besluitvorming), recorded after the meeting; the besluitenlijst goes out two weeks later and is
    adopted three weeks after that, where those days have come."""
    for meeting in meetings:
        published = plan.at(meeting.day + timedelta(days=14), 10)
        if meeting.held and published <= plan.limit:
            meeting.besluitenlijst_at = published
            adopted = plan.at(meeting.day + timedelta(days=35), 10)
            meeting.adopted_at = adopted if adopted <= plan.limit else None
    items = [item for meeting in meetings if meeting.held for item in meeting.items]
    least = [0] * len(items)
    index = 0
    for meeting in meetings:
        if meeting.held:
            least[index + plan.rng.randrange(len(meeting.items))] = 1
            index += len(meeting.items)
    counts = allocate(plan.rng, total, [_DECIDES[i.row["kind"]] for i in items], least)
    made = []
    for item, count in zip(items, counts, strict=True):
        for sequence in range(1, count + 1):
            made.append(_decision(plan, item, sequence))
    return made


def _decision(plan: Planner, item: PlannedItem, sequence: int) -> PlannedPart:
    meeting, table = item.meeting, item.meeting.table
    maker = item.creator if item.audience is Audience.VERTROUWELIJK else plan.maker(table, item.audience)
    if item.audience in (Audience.RIJK, Audience.REGIO):
        maker = table.secretariat[Side(item.audience.value)]
    moment = meeting.row["ends_at"] + timedelta(minutes=30 + 2 * len(meeting.decisions))
    text = plan.text(plan.rng.choice(data.DECISIONS), table, item.subject, item.bottleneck, meeting.day)
    row = plan.new(
        Decision,
        meeting_id=meeting.row["id"],
        agenda_item_id=item.row["id"],
        sequence=sequence,
        text=f"{text} (besluitnummer {plan.reference(meeting.day)})",
        amends_id=None,
        created_at=moment,
        audience=item.audience,
        body_id=table.id,
    )
    named = sorted({*item.named, maker.id}) if item.named else []
    after = state(item.audience, named, released=False)
    plan.trail.created(moment, maker.actor, "meetings.add_decision", Decision, row, visibility={"after": after})
    if named:
        plan.share(moment, maker.actor, "meetings.add_decision", "decisions", row["id"], named, after)
    part = PlannedPart(row, item, maker, named)
    meeting.decisions.append(part)
    return part


def lists_and_minutes(plan: Planner, meetings: list[PlannedMeeting]) -> None:
    """Publish each held meeting's besluitenlijst two weeks after it, with the minutes; adopt both
    three weeks later (the comments are settled by then)."""
    for meeting in meetings:
        if meeting.besluitenlijst_at is None:
            continue
        actor = meeting.table.secretariat[Side.RIJK].actor
        _move_besluitenlijst(
            plan,
            meeting,
            actor,
            "meetings.publish_besluitenlijst",
            ReviewStatus.TER_COMMENTAAR,
            "besluitenlijst_published_at",
            meeting.besluitenlijst_at,
        )
        _minutes(plan, meeting, actor)
        if meeting.adopted_at is not None:
            _move_besluitenlijst(
                plan,
                meeting,
                actor,
                "meetings.adopt_besluitenlijst",
                ReviewStatus.VASTGESTELD,
                "besluitenlijst_adopted_at",
                meeting.adopted_at,
            )


def _move_besluitenlijst(
    plan: Planner, meeting: PlannedMeeting, actor: Actor, service: str, status: ReviewStatus, stamp: str, at: datetime
) -> None:
    """What ``service`` does to the meeting's row: the besluitenlijst on to ``status``, the moment in
    the column ``stamp``; and its record in the trail, seen by whoever sees the meeting."""
    row, seen = meeting.row, state(meeting.audience)
    before = row["besluitenlijst_status"]
    row["besluitenlijst_status"] = status
    row[stamp] = at
    plan.trail.updated(
        at,
        actor,
        service,
        Meeting,
        row,
        {"besluitenlijst_status": (before, status), stamp: (None, at)},
        visibility={"after": seen, "before": seen},
    )


def _minutes(plan: Planner, meeting: PlannedMeeting, actor: Actor) -> None:
    assert meeting.besluitenlijst_at is not None
    written = meeting.besluitenlijst_at + timedelta(minutes=5)
    lines = ["De voorzitter opent de vergadering en heet de aanwezigen welkom."]
    for item in meeting.items:
        if item.audience in (Audience.OPENBAAR, Audience.OVERLEG):
            sentence = plan.text(
                plan.rng.choice(data.SENTENCES), meeting.table, item.subject, item.bottleneck, meeting.day
            )
            lines.append(f"{item.row['position']}. {item.row['title']}. {sentence}")
    lines.append("De voorzitter sluit de vergadering.")
    row = plan.new(
        Minutes,
        meeting_id=meeting.row["id"],
        text="",
        status=ReviewStatus.CONCEPT,
        adopted_at=None,
        updated_at=written,
        audience=meeting.audience,
        body_id=meeting.table.id,
    )
    draft = state(meeting.audience, released=False)
    plan.trail.created(written, actor, "meetings.save_minutes", Minutes, row, visibility={"after": draft})
    row["text"] = "\n\n".join(lines)
    plan.trail.updated(
        written,
        actor,
        "meetings.save_minutes",
        Minutes,
        row,
        {"text": ("", row["text"])},
        visibility={"after": draft, "before": draft},
    )
    shared = written + timedelta(minutes=5)
    row["status"] = ReviewStatus.TER_COMMENTAAR
    plan.trail.updated(
        shared,
        actor,
        "meetings.share_minutes",
        Minutes,
        row,
        {"status": (ReviewStatus.CONCEPT, ReviewStatus.TER_COMMENTAAR)},
        visibility={"after": state(meeting.audience), "before": draft},
    )
    if meeting.adopted_at is not None:
        adopted = meeting.adopted_at + timedelta(minutes=5)
        row.update(status=ReviewStatus.VASTGESTELD, adopted_at=adopted)
        plan.trail.updated(
            adopted,
            actor,
            "meetings.adopt_minutes",
            Minutes,
            row,
            {"status": (ReviewStatus.TER_COMMENTAAR, ReviewStatus.VASTGESTELD), "adopted_at": (None, adopted)},
            visibility={"after": state(meeting.audience), "before": state(meeting.audience)},
        )


def comments(plan: Planner, decisions: list[PlannedPart], total: int) -> None:
    """``total`` comments by members who may see the decision, while its besluitenlijst is out for
    comments; the secretariat answers or takes them over before the term ends."""
    open_to: list[tuple[PlannedPart, list[Person]]] = []
    for part in decisions:
        if part.item.meeting.besluitenlijst_at is None:
            continue
        authors = [
            p for p in part.item.meeting.table.people(Role.DEELNEMER) if plan.admits(part.audience, part.named)(p)
        ]
        if authors:
            open_to.append((part, sorted({p.id: p for p in authors}.values(), key=lambda p: p.id)))
    counts = allocate(plan.rng, total, [1.0] * len(open_to)) if open_to else []
    for (part, authors), count in zip(open_to, counts, strict=True):
        made = [_comment(plan, part, plan.rng.choice(authors)) for _ in range(count)]
        # Settled in the order the secretariat got to them: a text taken over builds on the one before.
        for row, handled in sorted(made, key=lambda pair: pair[1]):
            if handled <= plan.limit:
                _settle(plan, part, row, handled)


def _comment(plan: Planner, part: PlannedPart, author: Person) -> tuple[dict[str, Any], datetime]:
    """A comment, and when the secretariat settles it (within the term; it may still lie ahead)."""
    rng, meeting, table = plan.rng, part.item.meeting, part.item.meeting.table
    published = meeting.besluitenlijst_at
    assert published is not None
    deadline = plan.at(meeting.day + timedelta(days=28), 17)
    moment = plan.when(published + timedelta(hours=1), min(deadline, published + timedelta(days=13)))
    text = plan.text(rng.choice(data.COMMENTS), table, part.item.subject, part.item.bottleneck, meeting.day)
    row = plan.new(
        DecisionComment,
        decision_id=part.row["id"],
        author_id=author.id,
        text=text,
        created_at=moment,
        status=CommentStatus.OPEN,
        response=None,
        handled_by_id=None,
        handled_at=None,
        body_id=table.id,
        organisation_id=author.organisation_id,
    )
    plan.trail.created(moment, author.actor, "meetings.comment_on_decision", DecisionComment, row)
    return row, min(moment + timedelta(days=rng.randint(1, 10)), deadline)


def _settle(plan: Planner, part: PlannedPart, row: dict[str, Any], handled: datetime) -> None:
    """Answer a comment, or take it over by changing the decision's text."""
    rng, meeting, table = plan.rng, part.item.meeting, part.item.meeting.table
    outcome = CommentStatus.OVERGENOMEN if rng.random() < 0.3 else CommentStatus.BEANTWOORD
    service, actor = "meetings.handle_comment", part.creator.actor
    if outcome is CommentStatus.OVERGENOMEN:
        before = part.row["text"]
        part.row["text"] = f"{before} Daarbij wordt {rng.choice(table.organisations)[1]} betrokken."
        seen = state(part.audience, part.named)
        plan.trail.updated(
            handled,
            actor,
            service,
            Decision,
            part.row,
            {"text": (before, part.row["text"])},
            visibility={"after": seen, "before": seen},
        )
        response = "Overgenomen."
    else:
        response = plan.text(rng.choice(data.ANSWERS), table, part.item.subject, part.item.bottleneck, meeting.day)
    row.update(status=outcome, response=response, handled_by_id=part.creator.id, handled_at=handled)
    plan.trail.updated(
        handled,
        actor,
        service,
        DecisionComment,
        row,
        {
            "status": (CommentStatus.OPEN, outcome),
            "response": (None, response),
            "handled_by_id": (None, part.creator.id),
            "handled_at": (None, handled),
        },
    )
