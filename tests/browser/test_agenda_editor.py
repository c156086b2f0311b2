"""The secretariat reorders an agenda in the browser: by dragging an item by its handle, and by the
keyboard way that works without JavaScript (*Naar plaats n*). Both end in the same POST; the page
comes back from the server with the new order. The page's Content-Security-Policy stays unbroken."""

from __future__ import annotations

import itertools
import re
from datetime import date, time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from meetings.models import AgendaItemKind
from meetings.services import agenda
from tests.browser import axe
from tests.browser.conftest import LiveServer
from tests.browser.helpers import flash, main, shoot, tab_to
from tests.conftest import new_meeting, user

SECRETARIAAT = "secretariaat@ezk.test"
TITLES = ["Opening", "Netcapaciteit rond de campussen", "Stikstofruimte", "Rondvraag"]

#: One cycle per half year: each test's meeting in a year no other test uses.
YEARS = itertools.count(2061)

#: Collects every CSP violation the page reports (added through DevTools, which the CSP does not govern).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample || ''));
});
"""


@pytest.fixture
def meeting(live_server: LiveServer) -> int:
    """A concept agenda of its own (so the demo's agendas stay as they are), in a year of its own."""
    year = next(YEARS)

    def make() -> int:
        sec = user(SECRETARIAAT)
        m = new_meeting(date(year, 3, 5), start_time=time(10), end_time=time(12))
        for title in TITLES:
            agenda.add_agenda_item(sec, m, title=title, kind=AgendaItemKind.TER_BESPREKING)
            db.session.flush()
        return int(m.id)

    return int(live_server.query(make))


def order(page: Page) -> list[str]:
    return [t.strip() for t in main(page).locator("ol.agenda > li .agenda-title").all_inner_texts()]


def numbers(page: Page) -> list[str]:
    return [n.strip() for n in main(page).locator("ol.agenda > li .agenda-number").all_inner_texts()]


def open_editor(page: Page, meeting: int) -> None:
    page.add_init_script(WATCH_CSP)
    page.goto(f"/vergaderingen/{meeting}")
    expect(main(page).locator("ol.agenda.is-sortable")).to_be_visible()  # the script ran


def csp_violations(page: Page) -> list[str]:
    return list(page.evaluate("() => window.__cspViolations || []"))


def test_secretariat_drags_an_item_to_the_top(people: Any, meeting: int, request: Any) -> None:
    page = people(SECRETARIAAT)
    open_editor(page, meeting)
    assert order(page) == TITLES
    rows = main(page).locator("ol.agenda > li")
    handle = rows.nth(3).locator(".drag-handle")
    expect(handle).to_be_visible()
    main(page).locator("ol.agenda").evaluate("(el) => el.scrollIntoView()")  # the whole list in the window
    start, target = handle.bounding_box(), rows.nth(0).bounding_box()
    assert start and target
    x = start["x"] + start["width"] / 2
    with page.expect_navigation():
        page.mouse.move(x, start["y"] + start["height"] / 2)
        page.mouse.down()
        for step in range(1, 21):  # a person's drag: small moves, up to the top of the first item
            page.mouse.move(x, start["y"] + (target["y"] + 5 - start["y"]) * step / 20)
            page.wait_for_timeout(20)
        page.mouse.up()
    expect(flash(page)).to_contain_text("Rondvraag staat nu op plaats 1.")
    assert order(page) == ["Rondvraag", "Opening", "Netcapaciteit rond de campussen", "Stikstofruimte"]
    assert numbers(page) == ["1.", "2.", "3.", "4."]
    assert csp_violations(page) == []
    axe.check(page, request, "agenda bewerken (na slepen)", role="secretariaatsweek")


def test_secretariat_moves_an_item_with_the_keyboard(people: Any, meeting: int) -> None:
    page = people(SECRETARIAAT)
    open_editor(page, meeting)
    main(page).focus()
    # Tab to the place select of the first item, choose place 3, and send it with the button after it.
    select = tab_to(page, re.compile(r"^Naar plaats \(Opening\)"))
    assert select["tag"] == "select"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#{select['id']}")).to_have_value("3")
    tab_to(page, re.compile(r"^Verplaatsen Opening"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("Opening staat nu op plaats 3.")
    assert order(page) == ["Netcapaciteit rond de campussen", "Stikstofruimte", "Opening", "Rondvraag"]
    assert csp_violations(page) == []


def test_without_javascript_the_agenda_is_reordered_by_the_forms_alone(new_context: Any, meeting: int) -> None:
    from tests.browser.helpers import sign_in

    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, SECRETARIAAT)
    page.goto(f"/vergaderingen/{meeting}")
    assert main(page).locator(".drag-handle").count() == 0  # no handle that would do nothing
    item = main(page).locator("ol.agenda > li", has=page.get_by_role("link", name="Stikstofruimte", exact=True))
    item.get_by_label(re.compile("^Naar plaats")).select_option("1")
    item.get_by_role("button", name=re.compile("^Verplaatsen")).click()
    expect(flash(page)).to_contain_text("Stikstofruimte staat nu op plaats 1.")
    assert order(page)[0] == "Stikstofruimte"


def test_the_editor_screenshot(people: Any, demo: dict[str, Any]) -> None:
    """The demo's next BO-Brainport as its secretariat edits it (for README.md; only with
    ``make screenshots``). It asserts what the picture is meant to show."""
    page = people(SECRETARIAAT)
    page.goto(f"/vergaderingen/{demo['upcoming']}")
    expect(main(page).locator("ol.agenda.is-sortable .drag-handle").first).to_be_visible()
    expect(main(page).get_by_label(re.compile("^Naar plaats")).first).to_be_visible()
    shoot(page, "agenda-bewerken", at="#agenda")
