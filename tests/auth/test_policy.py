"""The policy: who sees what, answered alike for one item and for a list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from auth.models import User
from auth.policy import Action, can, visible
from cases.models import Case
from core.extensions import db
from meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Cycle,
    Decision,
    DecisionComment,
    Document,
    Meeting,
    Milestone,
    Minutes,
    Seat,
)
from tests.conftest import find_body, in_app, user

MODELS = [
    Body,
    Cycle,
    Milestone,
    Meeting,
    Seat,
    Attendance,
    AgendaItem,
    Document,
    Decision,
    DecisionComment,
    Minutes,
    Case,
]


def test_one_item_and_the_list_filter_agree_for_every_user_and_every_row(app):
    """can(user, VIEW, row) is true exactly for the rows that visible(user, Model) keeps."""
    with in_app(app):
        users = db.session.scalars(select(User)).all()
        checked = 0
        for model in MODELS:
            rows = db.session.scalars(select(model)).all()
            assert rows, f"the demo has no {model.__name__}"
            for person in users:
                listed = set(db.session.scalars(select(model.id).where(visible(person, model))))
                one_by_one = {row.id for row in rows if can(person, Action.VIEW, row)}
                assert listed == one_by_one, (model.__name__, person.email)
                checked += len(rows)
    assert checked > 1000


@pytest.mark.parametrize(
    ("email", "sees_rijk", "sees_regio"),
    [
        ("beleid@ezk.test", True, False),
        ("secretariaat@ezk.test", True, False),
        ("economie@noord-brabant.test", False, True),
        ("auditor@noord-brabant.test", False, True),
    ],
)
def test_each_side_sees_its_own_internal_documents_and_not_the_others(app, email, sees_rijk, sees_regio):
    with in_app(app):
        person = user(email)
        titles = set(db.session.scalars(select(Document.title).where(visible(person, Document))))
    assert ("Annotatie voor de bewindspersonen" in titles) is sees_rijk
    assert ("Inbreng regio: positie talentaanpak" in titles) is sees_regio
    assert "Strategische agenda Brainportregio" in titles


def test_eindhoven_sees_nothing_of_the_rom_overleg(app, clients):
    with in_app(app):
        person = user("economie@eindhoven.test")
        rom = find_body("rom-overleg")
        for model in MODELS:
            column = model.id if model is Body else model.body_id
            assert not db.session.scalars(select(model).where(visible(person, model), column == rom.id)).all()
        rom_meeting = db.session.scalars(select(Meeting.id).where(Meeting.body_id == rom.id)).first()
    client = clients("economie@eindhoven.test")
    assert client.get("/overleggen/rom-overleg").status_code == 404
    assert client.get(f"/vergaderingen/{rom_meeting}").status_code == 404
    for page in ("/", "/overleggen", "/besluiten", "/acties"):
        text = client.get(page).get_data(as_text=True)
        assert "ROM" not in text and "MIT" not in text, page


def test_the_beheerder_manages_but_sees_no_meeting_content(app, clients):
    with in_app(app):
        beheer = user("beheer@regiotafel.test")
        assert can(beheer, Action.ADMINISTER)
        assert not db.session.scalars(select(Decision).where(visible(beheer, Decision))).all()
        meeting_id = db.session.scalars(select(Meeting.id)).first()
    assert clients("beheer@regiotafel.test").get(f"/vergaderingen/{meeting_id}").status_code == 404


@pytest.mark.parametrize(
    ("email", "action", "allowed"),
    [
        ("secretariaat@ezk.test", Action.MANAGE, True),
        ("beleid@ezk.test", Action.MANAGE, False),
        ("beleid@ezk.test", Action.PARTICIPATE, True),
        ("beleid@ienw.test", Action.PARTICIPATE, False),  # waarnemer: reads only
        ("beleid@ienw.test", Action.VIEW, True),
        ("auditor@ezk.test", Action.PARTICIPATE, False),
        ("auditor@ezk.test", Action.VIEW_HISTORY, True),
        ("beleid@ezk.test", Action.VIEW_HISTORY, False),
        ("beheer@regiotafel.test", Action.VIEW, False),
        ("beheer@regiotafel.test", Action.ADMINISTER, True),
    ],
)
def test_roles_decide_what_a_member_may_do_in_a_body(app, email, action, allowed):
    with in_app(app):
        body = find_body()
        assert can(user(email), action, body) is allowed


def test_an_inactive_user_may_do_nothing(app):
    with in_app(app):
        person = user("beleid@ezk.test")
        body = find_body()
        with db.session.no_autoflush:
            person.active = False
            assert not can(person, Action.VIEW, body)
            assert not db.session.scalars(select(Body).where(visible(person, Body))).all()
        db.session.rollback()
