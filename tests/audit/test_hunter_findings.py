"""What the leak hunter (tests/hunt) found, each pinned down on its own.

1. A comment reached further than its decision: the Rijk secretariat read, on the comment's history
   page and in its export, a regio member's comment on a regio-only decision it may not see (and an
   auditor of the commenter's organisation read a comment on a vertrouwelijk decision that did not
   name them).
2. A deleted object's history showed its old values by its later state: a note written for the regio,
   then shared with the table and then withdrawn, showed the Rijk its regio text in the history of the
   meeting it was on and in the audit export.
3. Minutes written for the regio and then saved for the table (new text, new audience) showed the Rijk
   their regio text; and the Rijk's secretariat could write over regio-only minutes it cannot see.
4. On SQLite a new agenda item took the id of a removed one, and its history page showed the removed
   item's records as its own (seed 20261210): what the removed item had been called while the table
   saw it, to a reader its last, vertrouwelijk state did not admit.
5. An item made vertrouwelijk with a new text, and later opened to everyone with another: the regio
   auditor read the vertrouwelijk text in its history and through the API (seed 20261210). Between
   setting the text and the audience a lazy load flushed the text alone, so the trail had it as written
   under the old audience. Now the recorder writes one record per object per service call.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from auth.models import Role
from core.dates import today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItemKind, Body
from meetings.services import agenda, decisions, notes
from meetings.services.bodies import set_member_role
from tests.audit.test_export import exported
from tests.conftest import account, in_app, meeting_held, new_meeting, user

SEC, RIJK_AUDITOR = "secretariaat@ezk.test", "auditor@ezk.test"
BRABANT, REGIO_AUDITOR = "economie@noord-brabant.test", "auditor@noord-brabant.test"
YEAR = date.today().year + 3


def _body() -> Body:
    return db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()


def _commented(clock: Any, audience: Audience, named: list[str] | None = None) -> tuple[int, int]:
    """A decision of ``audience`` on a table meeting, out for comments, and the Brabant member's comment
    on it: (decision, comment)."""
    regio_sec = account("secretariaat@noord-brabant.test", "Secretariaat regio", user(BRABANT).organisation_id)
    set_member_role(user("beheer@regiotafel.test"), _body(), user_id=regio_sec.id, role=Role.SECRETARIAAT)
    maker = regio_sec if audience is Audience.REGIO else user(SEC)
    meeting = new_meeting(date(YEAR, 3, 10))
    item = agenda.add_agenda_item(maker, meeting, title="Punt", kind=AgendaItemKind.TER_BESLUITVORMING)
    agenda.publish_agenda(user(SEC), meeting)
    meeting_held(clock, meeting)
    shared = [user(email).id for email in named or []] or None
    decision = decisions.add_decision(maker, item, text="Besluit", audience=audience, shared_with=shared)
    decisions.publish_besluitenlijst(user(SEC), meeting, comments_deadline=today() + timedelta(days=5))
    comment = decisions.comment_on_decision(user(BRABANT), decision, text="Reactie-sigma-geheim")
    db.session.flush()
    return decision.id, comment.id


def test_the_rijk_secretariat_reads_no_comment_on_a_regio_only_decision(app, clients, clock):
    with in_app(app):
        decision, comment = _commented(clock, Audience.REGIO)
    secretariat = clients(SEC)
    assert secretariat.get(f"/besluiten/{decision}").status_code == 404
    for url in (f"/geschiedenis/decision_comments/{comment}", f"/reacties/{comment}/verwerken"):
        assert secretariat.get(url).status_code == 404, url
    assert "Reactie-sigma-geheim" not in json.dumps(exported(app, SEC), default=str)
    # Who may see the decision still reads the comment: its organisation, and the regio's secretariat.
    assert "Reactie-sigma-geheim" in json.dumps(exported(app, REGIO_AUDITOR), default=str)
    assert "Reactie-sigma-geheim" in clients(BRABANT).get(f"/besluiten/{decision}").get_data(as_text=True)


def test_a_colleague_not_named_on_a_vertrouwelijk_decision_reads_no_comment_on_it(app, clients, clock):
    with in_app(app):
        _decision, comment = _commented(clock, Audience.VERTROUWELIJK, named=[BRABANT])
    assert clients(REGIO_AUDITOR).get(f"/geschiedenis/decision_comments/{comment}").status_code == 404
    assert "Reactie-sigma-geheim" not in json.dumps(exported(app, REGIO_AUDITOR), default=str)
    assert clients(SEC).get(f"/geschiedenis/decision_comments/{comment}").status_code == 200


@pytest.mark.parametrize("withdrawn", [True, False])
def test_a_withdrawn_note_keeps_its_regio_text_from_the_rijk(app, clients, withdrawn):
    with in_app(app):
        meeting = new_meeting(date(YEAR, 3, 10))
        note = notes.add_note(
            user(BRABANT), _body(), title="Regiotitel-tau", text="Regiotekst-tau", meeting=meeting
        )  # for the regio: the author's side
        db.session.flush()
        notes.update_note(user(BRABANT), note, title="Tafeltitel", text="Tafeltekst", audience=Audience.OVERLEG)
        if withdrawn:
            notes.remove_note(user(BRABANT), note)
        meeting_id = meeting.id
    page = clients(SEC).get(f"/geschiedenis/meetings/{meeting_id}").get_data(as_text=True)
    assert "Tafeltekst" in page and "Regiotekst-tau" not in page and "Regiotitel-tau" not in page
    rijk = json.dumps(exported(app, RIJK_AUDITOR), default=str)
    assert "Tafeltekst" in rijk and "Regiotekst-tau" not in rijk
    assert "Regiotekst-tau" in json.dumps(exported(app, REGIO_AUDITOR), default=str)


def test_a_note_withdrawn_while_for_the_regio_leaves_the_rijk_nothing_of_it(app):
    """Listed only where the state it was deleted in admits the reader: once narrowed to the regio and
    withdrawn, not even what the table could read of it earlier is the Rijk's history any more."""
    with in_app(app):
        note = notes.add_note(user(BRABANT), _body(), title="Tafel-upsilon", text="Tekst", audience=Audience.OVERLEG)
        db.session.flush()
        notes.update_note(user(BRABANT), note, title="Regio-upsilon", text="Tekst", audience=Audience.REGIO)
        notes.remove_note(user(BRABANT), note)
        note_id = note.id
    rijk = [r for r in exported(app, RIJK_AUDITOR) if r["object_type"] == "notes" and r["object_id"] == note_id]
    assert rijk == []
    regio = [r for r in exported(app, REGIO_AUDITOR) if r["object_type"] == "notes" and r["object_id"] == note_id]
    assert [r["action"] for r in regio] == ["create", "update", "delete"]


def test_minutes_shared_with_the_table_keep_their_regio_text_from_the_rijk(app, clients):
    """Saving minutes with a new audience changed the audience first (a flush of its own) and the text
    after it: the text written for the regio then counted as written under the new audience."""
    with in_app(app):
        regio_sec = account("secretariaat@noord-brabant.test", "Secretariaat regio", user(BRABANT).organisation_id)
        set_member_role(user("beheer@regiotafel.test"), _body(), user_id=regio_sec.id, role=Role.SECRETARIAAT)
        meeting = new_meeting(date(YEAR, 3, 10))
        minutes = decisions.save_minutes(regio_sec, meeting, text="Regioverslag-phi", audience=Audience.REGIO)
        decisions.share_minutes(regio_sec, minutes)
        decisions.save_minutes(regio_sec, meeting, text="Tafelverslag-phi", audience=Audience.OVERLEG)
        meeting_id = meeting.id
    page = clients(SEC).get(f"/geschiedenis/meetings/{meeting_id}").get_data(as_text=True)
    assert "Tafelverslag-phi" in page and "Regioverslag-phi" not in page
    assert "Regioverslag-phi" not in json.dumps(exported(app, RIJK_AUDITOR), default=str)
    assert "Regioverslag-phi" in json.dumps(exported(app, REGIO_AUDITOR), default=str)


def test_the_secretariat_of_one_side_does_not_write_into_the_other_sides_minutes(app):
    """The Rijk's secretariat could save its text over regio-only minutes it cannot even see."""
    from core.errors import NotVisible

    with in_app(app):
        regio_sec = account("secretariaat@noord-brabant.test", "Secretariaat regio", user(BRABANT).organisation_id)
        set_member_role(user("beheer@regiotafel.test"), _body(), user_id=regio_sec.id, role=Role.SECRETARIAAT)
        meeting = new_meeting(date(YEAR, 3, 10))
        minutes = decisions.save_minutes(regio_sec, meeting, text="Regioverslag-chi", audience=Audience.REGIO)
        with pytest.raises(NotVisible):
            decisions.save_minutes(user(SEC), meeting, text="Overschreven")
        assert minutes.text == "Regioverslag-chi"


def test_a_new_item_never_takes_a_removed_ones_id_nor_its_history(app, clients):
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(date(YEAR, 3, 10))
        agenda.add_agenda_item(sec, meeting, title="Opening", kind=AgendaItemKind.TER_BESLUITVORMING)
        item = agenda.add_agenda_item(sec, meeting, title="Titel-voor-tafel", kind=AgendaItemKind.TER_BESLUITVORMING)
        agenda.publish_agenda(sec, meeting)
        named = [user(BRABANT).id, user("dg.bi@ezk.test").id]
        agenda.update_agenda_item(
            sec, item, title="Titel-vertrouwelijk", kind=item.kind, audience=Audience.VERTROUWELIJK, shared_with=named
        )
        agenda.remove_agenda_item(sec, item)  # the highest id of its table: the one SQLite handed out again
        later = agenda.add_agenda_item(sec, meeting, title="Later punt", kind=AgendaItemKind.TER_BESLUITVORMING)
        db.session.flush()
        removed, new = item.id, later.id
    assert new > removed
    for reader in (REGIO_AUDITOR, RIJK_AUDITOR):
        history = clients(reader).get(f"/geschiedenis/agenda_items/{new}").get_data(as_text=True)
        assert "Later punt" in history
        assert "Titel-voor-tafel" not in history and "Titel-vertrouwelijk" not in history
    assert clients(REGIO_AUDITOR).get(f"/geschiedenis/agenda_items/{removed}").status_code == 404


def test_a_text_written_with_a_narrower_audience_in_one_call_stays_behind_it(app, clients):
    from api.tokens import create_token
    from meetings.models import AgendaItem

    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(date(YEAR, 3, 10))
        item = agenda.add_agenda_item(sec, meeting, title="Punt", kind=AgendaItemKind.TER_BESLUITVORMING)
        agenda.publish_agenda(sec, meeting)
        item_id = item.id
    changes = (("Toelichting-alleen-secretariaat", Audience.VERTROUWELIJK), ("Voor-iedereen", Audience.OPENBAAR))
    for text, audience in changes:
        with in_app(app):  # each change a request of its own, as the hunter's steps are
            row = db.session.get(AgendaItem, item_id)
            agenda.update_agenda_item(
                user(SEC), row, title="Punt", kind=row.kind, description=text, audience=audience, shared_with=[]
            )
    with in_app(app):
        reader = user(REGIO_AUDITOR)
        token = create_token(reader, owner=reader, name="test", scope="read", days=1).secret
    page = clients(REGIO_AUDITOR).get(f"/geschiedenis/agenda_items/{item_id}").get_data(as_text=True)
    api = app.test_client().get(f"/api/v1/history/agenda_items/{item_id}", headers={"Authorization": f"Bearer {token}"})
    for answer in (page, api.get_data(as_text=True)):
        assert "Voor-iedereen" in answer and "Toelichting-alleen-secretariaat" not in answer
    own = clients(SEC).get(f"/geschiedenis/agenda_items/{item_id}").get_data(as_text=True)
    assert "Toelichting-alleen-secretariaat" in own
