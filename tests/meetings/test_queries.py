"""Pages load what they show in a fixed number of queries, however long the agenda."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from cases.models import CaseType
from cases.services import create_follow_up
from core.db import Audience
from demo.pdf import text_pdf
from meetings.models import AgendaItemKind, Body, Meeting
from meetings.services import agenda, cycles, decisions
from tests.conftest import in_app, user


def _meeting_with(app, size: int, year: int) -> int:
    """A published meeting with ``size`` items, each with two documents, two decisions and an action."""
    with in_app(app):
        from sqlalchemy import select

        from core.extensions import db

        sec = user("secretariaat@ezk.test")
        body = db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()
        cycle = cycles.create_cycle(
            sec,
            body,
            meeting_date=date(year, 10, 1),
            start_time=time(10),
            end_time=time(12),
            location="Den Haag",
            chair="Minister van EZK",
        )
        db.session.flush()
        meeting = db.session.scalars(select(Meeting).where(Meeting.cycle_id == cycle.id)).one()
        owner = user("economie@noord-brabant.test").organisation_id
        for n in range(size):
            item = agenda.add_agenda_item(
                sec,
                meeting,
                title=f"Punt {n}",
                kind=AgendaItemKind.TER_BESLUITVORMING,
                theme_id=None,
                organisation_id=owner,
                audience=Audience.RIJK if n % 5 == 0 else None,
            )
            db.session.flush()
            for d in range(2):
                agenda.add_document(
                    sec,
                    meeting,
                    agenda_item=item,
                    title=f"Stuk {n}.{d}",
                    filename=f"stuk-{n}-{d}.pdf",
                    content=text_pdf(f"Stuk {n}.{d}", ["Inhoud."]),
                )
        agenda.publish_agenda(sec, meeting)
        db.session.flush()
        items = agenda.agenda_of(sec, meeting).items
        for item in items:
            first = decisions.add_decision(sec, item, text=f"Besluit bij {item.title}.")
            decisions.add_decision(sec, item, text=f"Tweede besluit bij {item.title}.")
            db.session.flush()
            create_follow_up(
                sec,
                body,
                case_type=CaseType.ACTIEPUNT,
                title=f"Actie {item.title}",
                decision=first,
                owner_organisation_id=owner,
                due_date=date(year, 12, 1),
            )
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=date.today() + timedelta(days=10))
        return meeting.id


@pytest.mark.parametrize("email", ["secretariaat@ezk.test", "economie@noord-brabant.test", "beleid@ezk.test"])
def test_agenda_and_besluitenlijst_take_the_same_number_of_queries_for_5_and_50_items(
    app, clients, count_queries, email
):
    small, large = _meeting_with(app, 5, 2031), _meeting_with(app, 50, 2032)
    client = clients(email)
    counts = {}
    for page in ("/vergaderingen/{}", "/vergaderingen/{}/besluitenlijst"):
        for size, meeting_id in (("5", small), ("50", large)):
            client.get(page.format(meeting_id))  # warm: the first request loads the user's session
            with count_queries() as counter:
                response = client.get(page.format(meeting_id))
            assert response.status_code == 200
            counts[(page, size)] = counter.count
        assert counts[(page, "5")] == counts[(page, "50")], (page, counts)
    assert max(counts.values()) <= 20, counts
    # The pages show what the counts claim to load.
    besluitenlijst = client.get(f"/vergaderingen/{large}/besluitenlijst").get_data(as_text=True)
    assert "Besluit bij Punt 49." in besluitenlijst and "Actie Punt 49" in besluitenlijst
    if "noord-brabant" in email:
        assert "Punt 45" not in besluitenlijst  # every fifth item is Rijk-only


def test_the_decisions_page_takes_the_same_number_of_queries_for_any_number_of_decisions(app, clients, count_queries):
    _meeting_with(app, 5, 2031)
    client = clients("beleid@ezk.test")
    client.get("/besluiten")
    with count_queries() as few:
        client.get("/besluiten")
    _meeting_with(app, 30, 2032)
    with count_queries() as many:
        response = client.get("/besluiten")
    assert "Besluit bij Punt 1." in response.get_data(as_text=True)
    assert few.count == many.count, (few.statements, many.statements)
