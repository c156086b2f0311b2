"""A decision's page: what it amends and what amends it, as far as the reader may see."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.dates import now, today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItem, Decision, Meeting
from meetings.services import decisions
from tests.conftest import in_app, meeting_held, user
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

