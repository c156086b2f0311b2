"""A participant opens a document of a published agenda: a PDF opens in the browser's viewer, under the
document's title."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.helpers import main, pdf_viewer_opened

PARTICIPANT = "economie@eindhoven.test"


def test_participant_downloads_a_document_of_the_published_agenda(people: Any, demo: dict[str, Any]) -> None:
    page = people(PARTICIPANT)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleggen").click()
    main(page).get_by_role("link", name="BO-Brainport").click()
    main(page).get_by_role("link", name=re.compile("14 maart 2023")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BO-Brainport 14 maart 2023")
    agenda = main(page).locator("ol.agenda")
    item = agenda.locator("li", has=page.get_by_role("link", name=demo["document_title"], exact=True))
    item.locator("a.agenda-title").click()
    expect(page).to_have_url(re.compile(rf"/agendapunten/{demo['march_item']}$"))
    link = main(page).get_by_role("link", name=demo["document_title"], exact=True)
    href = link.get_attribute("href")
    assert href == f"/documenten/{demo['document']}/download"
    link.click()
    expect(page).to_have_url(re.compile(rf"{href}$"))
    pdf_viewer_opened(page)
    answer = page.context.request.get(href)
    assert answer.status == 200 and answer.body()[:5] == b"%PDF-"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("inline") and f"{demo['document_title']}.pdf" in disposition  # named by title


def test_documents_of_an_unpublished_agenda_stay_hidden(people: Any, demo: dict[str, Any]) -> None:
    page = people(PARTICIPANT)
    page.goto(f"/vergaderingen/{demo['upcoming']}")
    expect(main(page)).to_contain_text("De agenda is nog niet gepubliceerd")
    response = page.goto(f"/agendapunten/{demo['upcoming_item']}")
    assert response is not None and response.status == 404
