"""Search from the header's search box: type, press Enter, read the results, open a hit. The Rijk finds
its memo by the number in its kenmerk; the regio searches for the same number and finds nothing at all."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.helpers import main, shoot

RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"


def search_from_header(page: Page, words: str) -> None:
    """Type into the header's search box and press Enter, as a person does; wait for the results page."""
    box = page.get_by_role("search", name="Zoeken in Regiotafel").get_by_role("searchbox")
    box.fill(words)
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/zoeken\?q="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoeken")
    # The results page keeps the words in its own search field.
    expect(main(page).get_by_role("searchbox", name="Zoeken naar")).to_have_value(words)


def results(page: Page) -> Any:
    return main(page).locator("ol.search-results > li")


def test_participant_searches_a_word_form_and_opens_a_hit(people: Any, demo: dict[str, Any]) -> None:
    page = people(REGIO)
    search_from_header(page, "talenten")  # the plural finds the dossier "Talent Brainport"
    expect(main(page).get_by_role("status")).to_have_text(re.compile(r"^\d+ resultaten?"))
    hit = results(page).get_by_role("link", name=re.compile("Talent Brainport")).first
    expect(hit).to_be_visible()
    shoot(page, "zoeken")
    hit.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Talent Brainport")


def test_rijk_finds_the_memo_by_its_kenmerk(people: Any, demo: dict[str, Any]) -> None:
    page = people(RIJK)
    search_from_header(page, "27293059")
    hit = results(page).get_by_role("link", name=re.compile("Aanbieding Kamerbrief"))
    expect(hit).to_have_count(1)
    hit.click()
    expect(page).to_have_url(re.compile(rf"/zaken/{demo['nota']}$"))
    expect(main(page)).to_contain_text("DGBI / 27293059")


def test_regio_does_not_find_the_rijk_memo(people: Any) -> None:
    page = people(REGIO)
    for words in ("27293059", "DGBI 27293059", "Aanbieding Kamerbrief"):
        search_from_header(page, words)
        text = main(page).locator("ol.search-results").all_inner_texts()
        assert not any("27293059" in t or "Aanbieding Kamerbrief" in t for t in text), (words, text)
    search_from_header(page, "27293059")
    expect(results(page)).to_have_count(0)
    expect(main(page).get_by_role("status")).to_have_text(re.compile("Niets gevonden"))
