"""The comments deadline lives in one place, the cycle's milestone "reactietermijn sluit": publishing the
besluitenlijst moves it, moving it moves the deadline, and the besluitenlijst, the decision page, the
cycle page, the papers and the reminders all tell its date."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader
from sqlalchemy import select, text

from core import create_app
from core.extensions import db
from meetings.jobs.notifications import _milestone_reminders, compose_milestone
from meetings.models import AgendaItemKind, Meeting, Milestone
from meetings.services import agenda, decisions
from tests.conftest import amsterdam, in_app, meeting_held, new_meeting, user

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
DAY = date(2031, 3, 11)  # its plan: concept out 25 March, comments close 8 April
DEADLINE = date(2031, 3, 27)


@pytest.fixture
def decided(app, clock) -> dict[str, int]:
    """A BO-Brainport meeting of 11 March 2031 with one decision, its concept besluitenlijst not yet out;
    the clock just after the meeting."""
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(DAY)
        item = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESLUITVORMING)
        agenda.publish_agenda(sec, meeting)
        meeting_held(clock, meeting)
        decision = decisions.add_decision(sec, item, text="De netbeheerder brengt de knelpunten in kaart.")
        db.session.flush()
        ids = {"meeting": meeting.id, "cycle": meeting.cycle_id, "decision": decision.id}
        for milestone in db.session.scalars(select(Milestone).where(Milestone.cycle_id == meeting.cycle_id)):
            ids[milestone.kind.value] = milestone.id
        return ids


def milestone_day(app, milestone_id: int) -> date:
    with in_app(app):
        return db.session.get(Milestone, milestone_id).due_date


def publish(web, decided: dict[str, int], day: date):
    return web.post_form(
        f"/vergaderingen/{decided['meeting']}/besluitenlijst/publiceren", {"comments_deadline": day.isoformat()}
    )


def test_publishing_moves_the_milestone_and_every_page_tells_that_date(app, clients, decided):
    sec = clients(SEC)
    page = sec.get(f"/vergaderingen/{decided['meeting']}/besluitenlijst").get_data(as_text=True)
    assert 'value="2031-04-08"' in page  # the form offers the milestone's date
    assert publish(sec, decided, DEADLINE).status_code == 302
    assert milestone_day(app, decided["reactietermijn_sluit"]) == DEADLINE
    assert milestone_day(app, decided["conceptverslag"]) == DAY  # the concept went out today
    regio = clients(REGIO)
    besluitenlijst = regio.get(f"/vergaderingen/{decided['meeting']}/besluitenlijst").get_data(as_text=True)
    assert "Reageren kan tot en met 27 maart 2031." in besluitenlijst
    decision = regio.get(f"/besluiten/{decided['decision']}").get_data(as_text=True)
    assert "Tot en met 27 maart 2031." in decision
    cycle = regio.get(f"/cycli/{decided['cycle']}").get_data(as_text=True)
    assert "donderdag 27 maart 2031" in cycle and "8 april 2031" not in cycle
    pdf = regio.get(f"/vergaderingen/{decided['meeting']}/besluitenlijst.pdf")
    paper = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    pdf.close()
    assert "tot en met 27 maart 2031" in " ".join(paper.split())


def test_the_reminders_go_out_for_the_date_the_besluitenlijst_names(app, clients, decided):
    assert publish(clients(SEC), decided, DEADLINE).status_code == 302
    with in_app(app):
        planned = [
            p
            for p in _milestone_reminders(amsterdam(date(2031, 3, 20), 9))
            if p.subject_id == decided["reactietermijn_sluit"]
        ]
        assert {p.planned_for for p in planned} == {DEADLINE}
        assert {p.variant for p in planned} == {"week-vooraf", "dag-vooraf"}
        regio = user(REGIO)
        mine = next(p for p in planned if p.recipient_id == regio.id and p.variant == "dag-vooraf")
        mail = compose_milestone(
            SimpleNamespace(subject_id=mine.subject_id, planned_for=mine.planned_for, variant=mine.variant), regio
        )
        assert "Morgen, 27 maart 2031, sluit de reactietermijn" in mail.text


def test_moving_the_milestone_moves_the_deadline_members_comment_against(app, clients, clock, decided):
    sec = clients(SEC)
    assert publish(sec, decided, DEADLINE).status_code == 302
    moved = sec.post_form(f"/mijlpalen/{decided['reactietermijn_sluit']}", {"due_date": "2031-03-20"})
    assert moved.status_code == 302
    page = clients(REGIO).get(f"/vergaderingen/{decided['meeting']}/besluitenlijst").get_data(as_text=True)
    assert "Reageren kan tot en met 20 maart 2031." in page
    clock(amsterdam(date(2031, 3, 21), 9))
    regio = clients(REGIO)
    late = regio.post_form(f"/besluiten/{decided['decision']}", {"text": "Na de verplaatste termijn."})
    assert late.status_code == 400 and "reactietermijn is verstreken" in late.get_data(as_text=True)
    assert clients(SEC).post_form(f"/vergaderingen/{decided['meeting']}/besluitenlijst/vaststellen").status_code == 302
    with in_app(app):
        assert db.session.get(Meeting, decided["meeting"]).besluitenlijst_status.value == "vastgesteld"


def test_while_members_comment_the_deadline_cannot_be_moved_into_the_past(app, clients, clock, decided):
    sec = clients(SEC)
    assert publish(sec, decided, DEADLINE).status_code == 302
    clock(amsterdam(date(2031, 3, 15), 9))
    sec = clients(SEC)
    refused = sec.post_form(f"/mijlpalen/{decided['reactietermijn_sluit']}", {"due_date": "2031-03-14"})
    assert refused.status_code == 400 and "niet in het verleden eindigen" in refused.get_data(as_text=True)
    assert milestone_day(app, decided["reactietermijn_sluit"]) == DEADLINE


def test_a_regio_member_cannot_publish_nor_move_the_deadline(app, clients, decided):
    regio = clients(REGIO)
    assert publish(regio, decided, DEADLINE).status_code == 403
    assert (
        regio.post_form(f"/mijlpalen/{decided['reactietermijn_sluit']}", {"due_date": "2031-03-27"}).status_code == 403
    )
    assert milestone_day(app, decided["reactietermijn_sluit"]) == date(2031, 4, 8)


# --- the migration that made the milestone the one source -----------------------------------------------


@pytest.mark.own_database
def test_the_migration_moves_each_deadline_onto_its_milestone_and_back(tmp_path):
    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'deadline.db'}", "REGIOTAFEL_ENV": "test"})
    with other.app_context():
        upgrade(revision="5020fe07dbe7")
        connection = db.session.connection()
        connection.execute(
            text(
                "INSERT INTO bodies (id, slug, name, description, milestone_offsets, created_at) "
                "VALUES (1, 'bo', 'BO', '', '{}', '2030-01-01 00:00:00')"
            )
        )
        for cycle_id, season, day, deadline in (
            (1, "voorjaar", "2031-03-11", "2031-03-27"),
            (2, "najaar", "2031-10-07", None),
        ):
            connection.execute(
                text(
                    "INSERT INTO cycles (id, body_id, year, season, meeting_date, created_at) "
                    "VALUES (:id, 1, 2031, :season, :day, '2030-01-01 00:00:00')"
                ),
                {"id": cycle_id, "season": season, "day": day},
            )
            connection.execute(
                text(
                    "INSERT INTO meetings (id, body_id, audience, cycle_id, title, starts_at, ends_at, location, "
                    "chair, besluitenlijst_status, comments_deadline, created_at) "
                    "VALUES (:id, 1, 'overleg', :id, 'BO', :start, :start, 'Den Haag', 'Minister', :status, :deadline, "
                    "'2030-01-01 00:00:00')"
                ),
                {
                    "id": cycle_id,
                    "start": f"{day} 09:00:00",
                    "status": "ter_commentaar" if deadline else "concept",
                    "deadline": deadline,
                },
            )
        # The first cycle's plan says 8 April (and its meeting milestone was moved on its own); the
        # second has no deadline yet and keeps its plan.
        for cycle_id, kind, day in (
            (1, "vergadering", "2031-03-18"),
            (1, "reactietermijn_sluit", "2031-04-08"),
            (2, "vergadering", "2031-10-07"),
            (2, "reactietermijn_sluit", "2031-11-04"),
        ):
            connection.execute(
                text("INSERT INTO milestones (cycle_id, body_id, kind, due_date) VALUES (:c, 1, :k, :d)"),
                {"c": cycle_id, "k": kind, "d": day},
            )
        db.session.commit()
        upgrade()
        plan = dict(
            ((c, k), str(d)) for c, k, d in db.session.execute(text("SELECT cycle_id, kind, due_date FROM milestones"))
        )
        assert plan == {
            (1, "vergadering"): "2031-03-11",
            (1, "reactietermijn_sluit"): "2031-03-27",
            (2, "vergadering"): "2031-10-07",
            (2, "reactietermijn_sluit"): "2031-11-04",
        }
        db.session.commit()
        downgrade(revision="5020fe07dbe7")
        kept = dict(db.session.execute(text("SELECT id, comments_deadline FROM meetings")).all())
        assert {k: (str(v) if v else None) for k, v in kept.items()} == {1: "2031-03-27", 2: None}
        db.session.remove()
        db.engine.dispose()
