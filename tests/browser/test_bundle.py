"""A participant opens the vergaderbundel from the meeting page: it opens in the browser's PDF viewer, holds
the agenda and the documents the participant may see (and nothing of the other side's), and *alles
downloaden* brings the zip with the same documents, named by title."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pypdf
from playwright.sync_api import Page, expect

from tests.browser.helpers import main, pdf_viewer_opened, shoot

REGIO = "economie@noord-brabant.test"
RIJK_ONLY = "Annotatie voor de bewindspersonen"
REGIO_ONLY = "Inbreng regio: positie talentaanpak"
SHARED = "Notitie talentaanpak Brainportregio"


def bookmarks(reader: pypdf.PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(entries: list[Any]) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)

    walk(reader.outline)
    return titles


def open_march(page: Page) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleggen").click()
    main(page).get_by_role("link", name="BO-Brainport").click()
    main(page).get_by_role("link", name=re.compile("14 maart 2023")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BO-Brainport 14 maart 2023")


def test_participant_opens_the_vergaderbundel_in_the_browser(people: Any, demo: dict[str, Any]) -> None:
    page = people(REGIO)
    open_march(page)
    link = main(page).get_by_role("link", name="Vergaderbundel openen (PDF)")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href == f"/vergaderingen/{demo['march']}/vergaderbundel.pdf"
    link.click()
    expect(page).to_have_url(re.compile(r"/vergaderbundel\.pdf$"))
    pdf_viewer_opened(page)  # in the browser's own viewer, not a download
    page.wait_for_timeout(1500)  # the viewer draws the first pages
    shoot(page, "vergaderbundel")
    answer = page.context.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"].split(";")[0] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline")
    reader = pypdf.PdfReader(io.BytesIO(answer.body()))
    titles = bookmarks(reader)
    assert "Agenda" in titles and "Inhoud" in titles
    assert SHARED in titles and REGIO_ONLY in titles and RIJK_ONLY not in titles
    text = " ".join(p.extract_text() for p in reader.pages)
    for trace in ("27293059", "Rijk-intern", RIJK_ONLY):
        assert trace not in text


def test_participant_downloads_everything_as_a_zip(people: Any, demo: dict[str, Any]) -> None:
    page = people(REGIO)
    page.goto(f"/vergaderingen/{demo['march']}")
    with page.expect_download() as info:
        main(page).get_by_role("link", name="Alles downloaden (zip)").click()
    download = info.value
    assert download.suggested_filename == "vergaderbundel-bo-brainport-2023-03-14.zip"
    with zipfile.ZipFile(download.path()) as archive:
        names = sorted(archive.namelist())
    assert names == [
        "03 Inbreng regio - positie talentaanpak.pdf",
        "03 Notitie talentaanpak Brainportregio.pdf",
        "04 Strategische agenda Brainportregio.pdf",
        "vergaderbundel-bo-brainport-2023-03-14.pdf",
    ]
