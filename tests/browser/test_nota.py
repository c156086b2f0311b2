"""The memo of seed 004 (DGBI / 27293059) walks its parafenroute in the browser: the author offers it,
the director and the director-general initial it, the minister decides. Each finds it under
*Mijn acties* when it is their turn."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.helpers import flash, main, shoot, sign_out

AUTEUR = "beleid@ezk.test"
DIRECTEUR = "directeur.top@ezk.test"
DG = "dg.bi@ezk.test"
MINISTER = "minister@ezk.test"
MEMO = re.compile(r"Aanbieding Kamerbrief")


def state(page: Page) -> Any:
    return page.locator(".steps [aria-current=step]")


def open_from_my_actions(page: Page, heading: str) -> None:
    """Open the memo from its section of *Mijn acties*: the list right under that heading."""
    page.get_by_role("link", name="Mijn acties").click()
    section = main(page).get_by_role("heading", name=heading)
    expect(section).to_be_visible()
    section.locator("xpath=following-sibling::ul[1]").get_by_role("link", name=MEMO).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Aanbieding Kamerbrief"))
    expect(main(page)).to_contain_text("DGBI / 27293059")


def take_step(page: Page, heading: str, before: str, button: str, after: str) -> None:
    """Open the memo from *Mijn acties*, in state ``before``, and move it on with ``button`` to ``after``."""
    open_from_my_actions(page, heading)
    expect(state(page)).to_have_text(before)
    page.get_by_role("button", name=button).click()
    expect(flash(page)).to_be_visible()
    expect(state(page)).to_have_text(after)


def test_memo_walks_its_parafenroute_to_the_ministers_decision(people: Any) -> None:
    author = people(AUTEUR)
    take_step(author, "Mijn nota's", "concept", "Ter parafering aanbieden", "ter parafering")
    expect(author.locator("ol.route > li[aria-current=step]")).to_contain_text("aan de beurt")
    expect(author.locator("ol.route > li[aria-current=step]")).to_contain_text("Willem Koster")
    # Not the author's turn: no paraaf button for them.
    expect(author.get_by_role("button", name="Paraferen")).to_have_count(0)

    for email, name, button in [(DIRECTEUR, "Willem Koster", "Paraferen"), (DG, "Anouk Verbeek", "Paraferen")]:
        signer = people(email)
        open_from_my_actions(signer, "Aan u: paraferen of beslissen")
        expect(signer.locator("ol.route > li[aria-current=step]")).to_contain_text(name)
        signer.get_by_label(re.compile(r"^Opmerking \(optioneel\) \(paraferen\)")).fill(f"Akkoord, {name}.")
        signer.get_by_role("button", name=button, exact=True).click()
        expect(flash(signer)).to_be_visible()
        expect(signer.locator("ol.route")).to_contain_text(f"Akkoord, {name}.")
        if email == DIRECTEUR:
            shoot(signer, "nota-parafenroute")
        sign_out(signer)

    minister = people(MINISTER)
    take_step(minister, "Aan u: paraferen of beslissen", "ter beslissing", "Besluiten conform advies", "besloten")
    expect(minister.locator("ol.route")).to_contain_text("besloten op")

    # The author sees the outcome; nobody has a step left to take.
    author.reload()
    expect(state(author)).to_have_text("besloten")
    expect(author.get_by_role("heading", name="Volgende stap")).to_have_count(0)
