"""What ``meetings`` asks of the packages above it (``cases``: actions, requests, dossiers), as signals.

Each page's sender is the signed-in reader (the Woo package's is the meeting: nobody reads it there);
the page's subject comes as a keyword. Receivers connect in their package's ``init_app`` and answer in
the order they connected; None is left out (``core.signals.answer``).
"""

from __future__ import annotations

from core.signals import Signal

#: A body's page, ``body=``: a ``core.sections.PageSection`` (requests, follow-ups, dossiers, dashboard).
body_page = Signal("body-page")

#: A cycle's page, ``cycle=``: a ``PageSection`` (the agenda requests for the cycle).
cycle_page = Signal("cycle-page")

#: A meeting's page, ``meeting=``: a ``PageSection`` or None.
meeting_page = Signal("meeting-page")

#: An agenda item's page, ``item=``: a ``PageSection`` or None (the cases and dossiers it holds).
agenda_item_page = Signal("agenda-item-page")

#: The progress item's page, ``item=``: a list of ``PageSection`` (what is open, what was done) or None.
progress_report = Signal("progress-report")

#: A meeting's besluitenlijst, ``meeting=``: {decision id: [``core.sections.LinkedItem``]}, the actions
#: and commitments under each decision that the reader may see.
besluitenlijst_follow_ups = Signal("besluitenlijst-follow-ups")

#: The Woo package of a meeting; sender: the meeting. {decision id: [``meetings.papers.reading.FollowUpLine``]}
#: of the publishable follow-ups.
public_follow_ups = Signal("public-follow-ups")

#: A reader's calendar feed: a list of ``meetings.calendar.ics.DayEntry`` (the due dates of one's actions).
feed_events = Signal("feed-events")

#: A reader's *what's new*, ``since=`` {body id: moment}: a list of ``core.sections.NewsLine``.
whats_new = Signal("whats-new")
