"""Attendance and decisions are recorded from the meeting's day on (Europe/Amsterdam), never weeks ahead;
before it, members sign in or off themselves, which pre-fills the secretariat's attendance."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItemKind, Attendance, AttendanceNotice, Body, Decision, Seat
from meetings.services import agenda, cycles, decisions
from tests.conftest import amsterdam, in_app, new_meeting, user

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
DAY = date(2031, 3, 11)


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


# --- E: members sign in or off ahead, per seat of their own organisation ----------------------------------

EINDHOVEN = "economie@eindhoven.test"  # Fatma Yilmaz; Eindhoven has two seats at BO-Brainport
WETHOUDER = "Wethouder economie, gemeente Eindhoven"
GEDEPUTEERDE = "Gedeputeerde economie, provincie Noord-Brabant"


def seat_id(app, function: str) -> int:
    """A BO-Brainport seat by its function."""
    with in_app(app):
        return db.session.scalars(
            select(Seat.id).join(Seat.body).where(Seat.function == function, Body.slug == "bo-brainport")
        ).one()


def notice(web, meeting_id: int, seat: int, status: str, replaced_by: str = "") -> Any:
    return web.post_form(
        f"/vergaderingen/{meeting_id}/zetels/{seat}/melden", {"status": status, "replaced_by": replaced_by}
    )


def notices(app, meeting_id: int) -> list[tuple[str, str, str | None, str]]:
    with in_app(app):
        return [
            (n.seat.function, n.status.value, n.replaced_by, n.user.email)
            for n in db.session.scalars(
                select(AttendanceNotice)
                .where(AttendanceNotice.meeting_id == meeting_id)
                .options(joinedload(AttendanceNotice.seat), joinedload(AttendanceNotice.user))
                .order_by(AttendanceNotice.seat_id)
            )
        ]


def test_a_member_signs_off_a_seat_of_her_organisation_and_names_a_stand_in(app, clients, coming):
    web = clients(EINDHOVEN)
    page = web.get(f"/vergaderingen/{coming['meeting']}").get_data(as_text=True)
    assert 'id="aanmelden"' in page and WETHOUDER in page and "Burgemeester van Eindhoven" in page
    wethouder = seat_id(app, WETHOUDER)
    # One form per seat, each field labelled by an id of its own.
    assert f'<label class="label" for="zetel-{wethouder}-status">' in page and f'id="zetel-{wethouder}-status"' in page
    assert GEDEPUTEERDE not in page.split('id="aanmelden"')[1]  # only her own organisation's seats
    response = notice(web, coming["meeting"], wethouder, "vervangen", "Directeur economie Eindhoven")
    assert response.status_code == 302
    assert notices(app, coming["meeting"]) == [(WETHOUDER, "vervangen", "Directeur economie Eindhoven", EINDHOVEN)]
    page = web.get(f"/vergaderingen/{coming['meeting']}").get_data(as_text=True)
    assert "vervangen door Directeur economie Eindhoven" in page and "doorgegeven door Fatma Yilmaz" in page
    # The last word counts.
    assert notice(web, coming["meeting"], wethouder, "aanwezig", "Iemand anders").status_code == 302
    assert notices(app, coming["meeting"]) == [(WETHOUDER, "aanwezig", None, EINDHOVEN)]


def test_a_stand_in_must_be_named_next_to_the_field(app, clients, coming):
    wethouder = seat_id(app, WETHOUDER)
    response = notice(clients(EINDHOVEN), coming["meeting"], wethouder, "vervangen", "")
    assert response.status_code == 400
    assert re.search(
        rf'id="zetel-{wethouder}-replaced_by-fout">\s*Vul in wie de zetel vervangt', response.get_data(True)
    )
    assert notices(app, coming["meeting"]) == []


def test_a_member_cannot_speak_for_another_organisations_seat(app, clients, coming):
    gedeputeerde = seat_id(app, GEDEPUTEERDE)
    web = clients(EINDHOVEN)
    response = notice(web, coming["meeting"], gedeputeerde, "afwezig")
    assert response.status_code == 302  # no form of hers to show it next to: the message is on top
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "alleen aan- of afmelden voor een zetel van uw eigen organisatie" in page
    assert notices(app, coming["meeting"]) == []


def test_a_seat_no_column_can_hold_is_refused_with_a_message(app, clients, coming):
    web = clients(EINDHOVEN)
    response = notice(web, coming["meeting"], 2**40, "afwezig")  # PostgreSQL's INTEGER ends at 2**31
    assert response.status_code == 302
    assert "eigen organisatie" in web.get(response.headers["Location"]).get_data(as_text=True)
    assert notices(app, coming["meeting"]) == []


@pytest.mark.parametrize(("email", "status"), [("beleid@ienw.test", 403), ("economie@gelderland.test", 404)])
def test_an_observer_and_an_outsider_may_not_sign_in_or_off(app, clients, coming, email, status):
    ienw = seat_id(app, "Minister van Infrastructuur en Waterstaat")
    assert notice(clients(email), coming["meeting"], ienw, "afwezig").status_code == status
    assert notices(app, coming["meeting"]) == []


def test_from_the_meetings_day_on_members_tell_the_secretariat_instead(app, clients, coming, clock):
    clock(amsterdam(DAY, 8))
    web = clients(EINDHOVEN)
    refused = notice(web, coming["meeting"], seat_id(app, WETHOUDER), "afwezig")
    assert refused.status_code == 302
    page = web.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Aan- of afmelden kon tot de dag van de vergadering (11 maart 2031)" in page
    assert f"/zetels/{seat_id(app, WETHOUDER)}/melden" not in page
    assert notices(app, coming["meeting"]) == []


def test_the_secretariats_attendance_form_starts_from_what_members_said(app, clients, coming, clock):
    wethouder, gedeputeerde = seat_id(app, WETHOUDER), seat_id(app, GEDEPUTEERDE)
    notice(clients(EINDHOVEN), coming["meeting"], wethouder, "vervangen", "Directeur economie Eindhoven")
    notice(clients(REGIO), coming["meeting"], gedeputeerde, "afwezig")
    ahead = clients(SEC).get(f"/vergaderingen/{coming['meeting']}/aanwezigheid").get_data(as_text=True)
    assert "Tot nu toe doorgegeven" in ahead and "afgemeld" in ahead  # what was said, before the day
    clock(amsterdam(DAY, 16, 30))
    page = clients(SEC).get(f"/vergaderingen/{coming['meeting']}/aanwezigheid").get_data(as_text=True)
    entries = dict(re.findall(r'name="entries-(\d+)-seat_id" type="hidden" value="(\d+)"', page))
    by_seat = {int(seat): index for index, seat in entries.items()}
    chosen = dict(re.findall(r'id="entries-(\d+)-status"[^>]*>.*?<option selected value="(\w+)"', page, re.S))
    assert chosen[by_seat[wethouder]] == "vervangen" and chosen[by_seat[gedeputeerde]] == "afwezig"
    assert re.search(rf'id="entries-{by_seat[wethouder]}-replaced_by"[^>]*value="Directeur economie Eindhoven"', page)
    assert "Zetel van Gemeente Eindhoven" in page and "doorgegeven door Fatma Yilmaz" in page
    assert "Vooraf niets doorgegeven." in page  # the seats nobody spoke for


def test_a_regio_member_learns_nothing_of_a_rijk_only_meeting_through_its_sign_ins(app, clients):
    with in_app(app):
        meeting = new_meeting(DAY, audience=Audience.RIJK)
        ezk = db.session.scalars(
            select(Seat.id).where(
                Seat.function == "Minister van Economische Zaken en Klimaat", Seat.body_id == meeting.body_id
            )
        ).one()
        meeting_id = meeting.id
    assert notice(clients("beleid@ezk.test"), meeting_id, ezk, "afwezig").status_code == 302
    assert notice(clients(REGIO), meeting_id, seat_id(app, GEDEPUTEERDE), "afwezig").status_code == 404
    with in_app(app):
        notice_id = db.session.scalars(
            select(AttendanceNotice.id).where(AttendanceNotice.meeting_id == meeting_id)
        ).one()
    assert clients("auditor@noord-brabant.test").get(f"/geschiedenis/attendance_notices/{notice_id}").status_code == 404
    assert clients("auditor@ezk.test").get(f"/geschiedenis/attendance_notices/{notice_id}").status_code == 200
