"""Templates look up what their view prepared and query nothing themselves: the functions that let a
template query are gone, no statement runs while a page renders, and the agenda and the besluitenlijst
take as many queries with 5 items as with 15, vertrouwelijk ones among them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import before_render_template, template_rendered
from sqlalchemy import event, select

from cases.models import Case
from core.dates import today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItemKind, Body, Meeting
from meetings.services.agenda import add_agenda_item
from meetings.services.decisions import add_decision, comment_on_decision, publish_besluitenlijst
from meetings.services.notes import add_note
from tests.conftest import in_app, user
from tests.meetings.builders import meeting_with_items

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"


def _with_vertrouwelijk(app: Any, clock: Any, year: int, items: int, secret: int) -> dict[str, int]:
    """A meeting with ``items`` plain items and ``secret`` vertrouwelijk ones shared with three members, each
    with a vertrouwelijk decision; a vertrouwelijk note and a comment on the first; besluitenlijst out."""
    with in_app(app):
        meeting_id = meeting_with_items(year, items=items, clock=clock, release=False)
        sec, rijk = user(SEC), user(RIJK)
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting is not None
        named = [rijk.id, user(REGIO).id, sec.id]
        made: dict[str, int] = {"meeting": meeting_id}
        for n in range(secret):
            item = add_agenda_item(
                sec,
                meeting,
                title=f"Vertrouwelijk punt {n}",
                kind=AgendaItemKind.TER_BESLUITVORMING,
                audience=Audience.VERTROUWELIJK,
                shared_with=named,
            )
            decision = add_decision(
                sec, item, text=f"Vertrouwelijk besluit {n}.", audience=Audience.VERTROUWELIJK, shared_with=named
            )
            made.setdefault("item", item.id)
            made.setdefault("decision", decision.id)
        body = db.session.get(Body, meeting.body_id)
        assert body is not None
        made["note"] = add_note(
            rijk,
            body,
            title="Vertrouwelijke notitie",
            text="Alleen voor ons.",
            audience=Audience.VERTROUWELIJK,
            shared_with=named,
            agenda_item=db.session.get(type(item), made["item"]),
        ).id
        publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=10))
        decision = db.session.get(type(decision), made["decision"])
        made["comment"] = comment_on_decision(rijk, decision, text="Een reactie.").id
        made["case"] = db.session.scalars(select(Case.id).where(Case.title == "Actie Punt 1")).first() or 0
        return made


@contextmanager
def _statements_while_rendering(app: Any) -> Iterator[list[str]]:
    """The SQL statements that run between the start and the end of rendering a template."""
    found: list[str] = []
    depth = [0]

    def started(_sender: Any, **_extra: Any) -> None:
        depth[0] += 1

    def ended(_sender: Any, **_extra: Any) -> None:
        depth[0] -= 1

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if depth[0] and not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            found.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    before_render_template.connect(started, app)
    template_rendered.connect(ended, app)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        template_rendered.disconnect(ended, app)
        before_render_template.disconnect(started, app)


def test_templates_are_given_no_function_that_queries(app):
    with app.test_request_context():
        names = app.jinja_env.globals | {k: v for p in app.template_context_processors[None] for k, v in p().items()}
    for gone in ("item_no", "decision_no", "named_people", "active_calendar_feed"):
        assert gone not in names, gone


PAGES = {
    "agenda": "/vergaderingen/{meeting}",
    "besluitenlijst": "/vergaderingen/{meeting}/besluitenlijst",
    "decision": "/besluiten/{decision}",
    "agenda item": "/agendapunten/{item}",
    "decisions": "/besluiten",
    "note": "/notities/{note}",
    "minutes": "/vergaderingen/{meeting}/verslag",
    "account": "/auth/account",
    "case": "/zaken/{case}",
    "note form": "/overleggen/bo-brainport/notities/nieuw?agendapunt={item}",
}
MANAGING = {
    "decision form": "/agendapunten/{item}/besluiten/nieuw",
    "decision edit": "/besluiten/{decision}/bewerken",
    "comment": "/reacties/{comment}/verwerken",
    "document form": "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}",
}


@pytest.mark.parametrize("email", [SEC, RIJK])
def test_no_statement_runs_while_a_page_renders(app, clients, clock, email):
    made = _with_vertrouwelijk(app, clock, 2031, items=3, secret=2)
    web = clients(email)
    pages = PAGES | (MANAGING if email == SEC else {})
    querying = {}
    for name, page in pages.items():
        url = page.format(**made)
        web.get(url)  # warm: the session
        with _statements_while_rendering(app) as statements:
            response = web.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        if statements:
            querying[name] = statements
    assert not querying, "\n".join(f"{k}: {s[:400]}" for k, v in querying.items() for s in v)


@pytest.mark.parametrize("email", [SEC, RIJK, REGIO])
def test_agenda_and_besluitenlijst_take_as_many_queries_for_three_times_the_items(
    app, clients, count_queries, clock, email
):
    counts: dict[tuple[str, int], int] = {}

    def measure(web: Any, meeting_id: int, size: int) -> None:
        for name, page in (("agenda", "/vergaderingen/{}"), ("besluitenlijst", "/vergaderingen/{}/besluitenlijst")):
            web.get(page.format(meeting_id))  # warm: the session
            with count_queries() as counter:
                response = web.get(page.format(meeting_id))
            assert response.status_code == 200
            assert "Vertrouwelijk punt 0" in response.get_data(as_text=True)
            counts[(name, size)] = counter.count

    # Each measured while its comments are open: a page in the same state, with more items.
    small = _with_vertrouwelijk(app, clock, 2031, items=5, secret=1)["meeting"]
    measure(clients(email), small, 5)
    large = _with_vertrouwelijk(app, clock, 2032, items=15, secret=3)["meeting"]
    measure(clients(email), large, 15)  # a year later: a new session
    assert counts[("agenda", 5)] == counts[("agenda", 15)], counts
    assert counts[("besluitenlijst", 5)] == counts[("besluitenlijst", 15)], counts
