"""A participant opens a document of a published agenda: the download starts, and it is the PDF."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.helpers import main

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
    with page.expect_download() as download_info:
        main(page).get_by_role("link", name=demo["document_title"], exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = download.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_documents_of_an_unpublished_agenda_stay_hidden(people: Any, demo: dict[str, Any]) -> None:
    page = people(PARTICIPANT)
    page.goto(f"/vergaderingen/{demo['upcoming']}")
    expect(main(page)).to_contain_text("De agenda is nog niet gepubliceerd")
    response = page.goto(f"/agendapunten/{demo['upcoming_item']}")
    assert response is not None and response.status == 404
