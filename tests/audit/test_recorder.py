"""The audit trail records every change, in one place, in the change's own transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from audit.recorder import WriteOutsideService
from audit.services import history_of
from auth import services as auth_services
from cases import engine
from cases.models import Case
from core.acting import SYSTEM
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItemKind, Meeting, Seat
from meetings.services import agenda, cycles
from tests.conftest import find_body, in_app, meeting_held, user


def upcoming_meeting() -> Meeting:
    return db.session.scalars(select(Meeting).where(Meeting.agenda_published_at.is_(None))).first()


def test_create_update_and_delete_are_recorded_with_actor_time_and_fields(app):
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        item = agenda.add_agenda_item(
            sec, upcoming_meeting(), title="Woningbouw", kind=AgendaItemKind.TER_BESPREKING, description="Eerste tekst"
        )
        db.session.flush()
        agenda.update_agenda_item(sec, item, title="Woningbouw en bereikbaarheid", kind=AgendaItemKind.TER_BESPREKING)
        item_id = item.id
        agenda.remove_agenda_item(sec, item)
        created, updated, deleted = history_of("agenda_items", item_id)
    assert created.action == "create" and created.changes["title"] == [None, "Woningbouw"]
    assert created.actor_label == "Secretariaat BO-Brainport <secretariaat@ezk.test>"
    assert created.actor_organisation == "Ministerie van Economische Zaken en Klimaat"
    assert created.service == "meetings.add_agenda_item" and created.body_id is not None
    assert created.occurred_at.tzinfo is not None
    assert updated.action == "update"
    assert updated.changes["title"] == ["Woningbouw", "Woningbouw en bereikbaarheid"]
    assert updated.changes["description"] == ["Eerste tekst", ""]
    assert "kind" not in updated.changes  # unchanged fields are left out
    assert deleted.action == "delete" and deleted.changes["title"] == ["Woningbouw en bereikbaarheid", None]


def test_secrets_are_never_written_to_the_trail(app):
    with in_app(app):
        target = user("beleid@ocw.test")
        auth_services.provision_password(SYSTEM, target, password="een-nieuw-lang-wachtwoord")
        record = history_of("users", target.id)[-1]
    assert record.changes["password_hash"] == ["••••••", "••••••"]
    assert "password_changed_at" in record.changes


def test_a_write_outside_a_service_is_refused_and_leaves_nothing(app):
    with in_app(app):
        before = db.session.scalar(select(func.count(AuditRecord.id)))
        seat = db.session.scalars(select(Seat)).first()
        seat.function = "Iemand anders"
        with pytest.raises(WriteOutsideService):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Seat, seat.id).function != "Iemand anders"
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before


def test_a_service_that_fails_halfway_leaves_nothing_half_stored(app, clock):
    """record_attendance adds the first seat's row, then refuses the second: neither is kept."""
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        meeting = upcoming_meeting()
        meeting_held(clock, meeting)
        seats = db.session.scalars(select(Seat).where(Seat.body_id == meeting.body_id).order_by(Seat.id)).all()
        before = db.session.scalar(select(func.count(AuditRecord.id)))
        with pytest.raises(DomainError, match="door wie"):
            cycles.record_attendance(
                sec,
                meeting,
                entries=[
                    {"seat_id": seats[0].id, "status": "aanwezig"},
                    {"seat_id": seats[1].id, "status": "vervangen", "replaced_by": ""},
                ],
            )
        assert cycles.attendance_rows(meeting)[0][1] is None
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before


def test_a_workflow_reason_is_recorded_with_the_change(app):
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        request = db.session.scalars(select(Case).where(Case.state == "ingediend")).first()
        engine.fire(sec, request, "afwijzen", reason="Past beter in het ambtelijk voorportaal.")
        record = history_of("cases", request.id)[-1]
    assert record.changes["state"] == ["ingediend", "afgewezen"]
    assert record.reason == "Past beter in het ambtelijk voorportaal."


def test_a_change_made_through_the_web_records_where_it_came_from(app, clients):
    from meetings.models import Milestone

    client = clients("secretariaat@ezk.test")
    with in_app(app):
        milestone = db.session.scalars(
            select(Milestone).where(Milestone.cycle_id == upcoming_meeting().cycle_id)
        ).first()
        milestone_id, moved = milestone.id, milestone.due_date + timedelta(days=1)
    response = client.post_form(f"/mijlpalen/{milestone_id}", {"due_date": moved.isoformat()})
    assert response.status_code == 302
    with in_app(app):
        record = history_of("milestones", milestone_id)[-1]
    assert record.changes["due_date"][1] == moved.isoformat()
    assert record.origin["source"] == "web"
    assert record.origin["method"] == "POST" and record.origin["path"] == f"/mijlpalen/{milestone_id}"


def test_the_demo_was_recorded_as_its_people_did_it_on_the_day(app):
    with in_app(app):
        body = find_body()
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")).one()
        adopted = [r for r in history_of("meetings", meeting.id) if r.changes.get("besluitenlijst_status")]
    assert adopted[-1].changes["besluitenlijst_status"] == ["ter_commentaar", "vastgesteld"]
    assert adopted[-1].occurred_at.date() == date(2023, 4, 12)
    assert adopted[-1].actor_label.startswith("Secretariaat BO-Brainport")
    assert body.id == adopted[-1].body_id
