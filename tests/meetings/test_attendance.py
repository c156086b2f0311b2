"""Attendance and decisions are recorded from the meeting's day on (Europe/Amsterdam), never weeks ahead."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from core.dates import AMSTERDAM
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItemKind, Attendance, Decision, Seat
from meetings.services import agenda, cycles, decisions
from tests.conftest import in_app, new_meeting, user

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
DAY = date(2031, 3, 11)


def amsterdam(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


@pytest.fixture
def coming(app) -> dict[str, int]:
    """A BO-Brainport meeting on 11 March 2031 at 14:00, its agenda published with one item."""
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(DAY, start_time=time(14), end_time=time(16))
        item = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESLUITVORMING)
        agenda.publish_agenda(sec, meeting)
        db.session.flush()
        seats = db.session.scalars(select(Seat.id).where(Seat.body_id == meeting.body_id).order_by(Seat.position)).all()
        return {"meeting": meeting.id, "item": item.id, "seat": seats[0], "seats": len(seats)}


def attendance_form(coming: dict[str, int]) -> dict[str, str]:
    return {"entries-0-seat_id": str(coming["seat"]), "entries-0-status": "afwezig", "entries-0-replaced_by": ""}


def recorded(app, meeting_id: int) -> tuple[int, int]:
    with in_app(app):
        return (
            db.session.scalar(select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting_id)) or 0,
            db.session.scalar(select(func.count(Decision.id)).where(Decision.meeting_id == meeting_id)) or 0,
        )


def test_the_secretariat_cannot_record_attendance_or_decisions_weeks_ahead(app, clients, coming):
    sec = clients(SEC)
    page = sec.get(f"/vergaderingen/{coming['meeting']}/aanwezigheid").get_data(as_text=True)
    assert "vanaf de dag van de vergadering, 11 maart 2031" in page and 'name="entries-0-status"' not in page
    refused = sec.post_form(f"/vergaderingen/{coming['meeting']}/aanwezigheid", attendance_form(coming))
    assert refused.status_code == 400
    assert "De aanwezigheid wordt vastgelegd vanaf de dag van de vergadering, 11 maart 2031" in refused.get_data(True)
    form = sec.get(f"/agendapunten/{coming['item']}/besluiten/nieuw").get_data(as_text=True)
    assert "Besluiten worden vastgelegd vanaf de dag van de vergadering" in form and 'name="text"' not in form
    refused = sec.post_form(f"/agendapunten/{coming['item']}/besluiten/nieuw", {"text": "Te vroeg.", "amends_id": ""})
    assert refused.status_code == 400
    assert "Besluiten worden vastgelegd vanaf de dag van de vergadering, 11 maart 2031" in refused.get_data(True)
    assert recorded(app, coming["meeting"]) == (0, 0)
    besluitenlijst = sec.get(f"/vergaderingen/{coming['meeting']}/besluitenlijst").get_data(as_text=True)
    assert f"/agendapunten/{coming['item']}/besluiten/nieuw" not in besluitenlijst


def test_the_day_is_amsterdams_a_minute_before_midnight_is_still_too_early(app, coming, clock):
    clock(amsterdam(date(2031, 3, 10), 23, 59))  # 22:59 UTC: in Amsterdam the day before
    with in_app(app):
        meeting = db.session.get(cycles.Meeting, coming["meeting"])
        with pytest.raises(DomainError, match="vanaf de dag van de vergadering"):
            cycles.record_attendance(user(SEC), meeting, entries=[{"seat_id": coming["seat"], "status": "afwezig"}])
        item = db.session.get(agenda.AgendaItem, coming["item"])
        with pytest.raises(DomainError, match="vanaf de dag van de vergadering"):
            decisions.add_decision(user(SEC), item, text="Te vroeg.")
    clock(amsterdam(DAY, 0, 1))  # 23:01 UTC the evening before: in Amsterdam the meeting's day
    with in_app(app):
        meeting = db.session.get(cycles.Meeting, coming["meeting"])
        cycles.record_attendance(user(SEC), meeting, entries=[{"seat_id": coming["seat"], "status": "afwezig"}])
        decisions.add_decision(user(SEC), db.session.get(agenda.AgendaItem, coming["item"]), text="Op tijd.")
    assert recorded(app, coming["meeting"]) == (1, 1)


def test_on_the_meeting_day_the_secretariat_records_both(app, clients, coming, clock):
    clock(amsterdam(DAY, 16, 30))
    sec = clients(SEC)
    page = sec.get(f"/vergaderingen/{coming['meeting']}/aanwezigheid").get_data(as_text=True)
    assert len(re.findall(r'name="entries-\d+-status"', page)) == coming["seats"]
    assert sec.post_form(f"/vergaderingen/{coming['meeting']}/aanwezigheid", attendance_form(coming)).status_code == 302
    done = sec.post_form(f"/agendapunten/{coming['item']}/besluiten/nieuw", {"text": "Op de dag.", "amends_id": ""})
    assert done.status_code == 302
    assert recorded(app, coming["meeting"]) == (1, 1)


def test_a_regio_member_may_not_record_attendance_even_on_the_day(app, clients, coming, clock):
    clock(amsterdam(DAY, 16, 30))
    response = clients(REGIO).post_form(f"/vergaderingen/{coming['meeting']}/aanwezigheid", attendance_form(coming))
    assert response.status_code == 403
    assert recorded(app, coming["meeting"]) == (0, 0)
