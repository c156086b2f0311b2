"""Visibility holds over time: a value in the trail is read only by who could read its object while
that value was current. Widening an audience later does not publish what was written before."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from audit import export
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItemKind
from meetings.services import agenda, decisions, notes
from tests.audit.test_export import exported
from tests.conftest import find_body, in_app, meeting_held, new_meeting, user

RIJK_AUDITOR, REGIO_AUDITOR = "auditor@ezk.test", "auditor@noord-brabant.test"
SECRETARIAAT, BELEID, BRABANT = "secretariaat@ezk.test", "beleid@ezk.test", "economie@noord-brabant.test"


def _history(clients: Any, email: str, table: str, ident: int) -> str:
    response = clients(email).get(f"/geschiedenis/{table}/{ident}")
    assert response.status_code == 200, (email, table, ident)
    return response.get_data(as_text=True)


def _export_file(app: Any, email: str, form: str) -> str:
    """The export file as written for ``email`` (in the test's transaction, which the web export's own
    connection would not see)."""
    manifest = export.Manifest(format=form, exported_for=email, filters={})
    return b"".join(export.lines(iter(exported(app, email)), form, manifest)).decode()


def test_a_note_written_for_the_rijk_and_widened_later_keeps_its_rijk_text_from_the_regio(app, clients):
    with in_app(app):
        note = notes.add_note(
            user(BELEID), find_body(), title="Positie vooraf", text="Rijkstekst-alfa", audience=Audience.RIJK
        )
        db.session.flush()
        notes.update_note(user(BELEID), note, title="Positie", text="Overlegtekst-beta", audience=Audience.OVERLEG)
        note_id = note.id
    regio = _history(clients, REGIO_AUDITOR, "notes", note_id)
    assert "Overlegtekst-beta" in regio and "Rijkstekst-alfa" not in regio and "Positie vooraf" not in regio
    assert "niet zichtbaar voor u" in regio
    rijk = _history(clients, RIJK_AUDITOR, "notes", note_id)
    assert "Rijkstekst-alfa" in rijk and "Overlegtekst-beta" in rijk
    for form in ("jsonl", "csv"):
        assert "Rijkstekst-alfa" not in _export_file(app, REGIO_AUDITOR, form)
        assert "Rijkstekst-alfa" in _export_file(app, RIJK_AUDITOR, form)


def test_the_regio_reads_the_new_values_and_learns_nothing_of_the_rijk_state(app):
    with in_app(app):
        note = notes.add_note(user(BELEID), find_body(), title="Titel", text="Rijkstekst-gamma", audience=Audience.RIJK)
        db.session.flush()
        notes.update_note(user(BELEID), note, title="Titel", text="Overlegtekst-delta", audience=Audience.OVERLEG)
        note_id = note.id
    rows = [r for r in exported(app, REGIO_AUDITOR) if r["object_type"] == "notes" and r["object_id"] == note_id]
    create, update = rows
    # The title is still the note's title: the regio reads it on the note itself, so the trail may show it.
    assert create["changes"]["title"] == [None, "Titel"] and create["changes"]["text"] == [None, None]
    assert {"text.after", "audience.after", "label"} <= set(create["withheld"])
    assert update["changes"]["text"] == [None, "Overlegtekst-delta"]
    assert update["changes"]["audience"] == [None, "overleg"] and "audience.before" in update["withheld"]
    assert "Rijkstekst-gamma" not in json.dumps(rows, default=str)
    rijk = [r for r in exported(app, RIJK_AUDITOR) if r["object_type"] == "notes" and r["object_id"] == note_id]
    assert [r["withheld"] for r in rijk] == [[], []]
    assert rijk[1]["changes"]["text"] == ["Rijkstekst-gamma", "Overlegtekst-delta"]


def test_an_agenda_item_and_its_decision_keep_their_narrower_past(app, clients, clock):
    with in_app(app):
        secretariat = user(SECRETARIAAT)
        meeting = new_meeting(date(date.today().year + 3, 3, 10))
        item = agenda.add_agenda_item(
            secretariat, meeting, title="Rijkstitel-epsilon", kind=AgendaItemKind.TER_BESPREKING, audience=Audience.RIJK
        )
        agenda.publish_agenda(secretariat, meeting)
        meeting_held(clock, meeting)
        decision = decisions.add_decision(secretariat, item, text="Rijksbesluit-zeta")
        agenda.update_agenda_item(
            secretariat, item, title="Overlegtitel-eta", kind=AgendaItemKind.TER_BESPREKING, audience=Audience.RIJK
        )
        decisions.update_decision(secretariat, decision, text="Besluit-theta", audience=Audience.RIJK)
        # Widening the item first, then its decision: each in its own change.
        agenda.update_agenda_item(
            secretariat, item, title="Overlegtitel-eta", kind=AgendaItemKind.TER_BESPREKING, audience=Audience.OVERLEG
        )
        decisions.update_decision(secretariat, decision, text="Overlegbesluit-iota", audience=Audience.OVERLEG)
        decisions.publish_besluitenlijst(secretariat, meeting, comments_deadline=date(date.today().year + 3, 3, 24))
        item_id, decision_id = item.id, decision.id
    regio_item = _history(clients, REGIO_AUDITOR, "agenda_items", item_id)
    assert "Overlegtitel-eta" in regio_item and "Rijkstitel-epsilon" not in regio_item
    regio_decision = _history(clients, REGIO_AUDITOR, "decisions", decision_id)
    assert "Overlegbesluit-iota" in regio_decision
    assert "Rijksbesluit-zeta" not in regio_decision and "Besluit-theta" not in regio_decision
    rijk_decision = _history(clients, RIJK_AUDITOR, "decisions", decision_id)
    # Written before the besluitenlijst went out, superseded before it did: not even the Rijk auditor,
    # who is no secretariat, could read it then.
    assert "Rijksbesluit-zeta" not in rijk_decision and "Overlegbesluit-iota" in rijk_decision
    assert "Rijksbesluit-zeta" in _history(clients, SECRETARIAAT, "decisions", decision_id)


def test_minutes_written_for_the_rijk_keep_their_text_when_shared_with_the_table(app, clients):
    with in_app(app):
        secretariat = user(SECRETARIAAT)
        meeting = new_meeting(date(date.today().year + 3, 3, 10))
        minutes = decisions.save_minutes(secretariat, meeting, text="Rijksverslag-kappa", audience=Audience.RIJK)
        decisions.save_minutes(secretariat, meeting, text="Verslag-lambda", audience=Audience.OVERLEG)
        minutes_id = minutes.id
    for email in (REGIO_AUDITOR, RIJK_AUDITOR):
        # The concept is the secretariat's: no auditor reads its drafts, only what is current now
        # once it is out (and then only its present values).
        assert clients(email).get(f"/geschiedenis/minutes/{minutes_id}").status_code in (200, 404)
    page = _history(clients, SECRETARIAAT, "minutes", minutes_id)
    assert "Rijksverslag-kappa" in page and "Verslag-lambda" in page
    for email in (REGIO_AUDITOR, RIJK_AUDITOR):
        assert "Rijksverslag-kappa" not in json.dumps(exported(app, email), default=str)


def test_what_was_written_while_vertrouwelijk_stays_with_who_was_named(app, clients):
    with in_app(app):
        body, author = find_body(), user(BELEID)
        named = [user(BRABANT).id, user(RIJK_AUDITOR).id]
        note = notes.add_note(
            author, body, title="Signaal", text="Vertrouwelijk-mu", audience=Audience.VERTROUWELIJK, shared_with=named
        )
        db.session.flush()
        notes.update_note(author, note, title="Signaal", text="Openbaar-nu", audience=Audience.OVERLEG)
        note_id = note.id
    # The Rijk auditor was named: it read the text then, and reads it in the trail now.
    assert "Vertrouwelijk-mu" in _history(clients, RIJK_AUDITOR, "notes", note_id)
    # The regio auditor was not: it reads only what the note says now.
    regio = _history(clients, REGIO_AUDITOR, "notes", note_id)
    assert "Openbaar-nu" in regio and "Vertrouwelijk-mu" not in regio
    assert "Vertrouwelijk-mu" not in json.dumps(exported(app, REGIO_AUDITOR), default=str)
    assert "Vertrouwelijk-mu" in json.dumps(exported(app, RIJK_AUDITOR), default=str)


def test_each_record_seals_who_could_read_it(app):
    from audit.services import history_of

    with in_app(app):
        note = notes.add_note(
            user(BELEID),
            find_body(),
            title="T",
            text="x",
            audience=Audience.VERTROUWELIJK,
            shared_with=[user(BRABANT).id],
        )
        db.session.flush()
        notes.update_note(user(BELEID), note, title="T", text="y", audience=Audience.RIJK)
        created, updated = [r for r in history_of("notes", note.id) if r.action != "delete"][:2]
        named = sorted([user(BELEID).id, user(BRABANT).id])
        assert created.visibility == {"after": {"audience": "vertrouwelijk", "named": named}}
        assert updated.visibility == {
            "after": {"audience": "rijk"},
            "before": {"audience": "vertrouwelijk", "named": named},
        }
