"""Scaffolding is a part: a cycle, its milestones and a meeting's attendance take the visibility of the
meeting they hang off. A Rijk-only meeting does not show through its date, its plan, who replaced whom at
it, the search filter or the audit trail."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from audit import export
from auth.policy import can, visible
from core.dates import now
from core.db import Audience
from core.extensions import db
from meetings.calendar import feed as calendar_services
from meetings.models import Attendance, AttendanceStatus, Cycle, Milestone, Seat
from meetings.services import cycles
from search.services import filter_choices
from tests.conftest import in_app, meeting_held, new_meeting, user

RIJK, REGIO = "beleid@ezk.test", "economie@noord-brabant.test"
RIJK_AUDITOR, REGIO_AUDITOR = "auditor@ezk.test", "auditor@noord-brabant.test"
REPLACEMENT = "Vervanger-Xi Geheimnaam"
YEAR = date.today().year + 3


@pytest.fixture
def rijk_cycle(app: Any, clock: Any) -> dict[str, Any]:
    """A cycle whose meeting is for the Rijk only, with attendance and a named replacement, recorded
    after the meeting; the pages are then read as of today again (the year must not show through)."""
    started = now()
    with in_app(app):
        meeting = new_meeting(date(YEAR, 3, 10), audience=Audience.RIJK)
        meeting_held(clock, meeting)
        seat = db.session.scalars(select(Seat).where(Seat.body_id == meeting.body_id).order_by(Seat.id)).first()
        cycles.record_attendance(
            user("secretariaat@ezk.test"),
            meeting,
            entries=[{"seat_id": seat.id, "status": AttendanceStatus.VERVANGEN, "replaced_by": REPLACEMENT}],
        )
        db.session.flush()
        attendance = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)).one()
        milestones = db.session.scalars(select(Milestone.id).where(Milestone.cycle_id == meeting.cycle_id)).all()
        clock(started)
        return {"cycle": meeting.cycle_id, "attendance": attendance.id, "milestones": list(milestones)}


def test_the_other_side_gets_404_on_the_cycle_and_does_not_meet_it_on_the_body_page(clients, rijk_cycle):
    cycle = rijk_cycle["cycle"]
    assert clients(REGIO).get(f"/cycli/{cycle}").status_code == 404
    assert clients(RIJK).get(f"/cycli/{cycle}").status_code == 200
    regio_body = clients(REGIO).get("/overleggen/bo-brainport").get_data(as_text=True)
    assert f"/cycli/{cycle}" not in regio_body and str(YEAR) not in regio_body
    assert f"/cycli/{cycle}" in clients(RIJK).get("/overleggen/bo-brainport").get_data(as_text=True)


def test_the_history_of_every_piece_of_scaffolding_is_a_404_for_the_other_side(clients, rijk_cycle):
    pieces = [("cycles", rijk_cycle["cycle"]), ("attendances", rijk_cycle["attendance"])]
    pieces += [("milestones", ident) for ident in rijk_cycle["milestones"]]
    for table, ident in pieces:
        assert clients(REGIO_AUDITOR).get(f"/geschiedenis/{table}/{ident}").status_code == 404, table
        rijk = clients(RIJK_AUDITOR).get(f"/geschiedenis/{table}/{ident}")
        assert rijk.status_code == 200, table
    attendance = clients(RIJK_AUDITOR).get(f"/geschiedenis/attendances/{rijk_cycle['attendance']}")
    assert REPLACEMENT in attendance.get_data(as_text=True)


def test_the_policy_derives_scaffolding_from_its_meeting_alike_for_one_item_and_for_lists(app, rijk_cycle):
    with in_app(app):
        for email, sees in ((RIJK, True), (REGIO, False)):
            person = user(email)
            for model, ident in (
                (Cycle, rijk_cycle["cycle"]),
                (Attendance, rijk_cycle["attendance"]),
                (Milestone, rijk_cycle["milestones"][0]),
            ):
                assert can(person, "view", db.session.get(model, ident)) is sees, (email, model)
                listed = db.session.scalars(select(model.id).where(visible(person, model), model.id == ident)).all()
                assert bool(listed) is sees, (email, model)


def test_the_search_filter_offers_the_cycle_only_to_who_may_see_its_meeting(app, clients, rijk_cycle):
    with in_app(app):
        assert rijk_cycle["cycle"] in dict(filter_choices(user(RIJK)).cycles)
        assert rijk_cycle["cycle"] not in dict(filter_choices(user(REGIO)).cycles)
    page = clients(REGIO).get("/zoeken").get_data(as_text=True)
    assert str(YEAR) not in page
    assert str(YEAR) in clients(RIJK).get("/zoeken").get_data(as_text=True)


def test_the_calendar_feed_holds_the_plan_only_for_who_may_see_the_meeting(app, rijk_cycle):
    with in_app(app):
        assert str(YEAR).encode() in calendar_services.feed_ics(user(RIJK))
        assert str(YEAR).encode() not in calendar_services.feed_ics(user(REGIO))


def test_the_regio_auditors_export_has_no_record_of_the_rijk_cycle(app, rijk_cycle):
    pieces = {("cycles", rijk_cycle["cycle"]), ("attendances", rijk_cycle["attendance"])}
    pieces |= {("milestones", ident) for ident in rijk_cycle["milestones"]}
    with in_app(app):
        connection = db.session.connection()
        regio = list(export.readable(connection, user(REGIO_AUDITOR), export.ExportFilter()))
        rijk = list(export.readable(connection, user(RIJK_AUDITOR), export.ExportFilter()))
    assert not [r for r in regio if (r["object_type"], r["object_id"]) in pieces]
    assert REPLACEMENT not in json.dumps(regio, default=str)
    assert {(r["object_type"], r["object_id"]) for r in rijk} >= pieces
