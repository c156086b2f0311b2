"""Removal with what hangs off it (``core.removal``): every foreign key to a removable model says what
becomes of its rows, and the services that remove things go through that one place.

The leak hunter found the need twice (seeds 20261207 and 20261209): an item with notes on it, and a
concept decision with an action hanging off it, each gave a 500 where a foreign key refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from audit.models import AuditRecord
from cases.models import Case
from core.db import Base
from core.extensions import db
from core.removal import CASCADE, DETACH, REFUSE, Removable, dependents
from meetings.models import AgendaItem, Attendance, AttendanceStatus, Decision, Meeting, Seat
from meetings.services import bodies, cycles
from tests.conftest import in_app, user
from tests.meetings.builders import SEC, meeting_with_items


def _removable_models() -> list[type[Base]]:
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Removable)]


def test_every_foreign_key_to_a_removable_model_says_what_becomes_of_its_rows(app):
    with app.app_context():
        models = _removable_models()
        assert {"Decision", "AgendaItem", "Note", "Document", "Seat", "Membership"} <= {m.__name__ for m in models}
        for model in models:
            for dependent in dependents(model):
                where = f"{dependent.model.__name__}.{dependent.attribute} -> {model.__name__}"
                assert dependent.rule is not None, f"{where}: declare info=on_remove(...)"
                if dependent.rule is DETACH:
                    assert dependent.column.nullable, f"{where}: only a nullable column can let go"
                if dependent.rule is CASCADE:
                    assert issubclass(dependent.model, Removable), f"{where}: what cascades is removed the same way"
                if dependent.rule is REFUSE:
                    assert str(dependent.refusal).strip(), f"{where}: a refusal says why"


def _concept_meeting(app: Any, clock: Any) -> dict[str, int]:
    """A held meeting with one item (the hamerstuk), two decisions on it in a concept besluitenlijst,
    and an action that came from the first decision."""
    with in_app(app):
        meeting_id = meeting_with_items(2031, clock=clock, release=False)
        first, second = db.session.scalars(
            select(Decision.id).where(Decision.meeting_id == meeting_id).order_by(Decision.sequence)
        ).all()
        action = db.session.scalars(select(Case.id).where(Case.decision_id == first)).one()
        item = db.session.get(Decision, first).agenda_item_id
        return {"meeting": meeting_id, "first": first, "second": second, "action": action, "item": item}


def _trail(object_type: str, object_id: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (action, changes or {})
        for action, changes in db.session.execute(
            select(AuditRecord.action, AuditRecord.changes)
            .where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
            .order_by(AuditRecord.id)
        )
    ]


def test_a_concept_decision_comes_off_and_the_action_from_it_stays(app, clients, clock):
    made = _concept_meeting(app, clock)
    sec = clients(SEC)
    removed = sec.post_form(f"/besluiten/{made['first']}/verwijderen")
    assert removed.status_code == 302
    with in_app(app):
        assert db.session.get(Decision, made["first"]) is None
        action = db.session.get(Case, made["action"])
        assert action is not None and action.decision_id is None and action.agenda_item_id == made["item"]
        assert _trail("cases", made["action"])[-1][0] == "update"
        assert _trail("decisions", made["first"])[-1][0] == "delete"
        assert db.session.get(Decision, made["second"]).sequence == 1  # renumbered


def test_the_item_comes_off_once_its_decisions_are_gone_and_the_action_lets_go_of_it_too(app, clients, clock):
    made = _concept_meeting(app, clock)
    sec = clients(SEC)
    refused = sec.post_form(f"/agendapunten/{made['item']}/verwijderen", follow_redirects=True)
    assert refused.status_code == 200
    assert "kan niet meer van de agenda af" in refused.get_data(as_text=True)
    with in_app(app):
        assert db.session.get(AgendaItem, made["item"]) is not None  # the refusal changed nothing
        assert db.session.get(Case, made["action"]).decision_id == made["first"]
    for decision in ("first", "second"):
        assert sec.post_form(f"/besluiten/{made[decision]}/verwijderen").status_code == 302
    assert sec.post_form(f"/agendapunten/{made['item']}/verwijderen").status_code == 302
    with in_app(app):
        assert db.session.get(AgendaItem, made["item"]) is None
        action = db.session.get(Case, made["action"])
        assert action.decision_id is None and action.agenda_item_id is None
        assert len(_trail("cases", made["action"])) >= 3  # created, and let go of twice


def test_a_seat_goes_with_its_attendance_and_each_record_is_in_the_trail(app, clock):
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_with_items(2031, clock=clock, release=False))
        seat = db.session.scalars(select(Seat).where(Seat.body_id == meeting.body_id).order_by(Seat.id)).first()
        cycles.record_attendance(
            user(SEC),
            meeting,
            entries=[{"seat_id": seat.id, "status": AttendanceStatus.VERVANGEN.value, "replaced_by": "Mr. Invaller"}],
        )
        db.session.flush()
        records = db.session.scalars(select(Attendance.id).where(Attendance.seat_id == seat.id)).all()
        seat_id = seat.id
    with in_app(app):
        bodies.remove_seat(user(SEC), db.session.get(Seat, seat_id))
    with in_app(app):
        assert db.session.get(Seat, seat_id) is None
        assert db.session.scalar(select(func.count(Attendance.id)).where(Attendance.seat_id == seat_id)) == 0
        assert records and all(_trail("attendances", record)[-1][0] == "delete" for record in records)
