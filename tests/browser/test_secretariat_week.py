"""The secretariat's week in the browser: the beheerder keeps a body's standing items, the secretariat plans
a year of cycles at once, takes over the previous agenda and starts a cycle from the previous one; a
participant signs a seat of her organisation off with a stand-in, and on the meeting's day the
secretariat finds that in its attendance form."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.dates import AMSTERDAM, now, to_local, today
from core.extensions import db
from meetings.models import Cycle, Meeting
from tests.browser import axe
from tests.browser.conftest import LiveServer
from tests.browser.helpers import flash, main, sign_in
from tests.conftest import find_body

SECRETARIAAT = "secretariaat@ezk.test"
BEHEER = "beheer@regiotafel.test"
EINDHOVEN = "economie@eindhoven.test"  # Fatma Yilmaz: Eindhoven has two seats at BO-Brainport
BRABANT = "economie@noord-brabant.test"
WETHOUDER = "Wethouder economie, gemeente Eindhoven"
STAND_IN = "Directeur economie, gemeente Eindhoven"


def free_year(live_server: LiveServer, slug: str) -> int:
    """A year in which the body has no cycle yet."""

    def find() -> int:
        body = find_body(slug)
        taken = set(db.session.scalars(select(Cycle.year).where(Cycle.body_id == body.id)))
        year = today().year + 3
        while year in taken:
            year += 1
        return year

    return int(live_server.query(find))


def last_location(live_server: LiveServer, slug: str) -> str:
    """Where the body's last meeting was (a new cycle starts from it)."""

    def find() -> str:
        body = find_body(slug)
        return str(
            db.session.scalars(
                select(Meeting.location).where(Meeting.body_id == body.id).order_by(Meeting.starts_at.desc())
            ).first()
        )

    return str(live_server.query(find))


def titles(page: Page) -> list[str]:
    return [t.strip() for t in main(page).locator("ol.agenda > li .agenda-title").all_inner_texts()]


def test_the_beheerder_renames_a_standing_item_on_the_bodys_beheer_page(people: Any, request: Any) -> None:
    beheer = people(BEHEER)
    beheer.goto("/beheer/overleggen/bo-brainport")
    section = main(beheer)
    expect(section.get_by_role("heading", name="Vaste agendapunten")).to_be_visible()
    second = section.locator("fieldset", has_text="Vast agendapunt 2")
    expect(second.get_by_label("Titel")).to_have_value("Mededelingen")
    second.get_by_label("Titel").fill("Mededelingen en ingekomen stukken")
    section.get_by_role("button", name="Vaste agendapunten opslaan").click()
    expect(flash(beheer)).to_contain_text("Vaste agendapunten opgeslagen")
    expect(main(beheer).locator("fieldset", has_text="Vast agendapunt 2").get_by_label("Titel")).to_have_value(
        "Mededelingen en ingekomen stukken"
    )
    # Two progress items are refused next to their boxes; nothing is stored.
    main(beheer).locator("fieldset", has_text="Vast agendapunt 1").get_by_label(
        re.compile("^Voortgangsoverzicht")
    ).check()
    section.get_by_role("button", name="Vaste agendapunten opslaan").click()
    expect(main(beheer).locator("fieldset", has_text="Vast agendapunt 1").locator(".error")).to_contain_text(
        "Maar één vast agendapunt"
    )
    axe.check(beheer, request, "vaste agendapunten (fout)", role="secretariaatsweek")
    beheer.goto("/beheer/overleggen/bo-brainport")
    expect(
        main(beheer).locator("fieldset", has_text="Vast agendapunt 1").get_by_label(re.compile("^Voortgangsoverzicht"))
    ).not_to_be_checked()


def test_the_secretariat_plans_a_year_takes_over_the_previous_agenda_and_starts_from_the_last_meeting(
    people: Any, live_server: LiveServer, request: Any
) -> None:
    year = free_year(live_server, "rom-overleg")
    sec = people(SECRETARIAAT)
    sec.goto("/overleggen/rom-overleg")
    main(sec).get_by_role("link", name="Jaarplanning").click()
    expect(sec.get_by_role("heading", level=1)).to_contain_text("Jaarplanning")
    # The form starts from the body's last meeting.
    expect(sec.get_by_label("Plaats")).to_have_value(last_location(live_server, "rom-overleg"))
    sec.get_by_label("Jaar", exact=True).fill(str(year))
    sec.get_by_label("Vergadering in het voorjaar").fill(f"{year}-03-09")
    sec.get_by_label("Vergadering in het najaar").fill(f"{year}-04-13")  # a slip: April is no autumn
    sec.get_by_label("Plaats").fill("Provinciehuis Gelderland, Arnhem")
    sec.get_by_role("button", name="Cycli aanmaken").click()
    expect(main(sec).locator("#najaar-fout")).to_contain_text("niet in het najaar")
    axe.check(sec, request, "jaarplanning (fout)", role="secretariaatsweek")
    sec.get_by_label("Vergadering in het najaar").fill(f"{year}-10-12")
    sec.get_by_role("button", name="Cycli aanmaken").click()
    expect(flash(sec)).to_contain_text(f"Cyclus voorjaar {year} aangemaakt")
    expect(flash(sec)).to_contain_text(f"Cyclus najaar {year} aangemaakt")

    # The spring meeting starts with the standing items; the secretariat takes over its predecessor's
    # own items after a look at what they are.
    main(sec).get_by_role("link", name=f"Voorjaar {year}", exact=True).click()
    meeting_link = main(sec).locator("p.lead").get_by_role("link").first
    meeting_link.click()
    expect(main(sec).locator("ol.agenda > li")).to_have_count(6)
    main(sec).get_by_role("link", name="Agenda overnemen van vorige vergadering").click()
    expect(sec.get_by_role("heading", level=1)).to_have_text("Agenda overnemen van de vorige vergadering")
    axe.check(sec, request, "agenda overnemen", role="secretariaatsweek")
    offered = [t.strip() for t in main(sec).locator(".copy-title").all_inner_texts()]
    assert offered, "the previous meeting of the ROM overleg has items of its own"
    sec.get_by_role("button", name="Agendapunten overnemen").click()
    expect(flash(sec)).to_contain_text("zijn overgenomen")
    agenda = titles(sec)
    assert agenda[:4] == [
        "Opening",
        "Mededelingen",
        "Besluitenlijst vorige vergadering",
        "Voortgang actiepunten en toezeggingen",
    ]
    assert agenda[4:-2] == offered and agenda[-2:] == ["Rondvraag", "Sluiting"]

    # A further cycle starts from the last meeting: the autumn one just planned.
    sec.goto("/overleggen/rom-overleg/cycli/nieuw")
    expect(sec.get_by_label("Plaats")).to_have_value("Provinciehuis Gelderland, Arnhem")
    expect(sec.get_by_label("Zichtbaarheid van de vergadering")).to_have_value("overleg")
    expect(sec.get_by_label("De vaste agendapunten van dit overleg op de agenda zetten")).to_be_checked()


def _upcoming(live_server: LiveServer) -> tuple[int, datetime]:
    def find() -> tuple[int, datetime]:
        body = find_body()
        # The demo's coming BO-Brainport (other browser tests may plan later ones beside it).
        meeting = db.session.scalars(
            select(Meeting)
            .where(Meeting.body_id == body.id, Meeting.agenda_published_at.is_(None))
            .order_by(Meeting.starts_at)
        ).first()
        return meeting.id, meeting.starts_at

    meeting_id, starts_at = live_server.query(find)
    return meeting_id, starts_at


def test_a_participant_signs_a_seat_off_and_the_secretariat_finds_it_on_the_meetings_day(
    people: Any, live_server: LiveServer, new_context: Any, request: Any
) -> None:
    meeting_id, starts_at = _upcoming(live_server)
    member = people(EINDHOVEN)
    member.goto(f"/vergaderingen/{meeting_id}")
    section = main(member)
    expect(section.get_by_role("heading", name="Aan- en afmelden")).to_be_visible()
    seat = section.locator("fieldset", has_text=WETHOUDER)
    seat.get_by_label("Komt de zetelhouder?").select_option(label="Nee, vervangen door")
    seat.get_by_role("button", name=re.compile("^Doorgeven")).click()
    expect(main(member).locator("fieldset", has_text=WETHOUDER).locator(".error")).to_contain_text(
        "Vul in wie de zetel vervangt"
    )
    axe.check(member, request, "aan- en afmelden (fout)", role="deelnemer")
    seat = main(member).locator("fieldset", has_text=WETHOUDER)
    seat.get_by_label("Vervanger (naam en functie)").fill(STAND_IN)
    seat.get_by_role("button", name=re.compile("^Doorgeven")).click()
    expect(flash(member)).to_contain_text("doorgegeven aan het secretariaat")
    expect(main(member).locator("fieldset", has_text=WETHOUDER)).to_contain_text(f"vervangen door {STAND_IN}")

    # Another province's member sees only her own organisation's seat.
    brabant = people(BRABANT)
    brabant.goto(f"/vergaderingen/{meeting_id}")
    expect(main(brabant).locator("form[action$='/melden']")).to_have_count(1)
    expect(main(brabant)).not_to_contain_text(WETHOUDER)

    sec = people(SECRETARIAAT)
    sec.goto(f"/vergaderingen/{meeting_id}/aanwezigheid")
    expect(main(sec)).to_contain_text("Tot nu toe doorgegeven")
    expect(main(sec)).to_contain_text(f"vervangen door {STAND_IN}")
    axe.check(sec, request, "aanwezigheid (vooraf doorgegeven)", role="secretariaatsweek")

    # The meeting's day: the attendance form starts from what was said.
    held = datetime.combine(to_local(starts_at).date(), time(17), tzinfo=AMSTERDAM)
    restore = live_server.shift_clock(held - live_server.query(now))
    try:
        sec = new_context().new_page()
        sign_in(sec, SECRETARIAAT)
        sec.goto(f"/vergaderingen/{meeting_id}/aanwezigheid")
        seat = main(sec).locator("fieldset", has_text=WETHOUDER)
        expect(seat).to_contain_text("doorgegeven door Fatma Yilmaz")
        expect(seat.get_by_label("Aanwezigheid")).to_have_value("vervangen")
        expect(seat.get_by_label("Vervangen door")).to_have_value(STAND_IN)
        sec.get_by_role("button", name="Vastleggen").click()
        expect(flash(sec)).to_contain_text("Aanwezigheid vastgelegd")
        expect(main(sec).locator("#aanwezigheid + ul")).to_contain_text(f"vervangen door {STAND_IN}")
        # Signing in or off is over: the member's page no longer offers it.
        late = new_context().new_page()
        sign_in(late, EINDHOVEN)
        late.goto(f"/vergaderingen/{meeting_id}")
        expect(main(late).get_by_role("button", name=re.compile("^Doorgeven"))).to_have_count(0)
        expect(main(late).locator("#aanmelden + ul")).to_contain_text(f"vervangen door {STAND_IN}")
    finally:
        restore()
