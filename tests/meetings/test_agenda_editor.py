"""Faster agenda editing: moving items (one service for every way of moving), durations and the start
times that follow from them, and agenderen with a kind and a place.

The expectations are written from what a reader sees (the numbers, the order, the times on the page),
never read back from the service under test."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from audit.models import AuditRecord
from cases.models import Case
from core.db import Audience
from core.errors import DomainError, NotPermitted, NotVisible
from core.extensions import db
from meetings.models import AgendaItem, AgendaItemKind, Note
from meetings.services import agenda, notes
from tests.conftest import in_app, new_meeting, regio_secretary, user

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
OUTSIDER = "economie@gelderland.test"


def positions(meeting_id: int) -> list[tuple[str, int]]:
    """Every item of the meeting with its stored position, in order: what nobody reads, all of it."""
    return [
        (title, position)
        for title, position in db.session.execute(
            select(AgendaItem.title, AgendaItem.position)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    ]


def shown_agenda(client: Any, meeting_id: int) -> list[tuple[str, str]]:
    """The agenda as the page shows it to this reader: (number, title) per item."""
    page = client.get(f"/vergaderingen/{meeting_id}").get_data(as_text=True)
    return re.findall(
        r'<span class="agenda-number">(\d+)\.</span>.*?<a class="agenda-title" href="[^"]+">([^<]+)</a>', page, re.S
    )


@pytest.fixture
def meeting(app) -> dict[str, Any]:
    """A concept agenda of four items: Opening, a regio-only item (made by a secretary from the
    province, whom the Rijk secretariat does not see it from), Netcapaciteit, Rondvraag."""
    with in_app(app):
        sec = user(SEC)
        regio_sec = regio_secretary()
        m = new_meeting(date(2034, 2, 7), start_time=time(13), end_time=time(14))
        ids = {"meeting": m.id}
        for title, maker, audience in (
            ("Opening", sec, None),
            ("Regio-inzet vooraf", regio_sec, Audience.REGIO),
            ("Netcapaciteit", sec, None),
            ("Rondvraag", sec, None),
        ):
            item = agenda.add_agenda_item(maker, m, title=title, kind=AgendaItemKind.TER_BESPREKING, audience=audience)
            db.session.flush()
            ids[title] = item.id
        return ids


def item(ident: int) -> AgendaItem:
    found = db.session.get(AgendaItem, ident)
    assert found is not None
    return found


# --- moving ----------------------------------------------------------------------------------------------------


def test_a_move_places_the_item_where_the_secretary_sees_it_and_the_hidden_item_keeps_its_place(app, meeting):
    with in_app(app):
        agenda.move_agenda_item(user(SEC), item(meeting["Rondvraag"]), position=1)
        # The Rijk secretary sees three items: Rondvraag is now first of them; the regio's own item
        # stays second of all four, and the positions run 1..4 without a gap.
        assert positions(meeting["meeting"]) == [
            ("Rondvraag", 1),
            ("Regio-inzet vooraf", 2),
            ("Opening", 3),
            ("Netcapaciteit", 4),
        ]


def test_moving_down_past_a_hidden_item_moves_in_the_secretarys_view(app, meeting):
    with in_app(app):
        agenda.move_agenda_item(user(SEC), item(meeting["Opening"]), position=2)
        assert positions(meeting["meeting"]) == [
            ("Netcapaciteit", 1),
            ("Regio-inzet vooraf", 2),
            ("Opening", 3),
            ("Rondvraag", 4),
        ]


def test_positions_stay_one_to_n_through_moves_additions_and_removals(app, meeting):
    with in_app(app):
        sec = user(SEC)
        m = db.session.get(agenda.Meeting, meeting["meeting"])
        extra = agenda.add_agenda_item(sec, m, title="Stikstof", kind=AgendaItemKind.TER_BESPREKING, position=2)
        db.session.flush()
        agenda.move_agenda_item(sec, item(meeting["Opening"]), position=4)
        agenda.remove_agenda_item(sec, item(meeting["Netcapaciteit"]))
        db.session.flush()
        stored = positions(meeting["meeting"])
        assert [p for _t, p in stored] == list(range(1, len(stored) + 1))
        assert [t for t, _p in stored] == ["Stikstof", "Regio-inzet vooraf", "Rondvraag", "Opening"]
        assert extra.position == 1


@pytest.mark.parametrize("position", [0, 4, 99, -1])
def test_a_place_outside_the_secretarys_agenda_is_refused_next_to_the_field(app, meeting, position):
    with in_app(app):
        before = positions(meeting["meeting"])
        with pytest.raises(DomainError) as refused:
            agenda.move_agenda_item(user(SEC), item(meeting["Opening"]), position=position)
        assert refused.value.field == "position" and "1 tot en met 3" in refused.value.message
        assert positions(meeting["meeting"]) == before


def test_only_the_secretariat_moves_items(app, meeting):
    with in_app(app):
        with pytest.raises(NotVisible):  # a concept agenda does not exist for a member yet
            agenda.move_agenda_item(user(RIJK), item(meeting["Opening"]), position=2)
        agenda.publish_agenda(user(SEC), db.session.get(agenda.Meeting, meeting["meeting"]))
        with pytest.raises(NotPermitted):
            agenda.move_agenda_item(user(RIJK), item(meeting["Opening"]), position=2)
        with pytest.raises(NotVisible):  # no member of the body: the item does not exist for him
            agenda.move_agenda_item(user(OUTSIDER), item(meeting["Opening"]), position=2)
        with pytest.raises(NotVisible):  # the Rijk secretary cannot see, so cannot move, the regio's item
            agenda.move_agenda_item(user(SEC), item(meeting["Regio-inzet vooraf"]), position=1)


def test_a_published_agenda_can_still_be_reordered_and_every_reader_sees_it_renumbered(app, clients, meeting):
    """What the code says today: publishing does not freeze the order (a secretariat sends an amended
    agenda); each reader's numbers follow without gaps."""
    with in_app(app):
        agenda.publish_agenda(user(SEC), db.session.get(agenda.Meeting, meeting["meeting"]))
    moved = clients(SEC).post_form(f"/agendapunten/{meeting['Rondvraag']}/verplaatsen", {"position": "1"})
    assert moved.status_code == 302
    assert shown_agenda(clients(REGIO), meeting["meeting"]) == [
        ("1", "Rondvraag"),
        ("2", "Regio-inzet vooraf"),
        ("3", "Opening"),
        ("4", "Netcapaciteit"),
    ]
    assert shown_agenda(clients(RIJK), meeting["meeting"]) == [
        ("1", "Rondvraag"),
        ("2", "Opening"),
        ("3", "Netcapaciteit"),
    ]


def test_naar_plaats_is_a_post_form_per_item_for_the_secretariat_only(clients, meeting):
    page = clients(SEC).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/agendapunten/(\d+)/verplaatsen" class="move-form">', page)
    assert sorted(map(int, forms)) == sorted(meeting[t] for t in ("Opening", "Netcapaciteit", "Rondvraag"))
    assert page.count('name="csrf_token"') >= 3
    selected = re.search(rf'id="position-{meeting["Netcapaciteit"]}".*?<option value="2" selected>', page, re.S)
    assert selected, "Netcapaciteit's select starts at its own place, 2"
    for member in (RIJK, REGIO):
        assert "verplaatsen" not in clients(member).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)


def test_moving_by_the_form_says_where_the_item_went(clients, meeting):
    sec = clients(SEC)
    response = sec.post_form(f"/agendapunten/{meeting['Rondvraag']}/verplaatsen", {"position": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#agendapunt-{meeting['Rondvraag']}")
    page = sec.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rondvraag staat nu op plaats 2." in page
    assert shown_agenda(sec, meeting["meeting"]) == [("1", "Opening"), ("2", "Rondvraag"), ("3", "Netcapaciteit")]


def test_a_place_beyond_the_end_comes_back_with_the_message_next_to_that_items_select(app, clients, meeting):
    response = clients(SEC).post_form(f"/agendapunten/{meeting['Opening']}/verplaatsen", {"position": "7"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="position-{meeting["Opening"]}-fout">Kies een plaats van 1 tot en met 3.</p>' in page
    assert f'aria-describedby="position-{meeting["Opening"]}-fout"' in page
    with in_app(app):
        assert positions(meeting["meeting"])[0] == ("Opening", 1)


def test_the_editor_loads_its_scripts_from_this_server_only_for_the_secretariat(clients, meeting):
    page = clients(SEC).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all('src="/static/meetings/' in attributes for attributes in scripts)  # no inline script
    assert "data-sortable" in page
    member_page = clients(REGIO).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    assert "<script" not in member_page


def test_the_vendored_library_is_served_with_its_licence_beside_it(client):
    from pathlib import Path

    import meetings

    folder = Path(meetings.__file__).parent / "static" / "vendor" / "sortablejs"
    assert "MIT License" in (folder / "LICENSE").read_text(encoding="utf-8")
    response = client.get("/static/meetings/vendor/sortablejs/Sortable.min.js")
    assert response.status_code == 200 and response.mimetype in ("text/javascript", "application/javascript")
    assert response.get_data(as_text=True).startswith("/*! Sortable 1.15.")
    response.close()


# --- durations and start times ---------------------------------------------------------------------------------


def set_minutes(ident: int, minutes: int | None) -> None:
    it = item(ident)
    agenda.update_agenda_item(
        user(SEC) if it.audience is not Audience.REGIO else user("secretariaat@noord-brabant.test"),
        it,
        title=it.title,
        kind=it.kind,
        description=it.description,
        duration_minutes=minutes,
    )


def test_start_times_follow_the_durations_as_each_reader_sees_the_agenda(app, clients, meeting):
    with in_app(app):
        for title, minutes in (("Opening", 10), ("Regio-inzet vooraf", 20), ("Netcapaciteit", 30), ("Rondvraag", 5)):
            set_minutes(meeting[title], minutes)
        agenda.publish_agenda(user(SEC), db.session.get(agenda.Meeting, meeting["meeting"]))
    times = re.compile(r'<span class="agenda-time"><span class="visually-hidden">Begint om </span>(\d\d:\d\d)</span>')
    regio = clients(REGIO).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    assert times.findall(regio) == ["13:00", "13:10", "13:30", "14:00"]
    # The Rijk does not see the regio's twenty minutes: its agenda runs on without a gap there,
    # which would tell that something takes that time.
    rijk = clients(RIJK).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    assert times.findall(rijk) == ["13:00", "13:10", "13:40"]
    assert "30 min." in rijk and "20 min." not in rijk


def test_times_stop_at_the_first_item_without_a_duration_and_there_are_none_without_any(app, clients, meeting):
    sec = clients(SEC)
    assert 'class="agenda-time"' not in sec.get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    with in_app(app):
        set_minutes(meeting["Opening"], 15)
    page = sec.get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    # Opening starts at 13:00 and Netcapaciteit (no duration) at 13:15; after that nobody knows.
    assert re.findall(r"</span>(\d\d:\d\d)</span>", page) == ["13:00", "13:15"]


def test_the_secretariat_is_told_when_the_items_run_past_the_meetings_end(app, clients, meeting):
    with in_app(app):
        for title, minutes in (("Opening", 10), ("Netcapaciteit", 45), ("Rondvraag", 15)):
            set_minutes(meeting[title], minutes)
    page = clients(SEC).get(f"/vergaderingen/{meeting['meeting']}").get_data(as_text=True)
    assert "De agendapunten duren samen tot 14:10; de vergadering is gepland tot 14:00." in page


def test_the_papers_carry_the_start_times(app, clients, meeting):
    import io

    from pypdf import PdfReader

    with in_app(app):
        set_minutes(meeting["Opening"], 10)
        set_minutes(meeting["Netcapaciteit"], 30)
    response = clients(SEC).get(f"/vergaderingen/{meeting['meeting']}/agenda.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    response.close()
    assert "1. Opening 13:00 uur · 10 min. · ter bespreking" in text
    assert "2. Netcapaciteit 13:10 uur · 30 min. · ter bespreking" in text
    assert "3. Rondvraag 13:40 uur · ter bespreking" in text


@pytest.mark.parametrize("minutes", [0, 601])
def test_a_duration_out_of_range_is_refused(app, meeting, minutes):
    with in_app(app), pytest.raises(DomainError) as refused:
        set_minutes(meeting["Opening"], minutes)
    assert refused.value.field == "duration_minutes"


def test_the_item_form_stores_a_duration(app, clients, meeting):
    response = clients(SEC).post_form(
        f"/agendapunten/{meeting['Opening']}/bewerken",
        {"title": "Opening", "kind": "hamerstuk", "duration_minutes": "5", "description": ""},
    )
    assert response.status_code == 302
    with in_app(app):
        assert item(meeting["Opening"]).duration_minutes == 5


# --- agenderen: what kind of item, and where -------------------------------------------------------------------


@pytest.fixture
def request_for_upcoming(app) -> dict[str, int]:
    """An agenda request of the demo for the next BO-Brainport, still to be handled."""
    with in_app(app):
        case = db.session.scalars(
            select(Case).where(Case.type == "agendaverzoek", Case.state == "ingediend").order_by(Case.id)
        ).first()
        assert case is not None and case.cycle_id is not None
        upcoming = db.session.scalars(select(agenda.Meeting).where(agenda.Meeting.cycle_id == case.cycle_id)).one()
        return {"case": case.id, "meeting": upcoming.id, "title": case.title}


def test_agenderen_asks_the_kind_and_the_place_on_the_agenda_as_the_secretary_sees_it(clients, request_for_upcoming):
    sec = clients(SEC)
    page = sec.get(f"/zaken/{request_for_upcoming['case']}").get_data(as_text=True)
    shown = shown_agenda(sec, request_for_upcoming["meeting"])
    assert '<select id="kind-agenderen" name="kind">' in page
    places = re.findall(r'<option (?:selected )?value="(\d+)">(\d+) — ([^<]+)</option>', page)
    assert [(int(n), title) for n, _, title in places[:-1]] == [
        (int(number), f"vóór {title}") for number, title in shown
    ]
    assert places[-1][2] == "aan het eind"
    # By default where a new item goes: before the standing items that close the agenda.
    closing = [title for _number, title in shown].index("Rondvraag") + 1
    assert re.search(rf'<option selected value="{closing}">', page), "by default before Rondvraag"


def test_agenderen_puts_the_item_at_the_chosen_place_with_the_chosen_kind(app, clients, request_for_upcoming):
    sec = clients(SEC)
    response = sec.post_form(
        f"/zaken/{request_for_upcoming['case']}/stap/agenderen", {"kind": "hamerstuk", "position": "2"}
    )
    assert response.status_code == 302
    shown = shown_agenda(sec, request_for_upcoming["meeting"])
    assert shown[1] == ("2", request_for_upcoming["title"])
    with in_app(app):
        made = item(db.session.get(Case, request_for_upcoming["case"]).agenda_item_id)
        assert made.kind is AgendaItemKind.HAMERSTUK
        stored = positions(request_for_upcoming["meeting"])
        assert [p for _t, p in stored] == list(range(1, len(stored) + 1))


def test_agenderen_without_a_choice_puts_the_requested_kind_before_the_closing_items(
    app, clients, request_for_upcoming
):
    with in_app(app):
        requested = db.session.get(Case, request_for_upcoming["case"]).requested_kind
    sec = clients(SEC)
    assert sec.post_form(f"/zaken/{request_for_upcoming['case']}/stap/agenderen").status_code == 302
    titles = [title for _number, title in shown_agenda(sec, request_for_upcoming["meeting"])]
    # The demo's coming agenda closes with the body's standing items Rondvraag and Sluiting.
    assert titles[-3:] == [request_for_upcoming["title"], "Rondvraag", "Sluiting"]
    with in_app(app):
        assert item(db.session.get(Case, request_for_upcoming["case"]).agenda_item_id).kind is requested


def test_a_step_is_given_only_the_details_it_asks_for(app, request_for_upcoming):
    from cases import engine

    with in_app(app):
        case = db.session.get(Case, request_for_upcoming["case"])
        with pytest.raises(TypeError):
            engine.fire(user(SEC), case, "in_behandeling", details={"position": 1})


def test_the_demo_meeting_runs_from_one_to_three(app):
    """The demo's BO-Brainport of 14 March 2023 fills its two hours exactly (the screenshots show it)."""
    with in_app(app):
        march = db.session.scalars(
            select(agenda.Meeting).where(agenda.Meeting.title == "BO-Brainport 14 maart 2023")
        ).one()
        view = agenda.agenda_of(user(SEC), march)
        assert view.planned_end == march.ends_at
        assert view.starts[view.items[2].id] - march.starts_at == timedelta(minutes=25)


def test_an_item_with_notes_on_it_comes_off_the_agenda_with_its_notes(app, meeting):
    """The leak hunter's finding (seed 20261207): removing an item that someone had written a note on
    failed on the note's foreign key. The notes go with the item, each deletion in the trail."""
    with in_app(app):
        target = item(meeting["Netcapaciteit"])
        note = notes.add_note(
            user(SEC),
            target.meeting.cycle.body,
            title="Inzet EZK",
            text="Eigen lijn",
            audience=Audience.RIJK,
            agenda_item=target,
        )
        db.session.flush()
        note_id = note.id
        agenda.remove_agenda_item(user(SEC), target)
        db.session.flush()
        assert db.session.get(Note, note_id) is None
        assert db.session.get(AgendaItem, meeting["Netcapaciteit"]) is None
        deleted = db.session.scalars(
            select(AuditRecord.action).where(AuditRecord.object_type == "notes", AuditRecord.object_id == note_id)
        ).all()
        assert deleted[-1] == "delete"
