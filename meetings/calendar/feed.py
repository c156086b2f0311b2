"""What a user's calendar holds: the meetings of their bodies, the cycles' milestones, and what
other packages add (``meetings.signals.feed_events``: the due dates of one's actions). Only reads.

Everything is read as the given user and through the policy, so a feed holds what that user may
see at the moment it is fetched; a calendar app holds no login, only the feed's address.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.models import User
from auth.policy import visible
from core.dates import now, show_date
from core.extensions import db
from core.labels import label
from core.signals import answer
from core.web import absolute_url
from meetings import signals
from meetings.calendar import ics as calendar
from meetings.jobs.notifications import invitation_sequences
from meetings.models import Cycle, Meeting, Milestone, MilestoneKind

#: How far back a feed reaches: last year's meetings stay in the calendar, ten years do not.
FEED_PAST = timedelta(days=365)
#: How often a subscribing calendar app is asked to fetch the feed again.
FEED_REFRESH = timedelta(hours=1)


def meeting_description(meeting: Meeting, url: str) -> str:
    return "\n".join(
        [
            _("Voorzitter: %(chair)s", chair=meeting.chair),
            _("Agenda en stukken: %(url)s", url=url),
        ]
    )


def _meeting_event(meeting: Meeting, sequence: int) -> Event:
    url = absolute_url("meetings.meeting", meeting_id=meeting.id)
    return calendar.meeting_event(
        meeting,
        domain=calendar.uid_domain(),
        url=url,
        description=meeting_description(meeting, url),
        sequence=sequence,
    )


def meeting_ics(user: User, meeting: Meeting) -> bytes:
    """One meeting as an .ics file, with the UID of its invitation and of the feed."""
    sequence = invitation_sequences(user, [meeting.id]).get(meeting.id, 0)
    return calendar.calendar([_meeting_event(meeting, sequence)], method="PUBLISH")


def _milestone_entry(milestone: Milestone, cycle: Cycle, meeting: Meeting) -> calendar.DayEntry:
    body = cycle.body.name
    url = absolute_url("meetings.cycle", cycle_id=cycle.id)
    return calendar.DayEntry(
        key=f"mijlpaal-{milestone.id}",
        day=milestone.due_date,
        summary=_("%(milestone)s — %(body)s", milestone=label(milestone.kind), body=body),
        url=url,
        description="\n".join(
            [
                _(
                    "Cyclus %(cycle)s van %(body)s; de vergadering is op %(date)s.",
                    cycle=cycle.title,
                    body=body,
                    date=show_date(meeting.starts_at),
                ),
                _("De planning: %(url)s", url=url),
            ]
        ),
    )


def feed_events(user: User) -> list[Event]:
    """The events of ``user``'s feed, as far as the user may see them now; a fixed number of queries."""
    since = now() - FEED_PAST
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(visible(user, Meeting), Meeting.ends_at >= since)
            .options(joinedload(Meeting.cycle).joinedload(Cycle.body))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    sequences = invitation_sequences(user, [m.id for m in meetings])
    events = [_meeting_event(meeting, sequences.get(meeting.id, 0)) for meeting in meetings]
    # A cycle's milestones for whoever sees one of its meetings (as its reminders are sent).
    first_meeting: dict[int, Meeting] = {}
    for meeting in meetings:
        first_meeting.setdefault(meeting.cycle_id, meeting)
    milestones: Iterable[Milestone] = ()
    if first_meeting:
        milestones = db.session.scalars(
            select(Milestone)
            .where(
                visible(user, Milestone),
                Milestone.cycle_id.in_(list(first_meeting)),
                # The meeting itself is in the feed as a timed event.
                Milestone.kind != MilestoneKind.VERGADERING,
            )
            .order_by(Milestone.due_date, Milestone.id)
        )
    domain = calendar.uid_domain()
    stamp = now()
    for milestone in milestones:
        meeting = first_meeting[milestone.cycle_id]
        entry = _milestone_entry(milestone, meeting.cycle, meeting)
        events.append(calendar.day_event(entry, domain=domain, stamp=stamp))
    for entries in answer(signals.feed_events, user):
        events.extend(calendar.day_event(entry, domain=domain, stamp=stamp) for entry in entries)
    return events


def feed_ics(user: User) -> bytes:
    """The personal feed of ``user``, in the user's language."""
    with force_locale(user.locale or "nl"):
        return calendar.calendar(
            feed_events(user),
            name=_("Regiotafel — %(name)s", name=user.name),
            method="PUBLISH",
            refresh=FEED_REFRESH,
        )
