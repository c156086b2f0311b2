"""iCalendar (RFC 5545) for meetings: the invitation's attachment, a meeting's download, and the
events of a user's personal feed (assembled in ``meetings.calendar.feed``).

Every event has a UID that is stable per thing (a meeting, a milestone, a case's due date), so a
calendar app updates what it has instead of adding a second copy; the invitation, the download
and the feed use the same UID for the same meeting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from core.dates import now
from meetings.models import Meeting

PRODID = "-//Regiotafel//Bestuurlijk overleg Rijk en regio//NL"


@dataclass(frozen=True)
class DayEntry:
    """An all-day item in a feed: a milestone of a cycle, the due date of an action."""

    #: Unique and stable across the app, e.g. "zaak-12-termijn"; the UID is ``key@domain``.
    key: str
    day: date
    summary: str
    url: str
    description: str = ""


def uid_domain() -> str:
    """The right-hand side of every UID: the domain of the sender of the invitations."""
    _name, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return sender.rpartition("@")[2] or "regiotafel.invalid"


def uid(meeting: Meeting, domain: str) -> str:
    """Stable per meeting: a calendar updates the event instead of adding a second one."""
    return f"vergadering-{meeting.id}@{domain}"


def meeting_event(
    meeting: Meeting,
    *,
    domain: str,
    url: str,
    description: str,
    sequence: int = 0,
    organizer: tuple[str, str] | None = None,
    attendee: tuple[str, str] | None = None,
    stamp: datetime | None = None,
) -> Event:
    """A meeting as a timed event (UTC; the calendar app shows it in the reader's time zone)."""
    event = Event()
    event.add("uid", uid(meeting, domain))
    event.add("dtstamp", stamp or now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("description", description)
    event.add("url", url)
    event.add("sequence", sequence)
    event.add("status", "CONFIRMED")
    if organizer is not None:
        name, email = organizer
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        event.add("organizer", address)
    if attendee is not None:
        name, email = attendee
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address)
    return event


def day_event(entry: DayEntry, *, domain: str, stamp: datetime | None = None) -> Event:
    """An all-day event that does not block the day (a deadline, not an appointment)."""
    event = Event()
    event.add("uid", f"{entry.key}@{domain}")
    event.add("dtstamp", stamp or now())
    event.add("dtstart", entry.day)
    event.add("dtend", entry.day + timedelta(days=1))
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    event.add("url", entry.url)
    event.add("transp", "TRANSPARENT")
    return event


def calendar(
    events: Iterable[Event],
    *,
    name: str | None = None,
    method: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """A VCALENDAR of these events; ``name`` and ``refresh`` for a subscribed feed."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        # A hint for apps that show a subscribed calendar in its own zone; times are UTC regardless.
        cal.add("x-wr-timezone", "Europe/Amsterdam")
    if refresh is not None:
        # How often a subscribing app should fetch again (RFC 7986, and Outlook's older name).
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))
    for event in events:
        cal.add_component(event)
    return cal.to_ical()
