"""Downloading the papers: the agenda from the meeting page and the besluitenlijst from its page, each as
Word and as PDF. The files arrive as downloads of the right type, open with python-docx and pypdf, hold the
meeting's decisions, and a regio participant's copy has nothing of the Rijk's own."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pypdf
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.db import Audience
from core.extensions import db
from meetings.models import Decision
from tests.browser.conftest import LiveServer
from tests.browser.helpers import main

RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
MEMO_TRACES = ("27293059", "Aanbieding Kamerbrief")
RIJK_ONLY = "Annotatie voor de bewindspersonen"  # a Rijk-only paper of the March 2023 meeting
REGIO_ONLY = "Inbreng regio: positie talentaanpak"  # and the regio's own
TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def words(text: str) -> str:
    """Text with every run of white space as one space: a PDF breaks lines where the page ends."""
    return re.sub(r"\s+", " ", text).strip()


def text_of(data: bytes, extension: str) -> str:
    if extension == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 1
        return words(" ".join(page.extract_text() or "" for page in reader.pages))
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return words(" ".join([p.text for p in document.paragraphs] + cells))


def download(page: Page, link: str, extension: str) -> tuple[str, str]:
    """Click the download link; return the file's suggested name and its text. The server's answer must
    carry the file's media type and offer it as an attachment."""
    anchor = main(page).get_by_role("link", name=link, exact=True)
    href = anchor.get_attribute("href")
    assert href is not None and href.endswith(f".{extension}"), href
    with page.expect_download() as info:
        anchor.click()
    downloaded = info.value
    assert downloaded.failure() is None, downloaded.failure()
    path = downloaded.path()
    with open(path, "rb") as f:
        data = f.read()
    # The headers, asked again with the same session: Playwright does not report a download's response.
    answer = page.context.request.get(href)
    assert answer.status == 200, answer.status
    assert answer.headers["content-type"].split(";")[0] == TYPES[extension]
    assert answer.headers.get("content-disposition", "").startswith("attachment")
    assert len(answer.body()) > 1000
    return downloaded.suggested_filename, text_of(data, extension)


def march_decisions(live_server: LiveServer, march: int) -> list[str]:
    """The texts of the March 2023 meeting's decisions (all of them for the whole overleg)."""

    def find() -> list[str]:
        rows = db.session.execute(select(Decision.text, Decision.audience).where(Decision.meeting_id == march)).all()
        assert rows and all(a in (Audience.OVERLEG, Audience.OPENBAAR) for _, a in rows), rows
        return [words(t) for t, _ in rows]

    return live_server.query(find)


def open_march_meeting(page: Page) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleggen").click()
    main(page).get_by_role("link", name="BO-Brainport").click()
    main(page).get_by_role("link", name=re.compile("14 maart 2023")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BO-Brainport 14 maart 2023")


@pytest.mark.parametrize("extension", ["pdf", "docx"])
def test_regio_participant_downloads_the_agenda_and_the_besluitenlijst(
    people: Any, live_server: LiveServer, demo: dict[str, Any], extension: str
) -> None:
    decisions = march_decisions(live_server, demo["march"])
    label = "PDF" if extension == "pdf" else "Word-bestand"
    page = people(REGIO)
    open_march_meeting(page)

    name, agenda = download(page, f"agenda als {label}", extension)
    assert name == f"agenda-bo-brainport-2023-03-14.{extension}"
    assert "BO-Brainport" in agenda and "14 maart 2023" in agenda
    assert "Talent: aanpak voor de arbeidsmarktvraag" in agenda
    assert REGIO_ONLY in agenda  # the regio's own paper is on its copy ...
    for trace in (RIJK_ONLY, *MEMO_TRACES):  # ... and nothing of the Rijk's
        assert trace not in agenda

    main(page).get_by_role("link", name="Besluitenlijst").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Besluitenlijst")
    name, besluitenlijst = download(page, f"besluitenlijst als {label}", extension)
    assert name == f"besluitenlijst-bo-brainport-2023-03-14.{extension}"
    for text in decisions:
        assert text[:60] in besluitenlijst, text
    for trace in (RIJK_ONLY, *MEMO_TRACES):
        assert trace not in besluitenlijst


def test_rijk_participants_agenda_leaves_out_the_regios_own_paper(people: Any, demo: dict[str, Any]) -> None:
    page = people(RIJK)
    page.goto(f"/vergaderingen/{demo['march']}")
    _, agenda = download(page, "agenda als PDF", "pdf")
    assert "Notitie talentaanpak Brainportregio" in agenda
    assert REGIO_ONLY not in agenda
