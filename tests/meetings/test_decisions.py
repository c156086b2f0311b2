"""A decision's page: what it amends and what amends it, as far as the reader may see."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlalchemy import select

from core.dates import now, today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItem, AgendaItemKind, Decision, Meeting
from meetings.services import agenda, decisions
from tests.conftest import in_app, meeting_held, new_meeting, user
from tests.meetings.builders import SEC, meeting_with_items


def _amending_a_rijk_decision(app, clock) -> tuple[int, int]:
    """A Rijk-only decision in an adopted besluitenlijst, and a later decision for the whole table that
    amends it (the Rijk secretariat may choose it), published for comments: (hidden, amending)."""
    with in_app(app):
        earlier = meeting_with_items(2031, items=1, clock=clock)  # its one item, and its decisions, are Rijk-only
        hidden = db.session.scalars(select(Decision).where(Decision.meeting_id == earlier)).first()
        assert hidden.audience is Audience.RIJK
        hidden_id = hidden.id
    clock(now() + timedelta(days=30))  # past the term for comments
    with in_app(app):
        decisions.adopt_besluitenlijst(user(SEC), db.session.get(Meeting, earlier))
        later = db.session.get(Meeting, meeting_with_items(2032, decide=False))
        opening = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == later.id)).one()
        meeting_held(clock, later)
        amending = decisions.add_decision(
            user(SEC), opening, text="Het overleg wijzigt het besluit.", amends_id=hidden_id
        )
        assert amending.audience is Audience.OVERLEG
        decisions.publish_besluitenlijst(user(SEC), later, comments_deadline=today() + timedelta(days=10))
        return hidden_id, amending.id


def test_a_regio_member_does_not_learn_of_the_rijk_decision_that_a_decision_amends(app, clients, clock):
    hidden, amending = _amending_a_rijk_decision(app, clock)
    regio = clients("economie@noord-brabant.test")
    assert regio.get(f"/besluiten/{hidden}").status_code == 404
    page = regio.get(f"/besluiten/{amending}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Het overleg wijzigt het besluit." in text
    assert f'/besluiten/{hidden}"' not in text and "Wijzigt" not in text
    rijk = clients("beleid@ezk.test").get(f"/besluiten/{amending}").get_data(as_text=True)
    assert "Wijzigt" in rijk and f'href="/besluiten/{hidden}"' in rijk


def test_the_trail_does_not_name_the_hidden_decision_either(app, clock):
    from audit import export

    hidden, amending = _amending_a_rijk_decision(app, clock)

    def created(email: str) -> dict:
        with in_app(app):
            rows = export.readable(db.session.connection(), user(email), export.ExportFilter())
            return next(r for r in rows if r["object_type"] == "decisions" and r["object_id"] == amending)

    regio = created("auditor@noord-brabant.test")
    assert regio["changes"]["amends_id"] == [None, None] and "amends_id.after" in regio["withheld"]
    assert regio["changes"]["text"] == [None, "Het overleg wijzigt het besluit."]
    rijk = created("auditor@ezk.test")
    assert rijk["changes"]["amends_id"] == [None, hidden] and "amends_id.after" not in rijk["withheld"]


def test_the_amends_choice_lists_the_latest_meeting_first_and_each_meetings_decisions_by_number(app, clients, clock):
    """Items moved on the agenda keep their ids but change their numbers: the choice follows the numbers."""
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(date(2031, 10, 6))
        first, second, third = (
            agenda.add_agenda_item(sec, meeting, title=title, kind=AgendaItemKind.TER_BESLUITVORMING)
            for title in ("Eerste punt", "Tweede punt", "Derde punt")
        )
        db.session.flush()
        agenda.move_agenda_item(sec, third, position=1)  # now 1. Derde, 2. Eerste, 3. Tweede
        agenda.publish_agenda(sec, meeting)
        meeting_held(clock, meeting)
        for item, texts in ((first, ["Besluit E"]), (second, ["Besluit T"]), (third, ["Besluit D1", "Besluit D2"])):
            for text in texts:
                decisions.add_decision(sec, item, text=text)
                db.session.flush()
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=7))
    clock(now() + timedelta(days=10))
    with in_app(app):
        decisions.adopt_besluitenlijst(user(SEC), db.session.get(Meeting, meeting.id))
        later = new_meeting(date(2032, 3, 9))
        item = agenda.add_agenda_item(user(SEC), later, title="Wijziging", kind=AgendaItemKind.TER_BESLUITVORMING)
        agenda.publish_agenda(user(SEC), later)
        meeting_held(clock, later)
        item_id = item.id
    page = clients(SEC).get(f"/agendapunten/{item_id}/besluiten/nieuw").get_data(as_text=True)
    choice = re.search(r'<select[^>]*id="amends_id"[^>]*>(.*?)</select>', page, re.S)
    assert choice
    offered = re.findall(r"<option[^>]*>([^<]*?), (\d+)\.(\d+): ([^<]*)</option>", html.unescape(choice.group(1)))
    ours = [(number, text) for title, *number, text in offered if title == "BO-Brainport 6 oktober 2031"]
    assert ours == [
        (["1", "1"], "Besluit D1"),
        (["1", "2"], "Besluit D2"),
        (["2", "1"], "Besluit E"),
        (["3", "1"], "Besluit T"),
    ]
    titles = [title for title, *_rest in offered]
    assert titles[0] == "BO-Brainport 6 oktober 2031" and "BO-Brainport 14 maart 2023" in titles
    march = [(int(a), int(b)) for title, a, b, _text in offered if title == "BO-Brainport 14 maart 2023"]
    assert march and march == sorted(march)
