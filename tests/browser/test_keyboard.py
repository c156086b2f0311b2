"""Keyboard only: Tab, Shift+Tab, Enter, Space and typing, no mouse. The skip link leads to the content,
every stop shows where the focus is, and the main flow works: a member submits an agenda request, the
author offers a nota and the first signatory initials it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import select

from auth.models import User
from cases.services import cases as case_services
from cases.services import nota
from core.acting import origin
from core.extensions import db
from tests.browser.conftest import LiveServer
from tests.browser.helpers import focused, tab_to
from tests.conftest import DEMO_PASSWORD, find_body

NOTA_TITLE = "Beantwoording Kamervragen over netcongestie in de Brainportregio"


def skip_to_content(page: Page) -> None:
    """The first Tab stop is the skip link, shown when focused; Enter moves the focus into <main>."""
    page.keyboard.press("Tab")
    link = focused(page)
    assert link is not None and link["text"] == "Naar de inhoud", link
    assert link["focusVisible"] and link["outline"], link
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def keyboard_sign_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    skip_to_content(page)
    tab_to(page, "E-mailadres")
    page.keyboard.type(email)
    tab_to(page, "Wachtwoord")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def follow(page: Page, name: str | re.Pattern[str], key: str = "Enter") -> dict[str, Any]:
    """Tab to a link or button and press Enter (or Space); wait for the page it leads to, which must be
    a page (200), not an error page (which has a heading too). Returns the element followed."""
    element = tab_to(page, name)
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    assert response is not None and response.status == 200, f"{name!r} led to {response and response.status}"
    return element


def test_member_submits_an_agenda_request_with_the_keyboard(page: Page) -> None:
    keyboard_sign_in(page, "economie@eindhoven.test")
    follow(page, "Overleggen")
    skip_to_content(page)
    follow(page, "BO-Brainport")
    expect(page.get_by_role("heading", level=1)).to_have_text("BO-Brainport")
    skip_to_content(page)
    follow(page, "Agendaverzoek indienen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agendaverzoek indienen")
    skip_to_content(page)
    tab_to(page, "Onderwerp")
    page.keyboard.type("Woningbouw voor kenniswerkers in Eindhoven")
    tab_to(page, re.compile("^Toelichting"))
    page.keyboard.type("De gemeente vraagt het Rijk om versnelling van de woningbouwafspraken.")
    tab_to(page, "Gevraagd")
    page.keyboard.type("ter bespreking")  # a closed <select> picks the option one types
    assert page.get_by_label("Gevraagd").input_value() == "ter_bespreking"
    # One stop back and forth again: Shift+Tab works as well.
    tab_to(page, re.compile("^Toelichting"), backwards=True)
    tab_to(page, "Gevraagd")
    follow(page, "Indienen", key="Space")
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Woningbouw voor kenniswerkers in Eindhoven")
    expect(page.locator(".steps [aria-current=step]")).to_have_text("ingediend")


def a_nota_in_concept(live_server: LiveServer) -> int:
    """A second memo like seed 004's, so that this test does not take the demo memo's first paraaf."""

    def make() -> int:
        def person(email: str) -> User:
            return db.session.scalars(select(User).where(User.email == email)).one()

        author, director, minister = (
            person(e) for e in ("beleid@ezk.test", "directeur.top@ezk.test", "minister@ezk.test")
        )
        body = find_body()
        with origin("test"):
            case = case_services.create_nota(
                author,
                body,
                title=NOTA_TITLE,
                kenmerk="DGBI / 27301234",
                description="De minister beantwoordt de Kamervragen over netcongestie in de Brainportregio.",
            )
            nota.add_route_step(author, case, user_id=director.id, capacity="directeur Topsectoren en Industriebeleid")
            nota.add_route_step(author, case, user_id=minister.id, capacity="Minister van EZK", decides=True)
        return case.id

    return live_server.query(make)


def test_nota_is_offered_and_initialled_with_the_keyboard(new_context: Any, live_server: LiveServer) -> None:
    a_nota_in_concept(live_server)
    title = re.compile(re.escape(NOTA_TITLE))

    author = new_context().new_page()
    keyboard_sign_in(author, "beleid@ezk.test")
    follow(author, "Mijn acties")
    skip_to_content(author)
    follow(author, title)
    skip_to_content(author)
    follow(author, "Ter parafering aanbieden", key="Space")
    expect(author.locator(".steps [aria-current=step]")).to_have_text("ter parafering")

    director = new_context().new_page()
    keyboard_sign_in(director, "directeur.top@ezk.test")
    follow(director, "Mijn acties")
    skip_to_content(director)
    follow(director, title)
    skip_to_content(director)
    tab_to(director, re.compile(r"^Opmerking \(optioneel\) \(paraferen\)"))
    director.keyboard.type("Akkoord.")
    follow(director, "Paraferen")
    expect(director.get_by_role("status")).to_be_visible()
    expect(director.locator("ol.route > li").first).to_contain_text("geparafeerd op")
    expect(director.locator("ol.route > li[aria-current=step]")).to_contain_text("beslist")


def test_search_from_the_header_and_open_a_hit_with_the_keyboard(page: Page) -> None:
    keyboard_sign_in(page, "economie@noord-brabant.test")
    tab_to(page, "Zoeken naar")
    page.keyboard.type("netcapaciteit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoeken")
    skip_to_content(page)
    tab_to(page, "Wissen")  # past the search form (whose field and theme list hold the word) to the results
    hit = tab_to(page, re.compile("netcapaciteit|elektriciteitsnet", re.IGNORECASE))
    target = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value is not None and navigation.value.status == 200, navigation.value
    # The hit's own page: its address, and its title (an item's, a case's) or its number (a decision's).
    assert urlsplit(page.url).path == target
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"{re.escape(hit['text'])}$|^Besluit \d"))
    expect(page.get_by_role("main")).to_contain_text(hit["text"])
