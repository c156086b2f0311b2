"""What the cycle sends: reminders of its milestones, the invitation (with an iCalendar event) once a
meeting's agenda is out, and the next morning's digest of the documents added after that. Also the
scheduler job that adds the progress item to coming agendas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from auth.models import Membership, Role, User
from auth.policy import Action, can, visible
from core.acting import SYSTEM
from core.dates import local_to_utc, now, show_date, show_datetime, show_time, to_local, today
from core.errors import DomainError
from core.extensions import db
from core.labels import label
from core.scheduler import Job
from core.signals import scheduler_jobs
from core.web import absolute_url
from meetings.calendar import ics as calendar
from meetings.models import Cycle, Document, Meeting, Milestone, MilestoneKind, ReviewStatus
from meetings.services import agenda as agenda_services
from meetings.services.numbering import numbering
from notify.models import Notification, NotificationState
from notify.registry import Attachment, Lapsed, Mail, Planned, register_kind, register_planner

MILESTONE, INVITATION, DIGEST = "mijlpaal", "uitnodiging", "nieuwe-stukken"
#: The digest of documents added after publication looks back this far for days to plan, and a digest
#: that could not go out within this time is dropped: it is news, not a record.
DIGEST_WINDOW = timedelta(days=3)
#: Milestone reminders go out at eight in the morning, Amsterdam time, and are planned a week ahead.
SEND_HOUR = 8
AHEAD = timedelta(days=7)

_GROUPS: dict[str, tuple[Role, ...]] = {
    "secretariaat": (Role.SECRETARIAAT,),
    "deelnemers": (Role.SECRETARIAAT, Role.DEELNEMER),
    "leden": (Role.SECRETARIAAT, Role.DEELNEMER, Role.WAARNEMER),
}


@dataclass(frozen=True)
class MilestoneReminder:
    name: str
    days: int
    to: str
    #: Whether the reminder still applies to the meeting of the cycle (e.g. agenda not yet out).
    applies: Callable[[Meeting], bool]
    #: Lazy, with %(meeting)s and %(date)s: written in the recipient's language when composed.
    lead: Any


def _agenda_unpublished(meeting: Meeting) -> bool:
    return not meeting.agenda_published


def _agenda_published(meeting: Meeting) -> bool:
    return meeting.agenda_published


def _besluitenlijst_concept(meeting: Meeting) -> bool:
    return meeting.besluitenlijst_status is ReviewStatus.CONCEPT


def _besluitenlijst_out(meeting: Meeting) -> bool:
    return meeting.besluitenlijst_status is ReviewStatus.TER_COMMENTAAR


# Per milestone of DESIGN.md: whom it concerns, when, and while what still holds.
MILESTONE_REMINDERS: dict[MilestoneKind, tuple[MilestoneReminder, ...]] = {
    MilestoneKind.AGENDAVERZOEKEN_SLUITEN: (
        MilestoneReminder(
            "week-vooraf",
            -7,
            "deelnemers",
            _agenda_unpublished,
            _l("Agendaverzoeken voor %(meeting)s kunnen nog tot en met %(date)s worden ingediend."),
        ),
    ),
    MilestoneKind.AMBTELIJK_VOORPORTAAL: (
        MilestoneReminder(
            "week-vooraf",
            -7,
            "deelnemers",
            _agenda_unpublished,
            _l("Op %(date)s is het ambtelijk voorportaal van %(meeting)s."),
        ),
    ),
    MilestoneKind.STUKKEN_VERZONDEN: (
        MilestoneReminder(
            "week-vooraf",
            -7,
            "secretariaat",
            _agenda_unpublished,
            _l("De agenda en stukken van %(meeting)s gaan op %(date)s uit."),
        ),
        MilestoneReminder(
            "dag-vooraf",
            -1,
            "secretariaat",
            _agenda_unpublished,
            _l("Morgen, %(date)s, gaan agenda en stukken van %(meeting)s uit."),
        ),
    ),
    MilestoneKind.VERGADERING: (
        MilestoneReminder("dag-vooraf", -1, "leden", _agenda_published, _l("Morgen, %(date)s, vergadert %(meeting)s.")),
    ),
    MilestoneKind.CONCEPTVERSLAG: (
        MilestoneReminder(
            "week-vooraf",
            -7,
            "secretariaat",
            _besluitenlijst_concept,
            _l("De concept-besluitenlijst van %(meeting)s gaat op %(date)s naar de leden."),
        ),
        MilestoneReminder(
            "dag-vooraf",
            -1,
            "secretariaat",
            _besluitenlijst_concept,
            _l("Morgen, %(date)s, gaat de concept-besluitenlijst van %(meeting)s naar de leden."),
        ),
    ),
    MilestoneKind.REACTIETERMIJN_SLUIT: (
        MilestoneReminder(
            "week-vooraf",
            -7,
            "deelnemers",
            _besluitenlijst_out,
            _l("U kunt tot en met %(date)s reageren op de concept-besluitenlijst van %(meeting)s."),
        ),
        MilestoneReminder(
            "dag-vooraf",
            -1,
            "deelnemers",
            _besluitenlijst_out,
            _l("Morgen, %(date)s, sluit de reactietermijn op de concept-besluitenlijst van %(meeting)s."),
        ),
    ),
}


def _members(body_id: int, group: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.body_id == body_id, Membership.role.in_(_GROUPS[group]), User.active.is_(True))
        )
    )


def _meeting_of(cycle_id: int) -> Meeting | None:
    return db.session.scalars(select(Meeting).where(Meeting.cycle_id == cycle_id).order_by(Meeting.starts_at)).first()


def _milestone_reminders(moment: datetime) -> Iterator[Planned]:
    day = to_local(moment).date()
    milestones = db.session.scalars(
        select(Milestone).where(Milestone.due_date >= day, Milestone.due_date <= day + AHEAD + timedelta(days=7))
    )
    for milestone in milestones:
        meeting = _meeting_of(milestone.cycle_id)
        if meeting is None:
            continue
        for reminder in MILESTONE_REMINDERS.get(milestone.kind, ()):
            on = milestone.due_date + timedelta(days=reminder.days)
            if on > day + AHEAD or not reminder.applies(meeting):
                continue
            for user in _members(milestone.body_id, reminder.to):
                if not can(user, Action.VIEW, meeting):
                    continue
                yield Planned(
                    key=f"mijlpaal:{milestone.id}:{reminder.name}:{on.isoformat()}:{user.id}",
                    kind=MILESTONE,
                    variant=reminder.name,
                    recipient_id=user.id,
                    subject_type="milestones",
                    subject_id=milestone.id,
                    planned_for=milestone.due_date,
                    due_at=local_to_utc(on, time(SEND_HOUR)),
                )


def _stamp(meeting: Meeting) -> str:
    return meeting.starts_at.strftime("%Y%m%dT%H%MZ")


def _invitations(moment: datetime) -> Iterator[Planned]:
    """Everyone at the table is invited once the agenda is out; again when the meeting moves."""
    for meeting in db.session.scalars(
        select(Meeting).where(Meeting.agenda_published_at.is_not(None), Meeting.starts_at > moment)
    ):
        for user in _members(meeting.body_id, "leden"):
            if not can(user, Action.VIEW, meeting):
                continue
            yield Planned(
                key=f"uitnodiging:{meeting.id}:{_stamp(meeting)}:{user.id}",
                kind=INVITATION,
                variant=_stamp(meeting),
                recipient_id=user.id,
                subject_type="meetings",
                subject_id=meeting.id,
                planned_for=to_local(meeting.starts_at).date(),
                due_at=meeting.agenda_published_at or moment,
            )


def _footer(because: str) -> str:
    return "— Regiotafel\n" + _("U krijgt dit bericht omdat u %(because)s.", because=because)


def compose_milestone(notification: Any, recipient: User) -> Mail | Lapsed:
    milestone = db.session.get(Milestone, notification.subject_id)
    if milestone is None:
        return Lapsed("De mijlpaal bestaat niet meer.")
    if milestone.due_date != notification.planned_for:
        return Lapsed("De mijlpaal is verplaatst.")
    if today() > milestone.due_date:
        return Lapsed("De mijlpaal is al voorbij.")
    meeting = _meeting_of(milestone.cycle_id)
    if meeting is None or not can(recipient, Action.VIEW, meeting):
        return Lapsed("De ontvanger kan de vergadering niet (meer) zien.")
    reminder = next((r for r in MILESTONE_REMINDERS.get(milestone.kind, ()) if r.name == notification.variant), None)
    if reminder is None:
        return Lapsed("Deze herinnering bestaat niet meer.")
    if recipient.role_in(milestone.body_id) not in _GROUPS[reminder.to]:
        return Lapsed("De ontvanger heeft geen rol meer waarvoor dit geldt.")
    if not reminder.applies(meeting):
        return Lapsed("Wat deze herinnering vraagt, is al gedaan.")
    cycle = db.session.get(Cycle, milestone.cycle_id)
    lead = str(reminder.lead) % {"meeting": meeting.title, "date": show_date(milestone.due_date)}
    lines = [_("Beste %(name)s,", name=recipient.name), lead]
    if milestone.kind is MilestoneKind.AGENDAVERZOEKEN_SLUITEN and cycle is not None:
        lines.append(_("Een verzoek indienen: %(url)s", url=absolute_url("cases.request_new", slug=cycle.body.slug)))
    lines.append(_("De cyclus: %(url)s", url=absolute_url("meetings.cycle", cycle_id=milestone.cycle_id)))
    role = label(recipient.role_in(milestone.body_id))
    lines.append(_footer(_("in dit overleg de rol %(role)s hebt", role=role)))
    subject = f"{label(milestone.kind).capitalize()} {show_date(milestone.due_date)}: {meeting.title}"
    return Mail(subject=subject, text="\n\n".join(lines))


def compose_invitation(notification: Any, recipient: User) -> Mail | Lapsed:
    meeting = db.session.get(Meeting, notification.subject_id, options=[joinedload(Meeting.cycle)])
    if meeting is None:
        return Lapsed("De vergadering bestaat niet meer.")
    if not meeting.agenda_published or meeting.starts_at <= now():
        return Lapsed("De vergadering is al begonnen of de agenda is ingetrokken.")
    if _stamp(meeting) != notification.variant:
        return Lapsed("De vergadering is verplaatst; er gaat een nieuwe uitnodiging uit.")
    if not can(recipient, Action.VIEW, meeting):
        return Lapsed("De ontvanger kan de vergadering niet (meer) zien.")
    view = agenda_services.agenda_of(recipient, meeting)
    url = absolute_url("meetings.meeting", meeting_id=meeting.id)
    day = show_date(meeting.starts_at, "EEEE d MMMM yyyy")
    when = f"{day}, {show_time(meeting.starts_at)}–{show_time(meeting.ends_at)}"
    # Numbered as this recipient sees the agenda: a gap would tell of an item kept from them.
    agenda = "\n".join(f"  {n}. {item.title} ({label(item.kind)})" for n, item in enumerate(view.items, start=1))
    text = "\n\n".join(
        [
            _("Beste %(name)s,", name=recipient.name),
            _("U bent uitgenodigd voor %(meeting)s.", meeting=meeting.title),
            "\n".join(
                [
                    "  " + _("Wanneer: %(when)s", when=when),
                    "  " + _("Waar: %(where)s", where=meeting.location),
                    "  " + _("Voorzitter: %(chair)s", chair=meeting.chair),
                ]
            ),
            _("Agenda:") + f"\n{agenda}" if agenda else _("De agenda volgt."),
            _("Agenda en stukken: %(url)s", url=url),
            _("In de bijlage staat de vergadering als agenda-item voor uw agenda."),
            _footer(_("lid bent van dit overleg")),
        ]
    )
    earlier = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.kind == INVITATION,
            Notification.subject_id == meeting.id,
            Notification.recipient_id == recipient.id,
            Notification.state == NotificationState.VERZONDEN,
        )
    )
    sender_name, sender_email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    domain = calendar.uid_domain()
    event = calendar.meeting_event(
        meeting,
        domain=domain,
        url=url,
        description=_("Agenda en stukken: %(url)s", url=url),
        sequence=int(earlier or 0),
        organizer=(sender_name or "Regiotafel", sender_email or f"noreply@{domain}"),
        attendee=(recipient.name, recipient.email),
    )
    ics = calendar.calendar([event], method="REQUEST")
    subject = _("Uitnodiging: %(meeting)s, %(when)s", meeting=meeting.title, when=show_datetime(meeting.starts_at))
    attachment = Attachment(_("uitnodiging.ics"), "text", "calendar", ics, {"method": "REQUEST"})
    return Mail(subject=subject, text=text, attachments=(attachment,))


def invitation_sequences(recipient: User, meeting_ids: list[int]) -> dict[int, int]:
    """Per meeting, the SEQUENCE of the last invitation sent to ``recipient`` (0 when none was): a
    download or feed with the same UID then reads as that invitation, not as an older version."""
    if not meeting_ids:
        return {}
    sent = db.session.execute(
        select(Notification.subject_id, func.count(Notification.id))
        .where(
            Notification.kind == INVITATION,
            Notification.subject_type == "meetings",
            Notification.subject_id.in_(meeting_ids),
            Notification.recipient_id == recipient.id,
            Notification.state == NotificationState.VERZONDEN,
        )
        .group_by(Notification.subject_id)
    )
    return {meeting_id: max(int(count) - 1, 0) for meeting_id, count in sent}


# --- the digest of documents added after the agenda went out ------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    return local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))


def _digests(moment: datetime) -> Iterator[Planned]:
    """One message per member per meeting per day on which documents were added to a published agenda,
    the next morning; planned only for members who may see at least one of them and did not add them
    all themselves. What it says is written when it goes out (``compose_digest``)."""
    added: dict[tuple[int, date], list[Document]] = {}
    for document in db.session.scalars(
        select(Document)
        .join(Meeting, Meeting.id == Document.meeting_id)
        .where(
            Meeting.agenda_published_at.is_not(None),
            Document.uploaded_at > Meeting.agenda_published_at,
            Document.uploaded_at >= moment - DIGEST_WINDOW,
            Document.uploaded_at <= moment,
        )
        .options(joinedload(Document.meeting))
        .order_by(Document.meeting_id, Document.uploaded_at)
    ):
        added.setdefault((document.meeting_id, to_local(document.uploaded_at).date()), []).append(document)
    members: dict[int, list[User]] = {}
    for (meeting_id, day), documents in added.items():
        body_id = documents[0].body_id
        for user in members.setdefault(body_id, _members(body_id, "leden")):
            if not any(d.uploaded_by_id != user.id and can(user, Action.VIEW, d) for d in documents):
                continue
            yield Planned(
                key=f"stukken:{meeting_id}:{day.isoformat()}:{user.id}",
                kind=DIGEST,
                recipient_id=user.id,
                subject_type="meetings",
                subject_id=meeting_id,
                planned_for=day,
                due_at=local_to_utc(day + timedelta(days=1), time(SEND_HOUR)),
            )


def compose_digest(notification: Any, recipient: User) -> Mail | Lapsed:
    """The documents added to a published agenda on one day, as the recipient may see them now: only
    those, numbered as the recipient's agenda is, in the recipient's language."""
    meeting = db.session.get(Meeting, notification.subject_id, options=[joinedload(Meeting.cycle)])
    if meeting is None:
        return Lapsed("De vergadering bestaat niet meer.")
    if not meeting.agenda_published or not can(recipient, Action.VIEW, meeting):
        return Lapsed("De ontvanger kan de vergadering niet (meer) zien.")
    if now() - notification.due_at > DIGEST_WINDOW:
        return Lapsed("Te oud om nog te versturen.")
    day: date | None = notification.planned_for
    if day is None:
        return Lapsed("Geen dag om stukken van te melden.")
    start, end = _day_bounds(day)
    documents = list(
        db.session.scalars(
            select(Document)
            .where(
                Document.meeting_id == meeting.id,
                Document.uploaded_at >= start,
                Document.uploaded_at < end,
                Document.uploaded_at > meeting.agenda_published_at,
                Document.uploaded_by_id != recipient.id,
                visible(recipient, Document),
            )
            .options(joinedload(Document.agenda_item))
            .order_by(Document.uploaded_at, Document.id)
        )
    )
    if not documents:
        return Lapsed("Geen nieuwe stukken die de ontvanger kan zien.")
    numbers = numbering(recipient, meeting.id)
    lines = []
    for document in documents:
        item = document.agenda_item
        where = f"{numbers.item(item)}. {item.title}" if item is not None and numbers.item(item) else _("Vergadering")
        lines.append(f"  - {where}: {document.title} ({document.extension})")
    url = absolute_url("meetings.meeting", meeting_id=meeting.id)
    text = "\n\n".join(
        [
            _("Beste %(name)s,", name=recipient.name),
            ngettext(
                "Bij %(meeting)s is op %(date)s na het uitgaan van de agenda %(num)d stuk toegevoegd:",
                "Bij %(meeting)s zijn op %(date)s na het uitgaan van de agenda %(num)d stukken toegevoegd:",
                len(documents),
                meeting=meeting.title,
                date=show_date(day),
            )
            + "\n"
            + "\n".join(lines),
            _("Agenda en stukken: %(url)s", url=url),
            _footer(_("lid bent van dit overleg")),
        ]
    )
    return Mail(subject=_("Nieuwe stukken: %(meeting)s", meeting=meeting.title), text=text)


def _progress_items_job(_token: str) -> str:
    meetings = agenda_services.meetings_needing_progress_item(current_app.config["PROGRESS_ITEM_DAYS"])
    # End the read, so that each addition starts as a writer's transaction (IMMEDIATE on SQLite)
    # and sees what another scheduler process may have added in the meantime.
    db.session.rollback()
    added = 0
    for meeting in meetings:
        try:
            agenda_services.add_progress_item(SYSTEM, meeting)
            db.session.commit()
            added += 1
        except DomainError:  # another process was first, or the agenda went out meanwhile
            db.session.rollback()
    return f"{added} voortgangspunt(en) toegevoegd"


def _progress_items(_app: Flask) -> Job:
    return Job("voortgangspunten", _progress_items_job, order=20)


def register(app: Flask) -> None:
    before = {"week-vooraf": _l("een week vooraf"), "dag-vooraf": _l("een dag vooraf")}
    register_kind(app, MILESTONE, compose_milestone, label=_l("Mijlpaal van de cyclus"), variants=before)
    register_kind(app, INVITATION, compose_invitation, label=_l("Uitnodiging voor een vergadering"), variants={})
    register_kind(app, DIGEST, compose_digest, label=_l("Nieuwe stukken bij een vergadering"), variants={})
    register_planner(app, _milestone_reminders)
    register_planner(app, _invitations)
    register_planner(app, _digests)
    scheduler_jobs.connect(_progress_items)
