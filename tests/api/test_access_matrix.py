"""The API's access matrix: every demo account (each role, both sides, the beheerder and an outsider)
reads every list and every object, and what it gets is held against the rows themselves, not against
the code that answers: nothing of the other side, nothing vertrouwelijk that does not name them, nothing
of a body they have no role in; an object is there by itself exactly when it is in its list; a hidden
one is the very 404 of a missing one. The leak hunter (tests/hunt) reads the API the same way, over
time, as the data changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from auth.models import AudienceGrant, Membership, Organisation, User
from core.extensions import db
from core.refs import model_for_table
from tests.api.conftest import RIJK_ONLY, Bearer, make_token
from tests.api.test_reads import everything

ACCOUNTS = [
    "secretariaat@ezk.test",  # secretariaat, Rijk
    "beleid@ezk.test",  # deelnemer, Rijk
    "beleid@ienw.test",  # waarnemer, Rijk
    "auditor@ezk.test",  # auditor, Rijk
    "economie@noord-brabant.test",  # deelnemer, regio
    "economie@gelderland.test",  # deelnemer of the ROM overleg only, regio
    "auditor@noord-brabant.test",  # auditor, regio
    "beheer@regiotafel.test",  # beheerder, in no body
]
#: List path → table.
LISTS = {
    "bodies": "bodies",
    "cycles": "cycles",
    "meetings": "meetings",
    "agenda-items": "agenda_items",
    "documents": "documents",
    "decisions": "decisions",
    "minutes": "minutes",
    "cases": "cases",
}
OWN_AUDIENCES = {"rijk": {"openbaar", "overleg", "rijk"}, "regio": {"openbaar", "overleg", "regio"}}


def _reader(email: str) -> tuple[int, str, set[int], set[tuple[str, int]]]:
    person = db.session.scalars(select(User).where(User.email == email)).one()
    side = db.session.get(Organisation, person.organisation_id).side.value
    bodies = set(db.session.scalars(select(Membership.body_id).where(Membership.user_id == person.id)))
    grants = {
        (table, ident)
        for table, ident in db.session.execute(
            select(AudienceGrant.object_type, AudienceGrant.object_id).where(AudienceGrant.user_id == person.id)
        )
    }
    return person.id, side, bodies, grants


def _admitted(row: Any, table: str, side: str, bodies: set[int], grants: set[tuple[str, int]]) -> bool:
    """Whether the row's own columns admit the reader: their body, and an audience of their side (or a
    vertrouwelijk one that names them). Publication is the policy's finer part, left to the pages' tests."""
    body_id = row.id if table == "bodies" else row.body_id
    if body_id not in bodies:
        return False
    audience = getattr(row, "audience", None)
    if audience is None:
        return True
    if audience.value == "vertrouwelijk":
        return (table, row.id) in grants
    return audience.value in OWN_AUDIENCES[side]


@pytest.mark.parametrize("email", ACCOUNTS)
def test_each_account_gets_only_what_its_side_role_and_bodies_admit(app, email):
    api = Bearer(app, make_token(app, email))
    with app.app_context():
        _person, side, bodies, grants = _reader(email)
        for path, table in LISTS.items():
            model = model_for_table(table)
            listed = everything(api, path)
            for item in listed:
                row = db.session.get(model, item["id"])
                assert row is not None, (email, path, item["id"])
                assert _admitted(row, table, side, bodies, grants), (email, path, item["id"])
            if side == "regio" or not bodies:
                assert RIJK_ONLY not in json.dumps(listed), (email, path)
        db.session.remove()


@pytest.mark.parametrize("email", [e for e in ACCOUNTS if e != "secretariaat@ezk.test"])
def test_an_object_is_there_by_itself_exactly_when_it_is_in_its_list(app, email):
    """Against what the Rijk secretariat (who sees the most) reads: every one of those objects is a 200
    for the reader when their list has it, and otherwise the 404 of an id that never existed."""
    widest = Bearer(app, make_token(app, "secretariaat@ezk.test"))
    api = Bearer(app, make_token(app, email))
    for path in LISTS:
        mine = {item["id"] for item in everything(api, path)}
        missing = api.get(f"/api/v1/{path}/999999")
        for item in everything(widest, path):
            answer = api.get(f"/api/v1/{path}/{item['id']}")
            if item["id"] in mine:
                assert answer.status_code == 200, (email, path, item["id"])
            else:
                assert (answer.status_code, answer.get_data()) == (404, missing.get_data()), (email, path, item["id"])
