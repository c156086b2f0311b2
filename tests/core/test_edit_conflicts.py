"""Edit conflicts: two people editing the same thing. The second save against an older version changes
nothing, says who changed it, when, and what is different now, and keeps the second person's input in the
form; saving that form again applies it. State changes that race leave one winner and a Dutch message."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from auth.services import provision_password
from cases.models import Case
from core.acting import SYSTEM
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItem, Decision, DecisionComment, Meeting
from tests.conftest import in_app, own_database, regio_secretary, user
from tests.meetings.builders import meeting_with_items

SEC = "secretariaat@ezk.test"
REGIO_SEC = "secretariaat@noord-brabant.test"
AUTHOR = "beleid@ezk.test"  # the author of the demo's nota
PASSWORD = "kraanvogel-boven-de-vijver"
CONFLICT = "Iemand anders heeft dit intussen gewijzigd"
_VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def opened(client: Any, url: str) -> int:
    """Open the form: the version it carries."""
    page = client.get(url)
    assert page.status_code == 200
    match = _VERSION.search(page.get_data(as_text=True))
    assert match, "the form carries no version"
    return int(match.group(1))


def two_secretaries(app: Any, clients: Any) -> tuple[Any, Any]:
    """The ministry's secretary of BO-Brainport and a second one, of the province."""
    with in_app(app):
        secretary = regio_secretary()
        provision_password(SYSTEM, secretary, password=PASSWORD)
    second = app.test_client()
    assert second.login(REGIO_SEC, PASSWORD).status_code == 302
    return clients(SEC), second


def _item_form(title: str, description: str, version: int) -> dict[str, Any]:
    return {"title": title, "kind": "ter_besluitvorming", "description": description, "version": version}


def test_the_second_save_of_an_agenda_item_changes_nothing_and_says_what_the_first_changed(app, clients):
    first, second = two_secretaries(app, clients)
    with in_app(app):
        item_id = db.session.scalars(select(AgendaItem.id).where(AgendaItem.title.like("Stikstofruimte%"))).one()
    url = f"/agendapunten/{item_id}/bewerken"
    version_first, version_second = opened(first, url), opened(second, url)
    assert version_first == version_second

    saved = first.post_form(url, _item_form("Stikstof: de ruimte voor wonen", "Toelichting van EZK.", version_first))
    assert saved.status_code == 302

    refused = second.post_form(
        url, _item_form("Stikstof volgens de regio", "Toelichting van de regio.", version_second)
    )
    assert refused.status_code == 400
    page = text(refused)
    assert CONFLICT in page and "Uw wijziging is niet opgeslagen" in page
    assert "Secretariaat BO-Brainport" in page  # who changed it
    notice = page[page.index(CONFLICT) : page.index("Uw eigen invoer")]
    assert "Titel" in notice and "Stikstof: de ruimte voor wonen" in notice  # what is there now
    assert "Toelichting van EZK." in notice
    assert 'value="Stikstof volgens de regio"' in page and "Toelichting van de regio." in page  # input kept
    with in_app(app):
        item = db.session.get(AgendaItem, item_id)
        assert (item.title, item.description) == ("Stikstof: de ruimte voor wonen", "Toelichting van EZK.")

    # Saving the kept input again applies it: the form now carries the version the user has seen.
    again = int(_VERSION.search(refused.get_data(as_text=True)).group(1))  # type: ignore[union-attr]
    assert again > version_second
    assert second.post_form(url, _item_form("Stikstof volgens de regio", "Regio.", again)).status_code == 302
    with in_app(app):
        assert db.session.get(AgendaItem, item_id).title == "Stikstof volgens de regio"


def test_moving_an_item_meanwhile_is_no_conflict_for_its_text(app, clients):
    """A change to what the form does not hold (the item's place) overwrites nothing: the save goes on."""
    first, second = two_secretaries(app, clients)
    with in_app(app):
        item_id = db.session.scalars(select(AgendaItem.id).where(AgendaItem.title.like("Stikstofruimte%"))).one()
    url = f"/agendapunten/{item_id}/bewerken"
    version = opened(second, url)
    assert first.post_form(f"/agendapunten/{item_id}/verplaatsen", {"position": 1}).status_code == 302
    assert second.post_form(url, _item_form("Stikstof, herzien", "", version)).status_code == 302
    with in_app(app):
        item = db.session.get(AgendaItem, item_id)
        assert item.title == "Stikstof, herzien" and item.position == 1


def test_the_second_save_of_a_decision_changes_nothing_and_names_the_new_text(app, clients, clock):
    with in_app(app):
        meeting_id = meeting_with_items(2030, clock=clock, release=False)
        decision_id = db.session.scalars(
            select(Decision.id).where(Decision.meeting_id == meeting_id).order_by(Decision.id)
        ).first()
    first, second = two_secretaries(app, clients)  # signed in on the meeting's day, where the clock is now
    url = f"/besluiten/{decision_id}/bewerken"
    version_first, version_second = opened(first, url), opened(second, url)
    assert first.post_form(url, {"text": "Het overleg stemt in.", "version": version_first}).status_code == 302
    refused = second.post_form(url, {"text": "Het overleg stemt in, onder voorbehoud.", "version": version_second})
    assert refused.status_code == 400
    page = text(refused)
    notice = page[page.index(CONFLICT) : page.index("Uw eigen invoer")]
    assert "Besluit" in notice and "Het overleg stemt in." in notice and "Secretariaat BO-Brainport" in notice
    assert "Het overleg stemt in, onder voorbehoud." in page[page.index("Uw eigen invoer") :]
    with in_app(app):
        assert db.session.get(Decision, decision_id).text == "Het overleg stemt in."


def test_the_second_save_of_a_nota_changes_nothing_and_keeps_the_authors_other_text(app, clients):
    """The nota's author in two windows: the second save is refused and tells it was the author."""
    window_one, window_two = clients(AUTHOR), clients(AUTHOR)
    with in_app(app):
        case_id = db.session.scalars(select(Case.id).where(Case.type == "nota")).first()
    url = f"/zaken/{case_id}/bewerken"
    version_one, version_two = opened(window_one, url), opened(window_two, url)
    form = {"title": "Aanbieding Kamerbrief", "kenmerk": "DGBI / 27293059", "description": "Tekst uit venster een."}
    assert window_one.post_form(url, {**form, "version": version_one}).status_code == 302
    refused = window_two.post_form(url, {**form, "description": "Tekst uit venster twee.", "version": version_two})
    assert refused.status_code == 400
    page = text(refused)
    notice = page[page.index(CONFLICT) : page.index("Uw eigen invoer")]
    assert "U zelf (in een ander venster)" in notice and "Tekst uit venster een." in notice
    assert "Aanbieding Kamerbrief" in notice  # the subject changed too
    assert "Tekst uit venster twee." in page[page.index("Uw eigen invoer") :]
    with in_app(app):
        assert db.session.get(Case, case_id).description == "Tekst uit venster een."


def test_a_conflict_names_no_one_the_reader_may_not_read_the_trail_of(app, clients):
    """A participant (who reads no history) whose nota someone else changed is told that it changed,
    and what it says now, but not who did it."""
    author = clients(AUTHOR)
    with in_app(app):
        case_id = db.session.scalars(select(Case.id).where(Case.type == "nota")).first()
    url = f"/zaken/{case_id}/bewerken"
    version = opened(author, url)
    with in_app(app):
        case = db.session.get(Case, case_id)
        # Only the author edits a nota through the app; here a script does, as another person.
        from core.acting import Actor

        stranger = Actor(user_id=None, label="Iemand Verborgen")
        from core.acting import service

        @service
        def rename(actor: Any) -> None:
            case.title = "Nieuwe titel door een ander"

        rename(stranger)
    refused = author.post_form(url, {"title": "Mijn titel", "description": "Mijn tekst.", "version": version})
    assert refused.status_code == 400
    page = text(refused)
    assert CONFLICT in page and "Nieuwe titel door een ander" in page
    assert "Iemand Verborgen" not in page


def test_a_version_that_is_no_number_is_refused_next_to_the_form(app, clients):
    first, _second = two_secretaries(app, clients)
    with in_app(app):
        item_id = db.session.scalars(select(AgendaItem.id).where(AgendaItem.title.like("Stikstofruimte%"))).one()
        title = db.session.get(AgendaItem, item_id).title
    refused = first.post_form(f"/agendapunten/{item_id}/bewerken", _item_form("Anders", "", "drie"))  # type: ignore[arg-type]
    assert refused.status_code == 400 and "Open het opnieuw" in text(refused)
    with in_app(app):
        assert db.session.get(AgendaItem, item_id).title == title


# --- state changes that race ----------------------------------------------------------------------


def race(app: Any, load: Callable[[], Any], act: Callable[[Any], None]) -> list[str]:
    """Two people at once, each in a request of their own (a writer's transaction, the object loaded, then
    the service): what each was told. On PostgreSQL both load before either writes; SQLite's writer lock,
    taken at the start as a POST request takes it, lets the second only start when the first is done."""
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    both_loaded = threading.Barrier(2)
    told: list[str] = []

    def person() -> None:
        with app.app_context():
            try:
                db.begin_write()
                obj = load()
                if postgres:
                    both_loaded.wait(timeout=10)
                act(obj)
                db.session.commit()
                told.append("ok")
            except DomainError as exc:
                db.session.rollback()
                told.append(exc.message)
            finally:
                db.session.remove()

    people = [threading.Thread(target=person) for _ in range(2)]
    for thread in people:
        thread.start()
    for thread in people:
        thread.join(timeout=60)
    return sorted(told)


def _records(app: Any, service: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.service == service)) or 0


@pytest.mark.own_database
def test_state_changes_that_race_have_one_winner_and_a_dutch_message_for_the_other(tmp_path):
    from cases import engine
    from meetings.models import CommentStatus
    from meetings.services import agenda, decisions

    with own_database(tmp_path) as app:
        with app.app_context():
            meeting_id = db.session.scalars(select(Meeting.id).where(Meeting.agenda_published_at.is_(None))).first()
            comment_id = db.session.scalars(
                select(DecisionComment.id).where(DecisionComment.status == CommentStatus.OPEN)
            ).first()
            request_id = db.session.scalars(select(Case.id).where(Case.state == "ingediend")).first()
            db.session.remove()

        # Two secretaries publish the same agenda.
        before = _records(app, "meetings.publish_agenda")
        told = race(app, lambda: db.session.get(Meeting, meeting_id), lambda m: agenda.publish_agenda(user(SEC), m))
        assert told == ["De agenda is al gepubliceerd.", "ok"]
        assert _records(app, "meetings.publish_agenda") == before + 1

        # Two secretaries answer the same comment.
        told = race(
            app,
            lambda: db.session.get(DecisionComment, comment_id),
            lambda c: decisions.handle_comment(user(SEC), c, outcome=CommentStatus.BEANTWOORD, response="Dank."),
        )
        assert told == ["Deze reactie is al verwerkt.", "ok"]

        # Two secretaries take the same workflow step on an agenda request.
        told = race(
            app, lambda: db.session.get(Case, request_id), lambda c: engine.fire(user(SEC), c, "in_behandeling")
        )
        assert told[1] == "ok" and "kan niet bij een agendaverzoek met de status" in told[0]
        with app.app_context():
            assert db.session.get(Case, request_id).state == "in_behandeling"
            steps = db.session.scalar(
                select(func.count(AuditRecord.id)).where(
                    AuditRecord.object_type == "cases",
                    AuditRecord.object_id == request_id,
                    AuditRecord.service == "cases.fire",
                    AuditRecord.action == "update",
                )
            )
            assert steps == 1
