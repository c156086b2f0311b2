"""The secretariat's cycle, clicked and typed through the browser by the people who do it: a new cycle of
the ROM overleg, a province's agenda request, the agenda, a decision, the concept besluitenlijst, a
comment, its handling and the adoption."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.dates import AMSTERDAM, now, today
from core.extensions import db
from meetings.models import Cycle, Season
from tests.browser.conftest import LiveServer
from tests.browser.helpers import flash, main, shoot, sign_in
from tests.conftest import find_body

SECRETARIAAT = "secretariaat@ezk.test"
MEMBER = "economie@gelderland.test"
ROM = "Bestuurlijk overleg EZK en provincies over de ROM's"
REQUEST = "Regionale investeringsfondsen en de ROM's"
DECISION = "Het overleg vraagt de ROM's een gezamenlijk voorstel voor de regionale investeringsfondsen."


def free_meeting_date(live_server: LiveServer) -> date:
    """A date some weeks ahead in a half year for which the ROM overleg has no cycle yet."""

    def find() -> date:
        body = find_body("rom-overleg")
        taken = {(c.year, c.season) for c in db.session.scalars(select(Cycle).where(Cycle.body_id == body.id))}
        day = today() + timedelta(days=70)
        while (day.year, Season.of(day)) in taken:
            day += timedelta(days=120)
        return day

    return live_server.query(find)


def open_rom(page: Page) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleggen").click()
    main(page).get_by_role("link", name=ROM).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ROM)


def test_secretariat_runs_a_cycle_from_request_to_adopted_besluitenlijst(
    people: Any, live_server: LiveServer, new_context: Any
) -> None:
    meeting_date = free_meeting_date(live_server)
    sec = people(SECRETARIAAT)

    # The secretariat plans the cycle from the meeting date.
    open_rom(sec)
    main(sec).get_by_role("link", name="Nieuwe cyclus").click()
    sec.get_by_label("Datum van het bestuurlijk overleg").fill(meeting_date.isoformat())
    sec.get_by_label("Begintijd").fill("10:00")
    sec.get_by_label("Eindtijd").fill("12:00")
    sec.get_by_label("Plaats").fill("Provinciehuis Gelderland, Arnhem")
    sec.get_by_label("Voorzitter").fill("Minister van EZK")
    sec.get_by_role("button", name="Cyclus aanmaken").click()
    season = "voorjaar" if meeting_date.month <= 6 else "najaar"
    expect(sec.get_by_role("heading", level=1)).to_contain_text(f"cyclus {season} {meeting_date.year}")
    expect(main(sec).get_by_role("table")).to_contain_text("Agendaverzoeken sluiten")
    cycle_url = sec.url

    # A province asks for an agenda item.
    member = people(MEMBER)
    open_rom(member)
    main(member).get_by_role("link", name="Agendaverzoek indienen").click()
    member.get_by_label("Onderwerp").fill(REQUEST)
    member.get_by_label("Toelichting").fill("De provincies willen de inzet van de regionale fondsen afstemmen.")
    member.get_by_label("Gevraagd").select_option(label="ter besluitvorming")
    member.get_by_role("button", name="Indienen").click()
    expect(flash(member)).to_be_visible()
    expect(member.get_by_role("heading", level=1)).to_have_text(REQUEST)
    expect(member.locator(".steps [aria-current=step]")).to_have_text("ingediend")

    # The secretariat finds it among its work, takes it on and puts it on the agenda.
    sec.get_by_role("link", name="Mijn acties").click()
    main(sec).get_by_role("link", name=REQUEST).click()
    sec.get_by_role("button", name="In behandeling nemen").click()
    expect(sec.locator(".steps [aria-current=step]")).to_have_text("in behandeling")
    sec.get_by_role("button", name="Agenderen").click()
    expect(sec.locator(".steps [aria-current=step]")).to_have_text("geagendeerd")

    # The agenda began with the body's standing items; the request went in before the closing ones.
    # The secretariat adds an item of its own and publishes the agenda.
    sec.goto(cycle_url)
    main(sec).locator("p.lead").get_by_role("link").first.click()
    expect(main(sec).get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    expect(main(sec).locator("ol.agenda")).to_contain_text(REQUEST)
    main(sec).get_by_role("link", name="Agendapunt toevoegen").click()
    sec.get_by_label("Titel").fill("Jaarverslagen van de ROM's")
    sec.get_by_label("Soort").select_option(label="ter informatie")
    sec.get_by_role("button", name="Opslaan").click()
    items = main(sec).locator("ol.agenda > li .agenda-title")
    expect(items).to_have_text(
        [
            "Opening",
            "Mededelingen",
            "Besluitenlijst vorige vergadering",
            "Voortgang actiepunten en toezeggingen",
            REQUEST,
            "Jaarverslagen van de ROM's",
            "Rondvraag",
            "Sluiting",
        ]
    )
    sec.get_by_role("button", name="Agenda publiceren").click()
    expect(flash(sec)).to_be_visible()
    expect(main(sec).get_by_text(re.compile("gepubliceerd op"))).to_be_visible()
    meeting_url = sec.url.split("#")[0]

    # Decisions wait for the meeting's day; the day comes (everyone signs in again).
    held = datetime.combine(meeting_date, time(12, 30), tzinfo=AMSTERDAM)
    restore = live_server.shift_clock(held - live_server.query(now))
    try:
        _after_the_meeting(live_server, new_context, meeting_url)
    finally:
        restore()


def _after_the_meeting(live_server: LiveServer, new_context: Any, meeting_url: str) -> None:
    sec = new_context().new_page()
    sign_in(sec, SECRETARIAAT)
    member = new_context().new_page()
    sign_in(member, MEMBER)

    # After the meeting: a decision on the province's item, and the concept besluitenlijst goes out.
    sec.goto(meeting_url)
    main(sec).get_by_role("link", name=REQUEST, exact=True).click()
    main(sec).get_by_role("link", name="Besluit vastleggen").click()
    sec.get_by_label("Besluit", exact=True).fill(DECISION)
    sec.get_by_role("button", name="Opslaan").click()
    expect(main(sec)).to_contain_text(DECISION)
    sec.goto(meeting_url)
    main(sec).get_by_role("link", name="Besluitenlijst").first.click()
    sec.get_by_label("Reageren kan tot en met").fill(live_server.query(today).isoformat())
    sec.get_by_role("button", name="Publiceren").click()
    expect(main(sec).locator("p.lead")).to_contain_text("Reageren kan tot en met")

    # The province comments on the decision.
    member.goto(meeting_url)
    main(member).get_by_role("link", name="Besluitenlijst").first.click()
    main(member).get_by_role("link", name=re.compile("^Reageren")).click()
    member.get_by_label("Uw reactie op dit besluit").fill("Graag ook de provinciale fondsen noemen.")
    member.get_by_role("button", name="Reactie versturen").click()
    expect(flash(member)).to_be_visible()
    expect(main(member)).to_contain_text("Graag ook de provinciale fondsen noemen.")
    shoot(member, "besluit-met-reactie")

    # The secretariat answers it; once the term has passed, it adopts the besluitenlijst.
    sec.reload()
    main(sec).get_by_role("link", name="Verwerken").click()
    sec.get_by_label("Verwerking").select_option(label="Beantwoorden: de tekst blijft")
    sec.get_by_label("Antwoord aan de indiener").fill("De provinciale fondsen komen in het voorstel aan bod.")
    sec.get_by_role("button", name="Verwerken").click()
    expect(main(sec)).to_contain_text("0 reacties staan nog open")
    besluitenlijst_url = sec.url.split("#")[0]
    restore = live_server.shift_clock(timedelta(days=1))
    try:
        later = new_context().new_page()  # the next day, in a new session
        sign_in(later, SECRETARIAAT)
        later.goto(besluitenlijst_url)
        later.get_by_role("button", name="Besluitenlijst vaststellen").click()
        expect(later.locator("p.lead")).to_contain_text("Vastgesteld op")
        expect(main(later)).to_contain_text("De provinciale fondsen komen in het voorstel aan bod.")
    finally:
        restore()
