"""A cycle's plan: one date for the meeting, milestones in their order, and the new-cycle form."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from core.dates import to_local
from core.extensions import db
from meetings.models import AgendaItem, Cycle, Meeting, Milestone, MilestoneKind
from tests.conftest import in_app, new_meeting
from tests.meetings.flow import Flow

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
#: A voorjaar far enough ahead that no demo cycle and no other test's is in it.
DAY = date(2031, 3, 11)


@pytest.fixture
def planned(app) -> dict[str, int]:
    """A BO-Brainport cycle for 11 March 2031: its id, its meeting's, and a milestone's id per kind."""
    with in_app(app):
        meeting = new_meeting(DAY, start_time=time(14), end_time=time(16))
        ids = {"cycle": meeting.cycle_id, "meeting": meeting.id}
        for milestone in db.session.scalars(select(Milestone).where(Milestone.cycle_id == meeting.cycle_id)):
            ids[milestone.kind.value] = milestone.id
        return ids


def plan(app, cycle_id: int) -> dict[str, date]:
    with in_app(app):
        milestones = db.session.scalars(select(Milestone).where(Milestone.cycle_id == cycle_id))
        return {m.kind.value: m.due_date for m in milestones}


def selected(page: str, select_id: str) -> str | None:
    """The value of the option a browser shows as chosen in the select ``select_id``: the one marked
    selected, else the first."""
    body = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert body, f"no select {select_id}"
    options = re.findall(r"<option([^>]*)>", body.group(1))
    chosen = [o for o in options if re.search(r"\bselected\b", o)] or options[:1]
    value = re.search(r'value="([^"]*)"', chosen[0])
    return value.group(1) if value else None


# --- bug 2: one date for the meeting ------------------------------------------------------------------


def test_moving_the_meeting_milestone_moves_the_meeting_and_the_whole_plan(app, clients, planned):
    before = plan(app, planned["cycle"])
    sec = clients(SEC)
    response = sec.post_form(f"/mijlpalen/{planned['vergadering']}", {"due_date": "2031-03-13"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    after = plan(app, planned["cycle"])
    assert after == {kind: day + timedelta(days=2) for kind, day in before.items()}
    with in_app(app):
        meeting = db.session.get(Meeting, planned["meeting"])
        cycle = db.session.get(Cycle, planned["cycle"])
        assert meeting.day == date(2031, 3, 13) and cycle.meeting_date == date(2031, 3, 13)
        assert to_local(meeting.starts_at).time() == time(14) and to_local(meeting.ends_at).time() == time(16)
        assert meeting.title.endswith("13 maart 2031")
    page = sec.get(f"/cycli/{planned['cycle']}").get_data(as_text=True)
    assert "13 maart 2031" in page and "11 maart 2031" not in page  # the old day is nowhere, not even twice


def test_moving_the_meeting_milestone_into_another_half_year_is_refused_next_to_the_date(app, clients, planned):
    before = plan(app, planned["cycle"])
    response = clients(SEC).post_form(f"/mijlpalen/{planned['vergadering']}", {"due_date": "2031-07-01"})
    assert response.status_code == 400
    assert re.search(rf'id="due-{planned["vergadering"]}-fout">[^<]*buiten voorjaar 2031', response.get_data(True))
    assert plan(app, planned["cycle"]) == before


@pytest.mark.parametrize(
    ("kind", "day", "passes"),
    [
        ("agendaverzoeken_sluiten", "2031-02-12", "Ambtelijk voorportaal"),  # the voorportaal is 11 February
        ("stukken_verzonden", "2031-03-12", "Bestuurlijk overleg"),
        ("conceptverslag", "2031-03-10", "Bestuurlijk overleg"),
        ("reactietermijn_sluit", "2031-03-24", "Conceptverslag gereed"),  # the draft is due 25 March
    ],
)
def test_a_milestone_that_would_pass_another_is_refused_next_to_its_date(app, clients, planned, kind, day, passes):
    before = plan(app, planned["cycle"])
    response = clients(SEC).post_form(f"/mijlpalen/{planned[kind]}", {"due_date": day})
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="due-{planned[kind]}-fout">([^<]*)</p>', response.get_data(True))
    assert error and f"‘{passes}’" in error.group(1).replace("&#39;", "'")
    assert plan(app, planned["cycle"]) == before


def test_milestones_may_share_a_day_with_their_neighbours(app, clients, planned):
    sec = clients(SEC)
    assert sec.post_form(f"/mijlpalen/{planned['stukken_verzonden']}", {"due_date": "2031-03-11"}).status_code == 302
    assert sec.post_form(f"/mijlpalen/{planned['conceptverslag']}", {"due_date": "2031-03-11"}).status_code == 302
    after = plan(app, planned["cycle"])
    assert after["stukken_verzonden"] == after["vergadering"] == after["conceptverslag"] == DAY


def test_a_regio_member_may_not_move_a_milestone(app, clients, planned):
    before = plan(app, planned["cycle"])
    response = clients(REGIO).post_form(f"/mijlpalen/{planned['vergadering']}", {"due_date": "2031-03-13"})
    assert response.status_code == 403
    assert plan(app, planned["cycle"]) == before


def test_the_meeting_form_and_the_milestone_agree_after_either_moves(app, clients, planned):
    sec = clients(SEC)
    edit = {"meeting_date": "2031-03-25", "start_time": "14:00", "end_time": "16:00", "location": "Den Haag"}
    response = sec.post_form(f"/vergaderingen/{planned['meeting']}/bewerken", {**edit, "chair": "Minister"})
    assert response.status_code == 302
    assert plan(app, planned["cycle"])[MilestoneKind.VERGADERING.value] == date(2031, 3, 25)


# --- bug 3: the new cycle is for the whole table unless chosen otherwise ---------------------------------


def test_a_new_cycle_form_preselects_the_whole_table(app, clients):
    flow = Flow(app, clients).body()  # a body without meetings: nothing earlier to take over
    page = flow.sec.get(f"/overleggen/{flow.slug}/cycli/nieuw").get_data(as_text=True)
    assert "Meestal: alle leden van het overleg." in page
    assert selected(page, "audience") == "overleg"


# --- C: a new cycle starts from the previous one ---------------------------------------------------------


def test_a_new_cycle_takes_times_place_and_audience_from_the_previous_meeting(app, clients):
    flow = Flow(app, clients).body()
    first = {
        "meeting_date": "2031-03-11",
        "start_time": "09:30",
        "end_time": "11:45",
        "location": "Provinciehuis, 's-Hertogenbosch",
        "chair": "Gedeputeerde economie",
        "audience": "rijk",
    }
    flow.ok(flow.sec.post_form(f"/overleggen/{flow.slug}/cycli/nieuw", first))
    page = flow.sec.get(f"/overleggen/{flow.slug}/cycli/nieuw").get_data(as_text=True)
    assert 'value="09:30"' in page and 'value="11:45"' in page
    assert "Provinciehuis, &#39;s-Hertogenbosch" in page
    assert selected(page, "audience") == "rijk"
    assert "overgenomen van de vorige vergadering, BO Testregio 11 maart 2031" in page
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="standing_items"', page)  # standing items, unless unticked
    assert 'id="standing_items-hulp">Dit overleg begint en eindigt elke agenda met: Opening, Mededelingen' in page
    assert 'id="meeting_date"' in page and 'value="2031-03-11"' not in page  # the date is the new cycle's own
    # the form is the secretariat's: a member of the body may not even open it
    assert flow.regio.get(f"/overleggen/{flow.slug}/cycli/nieuw").status_code == 403


# --- C: the year's cycles at once --------------------------------------------------------------------------


def year_plan(**changes: str) -> dict[str, str]:
    return {
        "year": "2032",
        "voorjaar": "2032-03-09",
        "najaar": "2032-10-05",
        "start_time": "10:00",
        "end_time": "12:00",
        "location": "Ministerie van EZK, Den Haag",
        "chair": "Minister van EZK",
        "audience": "overleg",
        "standing_items": "y",
        **changes,
    }


def cycles_in(app, year: int) -> list[tuple[str, date]]:
    with in_app(app):
        return [
            (c.season.value, c.meeting_date)
            for c in db.session.scalars(
                select(Cycle).join(Cycle.body).where(Cycle.year == year).order_by(Cycle.meeting_date)
            )
        ]


def test_the_secretariat_plans_the_years_cycles_at_once(app, clients):
    sec = clients(SEC)
    form = sec.get("/overleggen/bo-brainport/cycli/jaarplanning").get_data(as_text=True)
    assert 'name="voorjaar"' in form and 'name="najaar"' in form
    response = sec.post_form("/overleggen/bo-brainport/cycli/jaarplanning", year_plan())
    assert response.status_code == 302
    assert cycles_in(app, 2032) == [("voorjaar", date(2032, 3, 9)), ("najaar", date(2032, 10, 5))]
    body = sec.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cyclus voorjaar 2032 aangemaakt: vergadering op dinsdag 9 maart 2032." in body
    assert "Cyclus najaar 2032 aangemaakt: vergadering op dinsdag 5 oktober 2032." in body
    with in_app(app):
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 5 oktober 2032")).one()
        titles = db.session.scalars(
            select(AgendaItem.title).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
        ).all()
        assert titles[0] == "Opening" and titles[-1] == "Sluiting"  # each cycle as the new-cycle form makes it


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"najaar": "2032-04-06"}, "najaar", "niet in het najaar (juli tot en met december)"),
        ({"voorjaar": "2033-03-08"}, "voorjaar", "Deze datum valt niet in 2032."),
        ({"voorjaar": "", "najaar": ""}, "voorjaar", "Vul minstens één datum in."),
        ({"voorjaar": "2032-02-31"}, "voorjaar", "geldige datum"),
    ],
)
def test_a_year_plan_with_a_bad_date_stores_nothing_and_says_why_next_to_that_date(
    app, clients, changes, field, message
):
    response = clients(SEC).post_form("/overleggen/bo-brainport/cycli/jaarplanning", year_plan(**changes))
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-fout">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in error.group(1)
    assert cycles_in(app, 2032) == [] and cycles_in(app, 2033) == []


def test_a_year_plan_is_all_or_nothing_when_one_half_year_is_taken(app, clients):
    with in_app(app):
        new_meeting(date(2032, 11, 2))  # najaar 2032 is planned already
    response = clients(SEC).post_form("/overleggen/bo-brainport/cycli/jaarplanning", year_plan())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="najaar-fout">[^<]*Er is al een cyclus najaar 2032', page)
    assert 'id="voorjaar-fout"' not in page
    assert cycles_in(app, 2032) == [("najaar", date(2032, 11, 2))]  # the voorjaar was not kept either


def test_only_the_secretariat_plans_a_year(app, clients):
    assert clients(REGIO).post_form("/overleggen/bo-brainport/cycli/jaarplanning", year_plan()).status_code == 403
    assert clients("economie@gelderland.test").get("/overleggen/bo-brainport/cycli/jaarplanning").status_code == 404
    assert cycles_in(app, 2032) == []
