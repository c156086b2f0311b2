"""The agenda and the besluitenlijst of a meeting as one reader may read them, ready to print.

Builds the content model of ``meetings.papers.pdf`` from what the pages show (``agenda_of``,
``besluitenlijst_of`` and the cases' follow-ups, each already filtered by the policy), numbered as
this reader sees it (``numbering``): a Rijk-only item is simply not there for the regio, and the
numbers run on without a gap. The facts and attendance are built here for the Woo package too, so
that a reader's paper and a published one look alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from flask_babel import gettext as _

from auth.models import User
from auth.policy import Action, can
from core.dates import AMSTERDAM, show_date, show_time
from core.errors import NotVisible
from core.labels import label
from core.sections import LinkedItem
from core.signals import answer
from meetings import signals
from meetings.models import Attendance, AttendanceStatus, Decision, Meeting, ReviewStatus, Seat
from meetings.papers.pdf import Paper, PaperAction, PaperDecision, PaperItem
from meetings.services.agenda import agenda_of
from meetings.services.cycles import attendance_rows
from meetings.services.decisions import besluitenlijst_of
from meetings.services.numbering import numbering


def meeting_facts(meeting: Meeting, *, status: str, kenmerk: str | None) -> tuple[tuple[str, str], ...]:
    """The facts column of a paper. Without a kenmerk there is no kenmerk line: a paper never shows
    a reference the secretariat's document system did not give."""
    facts = [
        (_("Datum"), show_date(meeting.starts_at, "EEEE d MMMM yyyy")),
        (_("Tijd"), _("%(start)s–%(end)s uur", start=show_time(meeting.starts_at), end=show_time(meeting.ends_at))),
        (_("Plaats"), meeting.location),
        (_("Voorzitter"), meeting.chair),
    ]
    if kenmerk:
        facts.append((_("Kenmerk"), kenmerk))
    facts.append((_("Status"), status))
    return tuple(facts)


def agenda_status(meeting: Meeting) -> str:
    if meeting.agenda_published_at is None:
        return _("concept, alleen voor het secretariaat")
    return _("gepubliceerd op %(date)s", date=show_date(meeting.agenda_published_at))


def besluitenlijst_status(meeting: Meeting) -> str:
    if meeting.besluitenlijst_status is ReviewStatus.VASTGESTELD:
        return _("vastgesteld op %(date)s", date=show_date(meeting.besluitenlijst_adopted_at))
    if meeting.besluitenlijst_status is ReviewStatus.TER_COMMENTAAR and meeting.comments_deadline:
        return _("concept, ter commentaar tot en met %(date)s", date=show_date(meeting.comments_deadline))
    if meeting.besluitenlijst_status is ReviewStatus.TER_COMMENTAAR:
        return _("concept, ter commentaar")
    return _("concept, alleen voor het secretariaat")


def agenda_title(meeting: Meeting) -> str:
    return _("Agenda") if meeting.agenda_published else _("Conceptagenda")


def besluitenlijst_title(meeting: Meeting) -> str:
    if meeting.besluitenlijst_status is ReviewStatus.VASTGESTELD:
        return _("Besluitenlijst")
    return _("Conceptbesluitenlijst")


def attendance_lines(rows: Iterable[tuple[Seat, Attendance | None]], *, names: bool) -> tuple[str, ...]:
    """Who sat at the table, per seat whose attendance was recorded: aanwezig, afwezig, vervangen door.

    Without ``names`` (the public's Woo package) a seat is its function and a replacement only
    "vervangen": the person who stood in is named to the table, never to the public."""
    lines = []
    for seat, record in rows:
        if record is None:
            continue
        who = f"{seat.function} ({seat.person_name})" if names and seat.person_name else seat.function
        if names and record.status is AttendanceStatus.VERVANGEN and record.replaced_by:
            state = _("vervangen door %(name)s", name=record.replaced_by)
        else:
            state = label(record.status)
        lines.append(f"{who}: {state}")
    return tuple(lines)


def _may_read(user: User, meeting: Meeting, released: bool) -> None:
    # A paper that waits for publication is the secretariat's alone; to anyone else it does not
    # exist, like the concept items it holds.
    if not released and not can(user, Action.MANAGE, meeting):
        raise NotVisible("meetings", meeting.id)


def agenda_paper(user: User, meeting: Meeting) -> Paper:
    """The agenda: the items and documents ``user`` may see, numbered as ``user`` sees them."""
    _may_read(user, meeting, meeting.agenda_published)
    view = agenda_of(user, meeting)
    numbers = numbering(user, meeting.id)
    items = tuple(
        PaperItem(
            number=numbers.item(item),
            title=item.title,
            kind=label(item.kind),
            submitter=item.organisation.name if item.organisation else None,
            description=item.description,
            documents=tuple(d.title for d in view.documents_by_item.get(item.id, [])),
            start=show_time(view.starts[item.id]) if item.id in view.starts else None,
            minutes=item.duration_minutes,
        )
        for item in view.items
    )
    return Paper(
        title=agenda_title(meeting),
        body=meeting.cycle.body.name,
        meeting=meeting.title,
        facts=meeting_facts(meeting, status=agenda_status(meeting), kenmerk=meeting.kenmerk),
        items=items,
        empty=_("Er zijn geen agendapunten om te tonen."),
        documents=tuple(d.title for d in view.meeting_documents),
        reference=meeting.kenmerk,
    )


def besluitenlijst_paper(user: User, meeting: Meeting) -> Paper:
    """The besluitenlijst: attendance, then per item the decisions and follow-ups ``user`` may see."""
    _may_read(user, meeting, meeting.besluitenlijst_released)
    view = besluitenlijst_of(user, meeting)
    numbers = numbering(user, meeting.id)
    follow_ups = _follow_ups(answer(signals.besluitenlijst_follow_ups, user, meeting=meeting))
    items = []
    for item in view.items:
        decided = view.decisions_by_item.get(item.id, [])
        if not decided:
            continue  # as on the page: the besluitenlijst lists what was decided
        items.append(
            PaperItem(
                number=numbers.item(item),
                title=item.title,
                kind=label(item.kind),
                decisions=tuple(_decision(numbers.decision(d), d, follow_ups.get(d.id, ())) for d in decided),
            )
        )
    return Paper(
        title=besluitenlijst_title(meeting),
        body=meeting.cycle.body.name,
        meeting=meeting.title,
        facts=meeting_facts(meeting, status=besluitenlijst_status(meeting), kenmerk=meeting.kenmerk),
        items=tuple(items),
        empty=_("Er zijn geen besluiten om te tonen."),
        attendance=attendance_lines(attendance_rows(meeting), names=True),
        reference=meeting.kenmerk,
    )


def _decision(number: str, decision: Decision, actions: Sequence[PaperAction]) -> PaperDecision:
    return PaperDecision(number=number, text=decision.text, actions=tuple(actions))


def _follow_ups(answers: list[dict[int, list[LinkedItem]]]) -> dict[int, list[PaperAction]]:
    merged: dict[int, list[PaperAction]] = {}
    for answered in answers:
        for decision_id, linked in answered.items():
            merged.setdefault(decision_id, []).extend(
                PaperAction(kind=i.kind, title=i.title, owner=i.owner, due=i.due, status=i.status) for i in linked
            )
    return merged


def filename(meeting: Meeting, paper: str, extension: str) -> str:
    """``agenda-bo-brainport-2027-01-12.docx``: the paper, the body and the meeting's day."""
    day: datetime = meeting.starts_at.astimezone(AMSTERDAM)
    return f"{paper}-{meeting.cycle.body.slug}-{day:%Y-%m-%d}.{extension}"
