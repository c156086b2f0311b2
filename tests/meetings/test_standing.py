"""Standing agenda items per body: the beheerder keeps them, every new cycle's agenda starts and ends with
them, new items go in between, and the progress item among them is the one the scheduler would add."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from core.acting import SYSTEM
from core.dates import today
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItem, Body, Meeting, StandingItem
from meetings.services import agenda
from meetings.services.standing import standing_items_of
from tests.conftest import find_body, in_app
from tests.meetings.flow import Flow

DEFAULT_AGENDA = [
    "Opening",
    "Mededelingen",
    "Besluitenlijst vorige vergadering",
    "Voortgang actiepunten en toezeggingen",
    "Rondvraag",
    "Sluiting",
]


@pytest.fixture
def flow(app, clients, clock) -> Flow:
    """A fresh body made by the beheerder through the web: the defaults are its standing items."""
    return Flow(app, clients, clock).body()


def new_cycle(flow: Flow, *, standing: bool = True, days: int = 60, **changes: str) -> int:
    """A cycle made through the new-cycle form; the id of its meeting."""
    day = flow.query(today) + timedelta(days=days)
    data = {
        "meeting_date": day.isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "location": "Provinciehuis, 's-Hertogenbosch",
        "chair": "Minister van EZK",
        "audience": "overleg",
        **({"standing_items": "y"} if standing else {}),
        **changes,
    }
    response = flow.ok(flow.sec.post_form(f"/overleggen/{flow.slug}/cycli/nieuw", data))
    cycle_id = int(re.search(r"/cycli/(\d+)", response.headers["Location"]).group(1))
    return flow.query(lambda: db.session.scalars(select(Meeting.id).where(Meeting.cycle_id == cycle_id)).one())


def agenda_titles(flow: Flow, meeting_id: int) -> list[str]:
    def titles() -> list[str]:
        items = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
        )
        return [item.title for item in items]

    return flow.query(titles)


def body_id(flow: Flow) -> int:
    return flow.query(lambda: db.session.scalars(select(Body.id).where(Body.slug == flow.slug)).one())


def standing_rows(flow: Flow) -> list[dict[str, Any]]:
    def rows() -> list[dict[str, Any]]:
        return [
            {
                "item_id": s.id,
                "title": s.title,
                "kind": s.kind.value,
                "placement": s.placement.value,
                "position": s.position,
                "progress": s.is_progress_report,
            }
            for s in standing_items_of(body_id(flow))
        ]

    return flow.query(rows)


def standing_form(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The beheer form as a browser posts it (an unticked box is not sent)."""
    data: dict[str, str] = {}
    for index, row in enumerate(rows):
        for key, value in row.items():
            if isinstance(value, bool):
                if value:
                    data[f"entries-{index}-{key}"] = "y"
            elif value is not None:
                data[f"entries-{index}-{key}"] = str(value)
    return data


# --- on every new agenda -----------------------------------------------------------------------------------


def test_a_new_body_gets_the_default_standing_items(flow):
    rows = standing_rows(flow)
    assert [row["title"] for row in rows] == DEFAULT_AGENDA
    assert [row["placement"] for row in rows] == ["begin"] * 4 + ["eind"] * 2
    assert [row["title"] for row in rows if row["progress"]] == ["Voortgang actiepunten en toezeggingen"]


def test_a_new_cycle_starts_and_ends_its_agenda_with_them_and_new_items_go_in_between(flow):
    meeting = new_cycle(flow)
    assert agenda_titles(flow, meeting) == DEFAULT_AGENDA
    flow.ok(
        flow.sec.post_form(
            f"/vergaderingen/{meeting}/agendapunten/nieuw", {"title": "Netcapaciteit", "kind": "ter_bespreking"}
        )
    )
    flow.ids["meeting"] = meeting
    flow.requests()  # agenda requests of both sides, put on the agenda as the secretariat takes them in
    flow.ok(flow.sec.post_form(f"/zaken/{flow.ids['request_rijk']}/stap/agenderen"))
    assert agenda_titles(flow, meeting) == [
        *DEFAULT_AGENDA[:4],
        "Netcapaciteit",
        "Netcapaciteit in de testregio",
        "Rondvraag",
        "Sluiting",
    ]


def test_each_standing_item_takes_the_meetings_audience(flow):
    meeting = new_cycle(flow, audience="rijk")
    items = select(AgendaItem).where(AgendaItem.meeting_id == meeting)
    audiences = flow.query(lambda: {item.audience.value for item in db.session.scalars(items)})
    assert audiences == {"rijk"}
    flow.ok(flow.sec.post_form(f"/vergaderingen/{meeting}/agenda/publiceren"))
    assert flow.regio.get(f"/vergaderingen/{meeting}").status_code == 404


def test_the_standing_progress_item_is_the_meetings_progress_item_and_the_scheduler_adds_no_second(flow, clock):
    from meetings.jobs.notifications import _progress_items_job

    meeting = new_cycle(flow)
    page = flow.sec.get(f"/vergaderingen/{meeting}").get_data(as_text=True)
    assert "Voortgangspunt toevoegen" not in page
    clock(flow.query(lambda: db.session.get(Meeting, meeting).starts_at) - timedelta(days=20))
    with in_app(flow.app):
        assert "0 voortgangspunt" in _progress_items_job("test")
        progress = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting, AgendaItem.is_progress_report)
        ).all()
        assert [item.title for item in progress] == ["Voortgang actiepunten en toezeggingen"]
        with pytest.raises(DomainError, match="voortgangspunt al gehad"):
            agenda.add_progress_item(SYSTEM, db.session.get(Meeting, meeting))


def test_without_a_standing_progress_item_the_scheduler_puts_it_before_the_closing_items(flow, clock):
    from meetings.jobs.notifications import _progress_items_job

    rows = standing_rows(flow)
    rows[3]["remove"] = True  # the beheerder takes the progress item off the list
    flow.ok(flow.beheer.post_form(f"/beheer/overleggen/{flow.slug}/vaste-agendapunten", standing_form(rows)))
    meeting = new_cycle(flow)
    assert agenda_titles(flow, meeting) == [*DEFAULT_AGENDA[:3], "Rondvraag", "Sluiting"]
    clock(flow.query(lambda: db.session.get(Meeting, meeting).starts_at) - timedelta(days=20))
    with in_app(flow.app):
        assert "1 voortgangspunt" in _progress_items_job("test")
    assert agenda_titles(flow, meeting) == DEFAULT_AGENDA


def test_the_secretariat_may_leave_the_standing_items_off(flow):
    meeting = new_cycle(flow, standing=False)
    assert agenda_titles(flow, meeting) == []


# --- the beheerder keeps the list -------------------------------------------------------------------------


def test_the_beheerder_renames_reorders_removes_and_adds_standing_items(flow):
    page = flow.beheer.get(f"/beheer/overleggen/{flow.slug}").get_data(as_text=True)
    assert 'id="vaste-agendapunten"' in page and 'value="Besluitenlijst vorige vergadering"' in page
    # Each row carries its item, so saving the page changes the items instead of replacing them.
    assert len(re.findall(r'name="entries-\d+-item_id" type="hidden" value="\d+"', page)) == 6
    rows = standing_rows(flow)
    rows[0]["title"] = "Opening en vaststelling van de agenda"
    rows[0]["kind"] = "hamerstuk"
    rows[1]["remove"] = True  # no mededelingen
    rows[2]["position"] = 9  # the previous besluitenlijst after the progress item
    rows.append({"title": "Evaluatie van het overleg", "kind": "ter_bespreking", "placement": "eind", "position": 0})
    rows.append({"title": "", "kind": "ter_informatie", "placement": "begin"})  # an empty row adds nothing
    response = flow.beheer.post_form(f"/beheer/overleggen/{flow.slug}/vaste-agendapunten", standing_form(rows))
    flow.ok(response)
    assert [(r["title"], r["placement"], r["position"]) for r in standing_rows(flow)] == [
        ("Opening en vaststelling van de agenda", "begin", 1),
        ("Voortgang actiepunten en toezeggingen", "begin", 2),
        ("Besluitenlijst vorige vergadering", "begin", 3),
        ("Evaluatie van het overleg", "eind", 1),
        ("Rondvraag", "eind", 2),
        ("Sluiting", "eind", 3),
    ]
    meeting = new_cycle(flow)
    assert agenda_titles(flow, meeting)[0] == "Opening en vaststelling van de agenda"
    assert agenda_titles(flow, meeting)[-3:] == ["Evaluatie van het overleg", "Rondvraag", "Sluiting"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "entries-0-title", "Geef het vaste agendapunt een titel"),
        ({"progress": True}, "entries-0-progress", "Maar één vast agendapunt kan het voortgangsoverzicht zijn"),
        ({"kind": "onzin"}, "entries-0-kind", "Kies een van de mogelijkheden"),
        ({"title": "x" * 201}, "entries-0-title", "te lang"),
    ],
)
def test_a_bad_standing_item_is_refused_next_to_its_field_and_nothing_is_stored(flow, change, field, message):
    rows = standing_rows(flow)
    rows[0].update(change)
    with in_app(flow.app):
        records = db.session.scalar(select(func.count(AuditRecord.id)))
    response = flow.beheer.post_form(f"/beheer/overleggen/{flow.slug}/vaste-agendapunten", standing_form(rows))
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-fout">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in html.unescape(error.group(1))
    assert [row["title"] for row in standing_rows(flow)] == DEFAULT_AGENDA
    with in_app(flow.app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == records


@pytest.mark.parametrize("ident", ["abc", "999999", "99999999999999999999"])
def test_a_row_that_names_no_item_of_the_body_is_refused_without_a_trace(flow, ident):
    rows = standing_rows(flow)
    rows[0]["item_id"] = ident
    response = flow.beheer.post_form(f"/beheer/overleggen/{flow.slug}/vaste-agendapunten", standing_form(rows))
    assert response.status_code == 400
    assert "Dit vaste agendapunt hoort niet bij dit overleg." in response.get_data(as_text=True)
    assert [row["title"] for row in standing_rows(flow)] == DEFAULT_AGENDA


def test_only_the_beheerder_keeps_the_standing_items(flow):
    rows = standing_rows(flow)
    rows[0]["title"] = "Welkom"
    for client, status in ((flow.sec, 403), (flow.regio, 403), (flow.outsider, 404)):
        response = client.post_form(f"/beheer/overleggen/{flow.slug}/vaste-agendapunten", standing_form(rows))
        assert response.status_code == status
    assert standing_rows(flow)[0]["title"] == "Opening"
    with in_app(flow.app):
        assert db.session.scalar(select(func.count(StandingItem.id)).where(StandingItem.title == "Welkom")) == 0


# --- the previous meeting's agenda as a starting point ------------------------------------------------------

SEC = "secretariaat@ezk.test"


@pytest.fixture
def two_meetings(app) -> dict[str, int]:
    """BO-Brainport meetings of 11 March and 7 October 2031, both with the standing items; the first
    with items of its own: one for the table, one Rijk-only, one vertrouwelijk."""
    from auth.models import Organisation
    from core.db import Audience
    from meetings.models import AgendaItemKind, Theme
    from tests.conftest import new_meeting, user

    with in_app(app):
        sec = user(SEC)
        first = new_meeting(date(2031, 3, 11), standing_items=True)
        eindhoven = db.session.scalars(select(Organisation.id).where(Organisation.name == "Gemeente Eindhoven")).one()
        grid = db.session.scalars(select(Theme.id).where(Theme.name == "Netcapaciteit")).one()
        for title, audience, extra in (
            ("Netcapaciteit op de campussen", None, {"organisation_id": eindhoven, "theme_id": grid}),
            ("Rijksinzet stikstofruimte", Audience.RIJK, {}),
            ("Signaal uitbreiding hightechbedrijf", Audience.VERTROUWELIJK, {"shared_with": [user(REGIO_USER).id]}),
        ):
            agenda.add_agenda_item(
                sec,
                first,
                title=title,
                kind=AgendaItemKind.TER_BESPREKING,
                description=f"Toelichting bij {title}.",
                audience=audience,
                **extra,
            )
        second = new_meeting(date(2031, 10, 7), standing_items=True)
        return {"first": first.id, "second": second.id}


REGIO_USER = "economie@noord-brabant.test"


def titles_of(app, meeting_id: int) -> list[str]:
    with in_app(app):
        return list(
            db.session.scalars(
                select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
            )
        )


def test_the_secretariat_takes_over_the_previous_agenda_after_a_confirmation(app, clients, two_meetings):
    sec = clients(SEC)
    second = two_meetings["second"]
    assert f"/vergaderingen/{second}/agenda-overnemen" in sec.get(f"/vergaderingen/{second}").get_data(as_text=True)
    before = titles_of(app, second)
    confirm = sec.get(f"/vergaderingen/{second}/agenda-overnemen").get_data(as_text=True)
    assert "Van BO-Brainport 11 maart 2031 naar BO-Brainport 7 oktober 2031." in confirm
    offered = re.findall(r'<li><span class="copy-title">([^<]+)</span>', confirm)
    assert offered == ["Netcapaciteit op de campussen", "Rijksinzet stikstofruimte"]
    assert "1 vertrouwelijk punt gaat niet mee" in confirm
    assert titles_of(app, second) == before  # looking changes nothing
    assert sec.post_form(f"/vergaderingen/{second}/agenda-overnemen").status_code == 302
    assert titles_of(app, second) == [
        *DEFAULT_AGENDA[:4],
        "Netcapaciteit op de campussen",
        "Rijksinzet stikstofruimte",
        "Rondvraag",
        "Sluiting",
    ]
    with in_app(app):
        copied = {
            item.title: item for item in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == second))
        }
        grid, rijk = copied["Netcapaciteit op de campussen"], copied["Rijksinzet stikstofruimte"]
        assert grid.audience.value == "overleg" and grid.organisation_id and grid.theme_id
        assert grid.description == "Toelichting bij Netcapaciteit op de campussen." and grid.standing is None
        assert rijk.audience.value == "rijk"
    again = sec.post_form(f"/vergaderingen/{second}/agenda-overnemen", follow_redirects=True)
    assert "Er zijn geen agendapunten (meer) om over te nemen." in again.get_data(as_text=True)
    assert len(titles_of(app, second)) == 8


def test_a_published_agenda_takes_nothing_over(app, clients, two_meetings):
    sec = clients(SEC)
    second = two_meetings["second"]
    assert sec.post_form(f"/vergaderingen/{second}/agenda/publiceren").status_code == 302
    refused = sec.post_form(f"/vergaderingen/{second}/agenda-overnemen", follow_redirects=True)
    assert "overnemen kan alleen zolang zij een concept is" in refused.get_data(as_text=True)
    assert titles_of(app, second) == DEFAULT_AGENDA


def test_members_may_not_take_an_agenda_over(app, clients, two_meetings):
    second = two_meetings["second"]
    assert clients(REGIO_USER).get(f"/vergaderingen/{second}/agenda-overnemen").status_code == 403
    assert clients(REGIO_USER).post_form(f"/vergaderingen/{second}/agenda-overnemen").status_code == 403
    assert clients("economie@gelderland.test").get(f"/vergaderingen/{second}/agenda-overnemen").status_code == 404
    assert titles_of(app, second) == DEFAULT_AGENDA


def test_a_regio_secretariat_takes_over_from_the_last_meeting_it_may_see(app, clients):
    """A Rijk-only meeting in between is skipped: its title and items never show to the regio side."""
    from auth.models import Role
    from core.db import Audience
    from meetings.models import AgendaItemKind
    from meetings.services.bodies import set_member_role
    from tests.conftest import account, new_meeting, user

    with in_app(app):
        sec, beheer = user(SEC), user("beheer@regiotafel.test")
        regio_sec = account(
            "secretariaat@noord-brabant.test",
            "Secretariaat regio",
            user(REGIO_USER).organisation_id,
            password="een-lang-wachtwoord-voor-de-test",
        )
        db.session.flush()
        bo = find_body()
        set_member_role(beheer, bo, user_id=regio_sec.id, role=Role.SECRETARIAAT)
        shared = new_meeting(date(2031, 3, 11))
        agenda.add_agenda_item(sec, shared, title="Gedeeld onderwerp", kind=AgendaItemKind.TER_BESPREKING)
        rijk_only = new_meeting(date(2031, 10, 7), audience=Audience.RIJK)
        agenda.add_agenda_item(sec, rijk_only, title="Rijksgeheim onderwerp", kind=AgendaItemKind.TER_BESPREKING)
        later = new_meeting(date(2032, 3, 9)).id
    regio = app.test_client()
    assert regio.login("secretariaat@noord-brabant.test", "een-lang-wachtwoord-voor-de-test").status_code == 302
    text = regio.get(f"/vergaderingen/{later}/agenda-overnemen").get_data(as_text=True)
    assert "Van BO-Brainport 11 maart 2031" in text and "Gedeeld onderwerp" in text
    assert "7 oktober 2031" not in text and "Rijksgeheim" not in text
    rijk_page = clients(SEC).get(f"/vergaderingen/{later}/agenda-overnemen").get_data(as_text=True)
    assert "Van BO-Brainport 7 oktober 2031" in rijk_page and "Rijksgeheim onderwerp" in rijk_page
