"""The agenda and the besluitenlijst as Word and PDF: what the reader may see, numbered as the reader
sees it, and nothing of a paper that waits for publication."""

from __future__ import annotations

import io
import re
from datetime import date, time, timedelta
from typing import Any

import pytest
from babel.dates import format_date
from docx import Document as open_docx
from pypdf import PdfReader
from sqlalchemy import func, select

from audit.models import AuditRecord
from cases.models import Case, CaseType
from cases.services.cases import create_follow_up
from core.dates import today
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItemKind, Body, Meeting
from meetings.papers.docx import to_docx
from meetings.papers.pdf import Paper, PaperAction, PaperDecision, PaperItem, to_pdf
from meetings.services import agenda, decisions
from tests.conftest import in_app, meeting_held, new_meeting, user
from tests.meetings.builders import meeting_with_items

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
OUTSIDER = "economie@gelderland.test"  # a member of other bodies, not of BO-Brainport
PAPERS = ["agenda.docx", "agenda.pdf", "besluitenlijst.docx", "besluitenlijst.pdf"]
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def flat(text: str) -> str:
    """Whitespace folded: a PDF wraps its lines, a Word paragraph separates number and title by a tab."""
    return " ".join(text.split())


def docx_text(data: bytes) -> str:
    """Everything a reader of the Word file sees: body paragraphs, the facts table, headers and footers."""
    document = open_docx(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            parts += [p.text for p in part.paragraphs]
    return flat("\n".join(parts))


def pdf_text(data: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def paper_text(response: Any) -> str:
    extension = response.request.path.rsplit(".", 1)[1]
    assert response.status_code == 200, response.status_code
    assert response.mimetype == MIMETYPES[extension]
    assert response.headers["Cache-Control"] == "no-store"
    return docx_text(response.data) if extension == "docx" else pdf_text(response.data)


def download(client: Any, meeting_id: int, paper: str) -> str:
    return paper_text(client.get(f"/vergaderingen/{meeting_id}/{paper}"))


def numbers(data: bytes, style: str) -> list[str]:
    """The numbers in front of the Word file's paragraphs of one style (items: "Heading 2", decisions:
    "Besluit"), as the reader reads them."""
    document = open_docx(io.BytesIO(data))
    return [p.text.split("\t", 1)[0].rstrip(".") for p in document.paragraphs if p.style.name == style]


def dutch_day(day: date) -> str:
    return format_date(day, "d MMMM yyyy", locale="nl")


def meeting_form(**changes: Any) -> dict[str, Any]:
    """The meeting form of the BO-Brainport of 14 March 2023 as it stands, with ``changes``."""
    data = {
        "meeting_date": "2023-03-14",
        "start_time": "13:00",
        "end_time": "15:00",
        "location": "Ministerie van Economische Zaken en Klimaat, Den Haag",
        "chair": "Minister van Economische Zaken en Klimaat",
        "kenmerk": "",
    }
    return {**data, **changes}


# --- content ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["docx", "pdf"])
def test_the_march_2023_papers_hold_body_meeting_facts_items_decisions_and_actions(app, clients, march_2023, extension):
    sec = clients(SEC)
    saved = sec.post_form(f"/vergaderingen/{march_2023}/bewerken", meeting_form(kenmerk="BOB-2023/0314"))
    assert saved.status_code == 302
    reader = clients(RIJK)  # signing in is audited; the downloads after it are not changes
    with in_app(app):
        before = db.session.scalar(select(func.count(AuditRecord.id)))
        talent = db.session.scalars(select(Case).where(Case.title.like("Gedragen aanpak talent%"))).one()
        talent_due = dutch_day(talent.due_date)
    agenda_text = download(reader, march_2023, f"agenda.{extension}")
    besluiten = download(reader, march_2023, f"besluitenlijst.{extension}")
    for text in (agenda_text, besluiten):
        assert "BO-Brainport 14 maart 2023" in text  # body and meeting
        assert "dinsdag 14 maart 2023" in text and "13:00–15:00 uur" in text
        assert "Ministerie van Economische Zaken en Klimaat, Den Haag" in text
        assert "Kenmerk BOB-2023/0314" in text
    assert "Agenda" in agenda_text and "gepubliceerd op 7 maart 2023" in agenda_text
    # Start times from the items' durations (5, 20, 40, 40 and 15 minutes from 13:00).
    assert "1. Opening en vaststelling van de agenda 13:00 uur · 5 min. · hamerstuk" in agenda_text
    assert (
        "3. Talent: aanpak voor de arbeidsmarktvraag in de Brainportregio 13:25 uur · 40 min. · ter besluitvorming"
        in agenda_text
    )
    assert "5. Onderwerpen voor het volgende BO-Brainport 14:45 uur · 15 min." in agenda_text
    assert "indiener: Brainport Development" in agenda_text
    assert "Stukken: – Strategische agenda Brainportregio" in agenda_text
    assert "Stukken bij de vergadering" in agenda_text
    assert "Besluitenlijst" in besluiten and "vastgesteld op 12 april 2023" in besluiten
    assert "Gedeputeerde economie, provincie Noord-Brabant: aanwezig" in besluiten
    assert "2.1 Het BO-Brainport neemt kennis van het besluit in het BO-MIRT van 9 november 2022" in besluiten
    assert "1,6 miljard" in besluiten
    assert "4.2 De minister van EZK informeert de Tweede Kamer" in besluiten
    assert "Actiepunt: AP-9 Gedragen aanpak talent uitwerken" in besluiten
    assert f"Eigenaar: Brainport Development (Pieter Smits) · Gereed op: {talent_due}" in besluiten
    assert "DGBI / 27293059" in besluiten  # the Rijk reader sees the memo that follows from 4.2
    with in_app(app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before, "a download changed something"


def test_the_papers_are_named_after_the_body_and_the_day(clients, march_2023):
    response = clients(RIJK).get(f"/vergaderingen/{march_2023}/besluitenlijst.docx")
    assert "besluitenlijst-bo-brainport-2023-03-14.docx" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_the_meeting_page_and_the_besluitenlijst_link_to_the_papers(clients, march_2023):
    reader = clients(REGIO)
    page = reader.get(f"/vergaderingen/{march_2023}").get_data(as_text=True)
    assert f"/vergaderingen/{march_2023}/agenda.docx" in page and f"/vergaderingen/{march_2023}/agenda.pdf" in page
    page = reader.get(f"/vergaderingen/{march_2023}/besluitenlijst").get_data(as_text=True)
    assert f"/vergaderingen/{march_2023}/besluitenlijst.pdf" in page


# --- only what the reader may see, numbered as the reader sees it ----------------------------------------------


def _meeting(app, year: int, **state: Any) -> int:
    """A BO-Brainport meeting in ``year`` in the state asked for (see ``meeting_with_items``; decisions
    need the ``clock``, which is left after the meeting)."""
    with in_app(app):
        return meeting_with_items(year, **state)


@pytest.fixture
def mixed_meeting(app, clock) -> int:
    """Three items, the middle one Rijk-only; the first with a Rijk-only decision before a shared one,
    the last with a Rijk-only document and action beside shared ones."""
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(
            date(2034, 3, 14),
            start_time=time(13),
            end_time=time(15),
            location="Ministerie van Economische Zaken en Klimaat, Den Haag",
            kenmerk="BOB-2034/01",
        )
        body = db.session.get(Body, meeting.body_id)
        talent = agenda.add_agenda_item(sec, meeting, title="Talentaanpak mbo", kind=AgendaItemKind.TER_BESLUITVORMING)
        hidden = agenda.add_agenda_item(
            sec,
            meeting,
            title="Rijksinterne lijn voor de onderhandeling",
            kind=AgendaItemKind.TER_BESPREKING,
            audience=Audience.RIJK,
        )
        grid = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESLUITVORMING)
        db.session.flush()
        for title, audience in (("Notitie netcapaciteit", None), ("Annotatie Rijk netcapaciteit", Audience.RIJK)):
            agenda.add_document(
                sec,
                meeting,
                agenda_item=grid,
                title=title,
                filename="stuk.pdf",
                content=text_pdf(title, ["Inhoud."]),
                audience=audience,
            )
        agenda.publish_agenda(sec, meeting)
        db.session.flush()
        meeting_held(clock, meeting)
        decisions.add_decision(
            sec, talent, text="Het Rijk houdt de bijdrage aan tot de Voorjaarsnota.", audience=Audience.RIJK
        )
        decisions.add_decision(sec, talent, text="De regio werkt de talentaanpak uit.")
        decisions.add_decision(sec, hidden, text="EZK onderhandelt op de lijn van de annotatie.")
        shared = decisions.add_decision(sec, grid, text="De netbeheerder brengt de knelpunten in kaart.")
        db.session.flush()
        owner = user(REGIO).organisation_id
        for title, audience in (
            ("Knelpunten netcapaciteit inventariseren", None),
            ("Rijksinterne weging", Audience.RIJK),
        ):
            create_follow_up(
                sec,
                body,
                case_type=CaseType.ACTIEPUNT,
                title=title,
                decision=shared,
                owner_organisation_id=owner if audience is None else user(RIJK).organisation_id,
                due_date=date(2034, 6, 1),
                audience=audience,
            )
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=10))
        return meeting.id


RIJK_ONLY = [
    "Rijksinterne lijn voor de onderhandeling",
    "EZK onderhandelt op de lijn van de annotatie",
    "Het Rijk houdt de bijdrage aan",
    "Annotatie Rijk netcapaciteit",
    "Rijksinterne weging",
]


@pytest.mark.parametrize("paper", PAPERS)
def test_a_regio_reader_gets_no_rijk_internal_item_and_a_rijk_reader_does(clients, mixed_meeting, paper):
    regio = download(clients(REGIO), mixed_meeting, paper)
    rijk = download(clients(RIJK), mixed_meeting, paper)
    for text in RIJK_ONLY:
        assert text not in regio, text
    if paper.startswith("agenda"):
        assert "1. Talentaanpak mbo" in regio and "2. Netcapaciteit" in regio
        assert "Notitie netcapaciteit" in regio
        assert "2. Rijksinterne lijn voor de onderhandeling" in rijk and "3. Netcapaciteit" in rijk
        assert "Annotatie Rijk netcapaciteit" in rijk
    else:
        assert "1.1 De regio werkt de talentaanpak uit." in regio
        assert "2.1 De netbeheerder brengt de knelpunten in kaart." in regio
        assert "Knelpunten netcapaciteit inventariseren" in regio
        assert "1.1 Het Rijk houdt de bijdrage aan tot de Voorjaarsnota." in rijk
        assert "1.2 De regio werkt de talentaanpak uit." in rijk
        assert "2.1 EZK onderhandelt op de lijn van de annotatie." in rijk
        assert "3.1 De netbeheerder brengt de knelpunten in kaart." in rijk
        assert "Rijksinterne weging" in rijk
    assert "Kenmerk BOB-2034/01" in regio and "BO-Brainport 14 maart 2034" in regio


@pytest.mark.parametrize(
    ("email", "items", "decided"),
    [(REGIO, ["1", "2"], ["1.1", "2.1"]), (RIJK, ["1", "2", "3"], ["1.1", "1.2", "2.1", "3.1"])],
)
def test_the_numbers_run_without_a_gap_for_each_reader(clients, mixed_meeting, email, items, decided):
    reader = clients(email)
    agenda_file = reader.get(f"/vergaderingen/{mixed_meeting}/agenda.docx").data
    besluiten_file = reader.get(f"/vergaderingen/{mixed_meeting}/besluitenlijst.docx").data
    assert numbers(agenda_file, "Heading 2") == items
    assert numbers(besluiten_file, "Heading 2") == items
    assert numbers(besluiten_file, "Besluit") == decided
    # The PDF numbers alike: its decisions, in order, are the Word file's.
    pdf = pdf_text(reader.get(f"/vergaderingen/{mixed_meeting}/besluitenlijst.pdf").data)
    assert re.findall(r"\b(\d\.\d) [A-Z]", pdf) == decided


# --- papers that wait for publication, and readers outside the body ---------------------------------------------


@pytest.mark.parametrize("extension", ["docx", "pdf"])
def test_an_unpublished_agenda_is_the_secretariats_alone(app, clients, extension):
    meeting_id = _meeting(app, 2035, publish=False)
    for email in (RIJK, REGIO):
        reader = clients(email)
        for paper in ("agenda", "besluitenlijst"):
            response = reader.get(f"/vergaderingen/{meeting_id}/{paper}.{extension}")
            assert response.status_code == 404, (email, paper)
        assert "agenda.pdf" not in reader.get(f"/vergaderingen/{meeting_id}").get_data(as_text=True)
    text = download(clients(SEC), meeting_id, f"agenda.{extension}")
    assert "Conceptagenda" in text and "concept, alleen voor het secretariaat" in text
    assert "1. Opening hamerstuk" in text


@pytest.mark.parametrize("extension", ["docx", "pdf"])
def test_a_concept_besluitenlijst_is_the_secretariats_alone_until_it_is_published(app, clients, clock, extension):
    meeting_id = _meeting(app, 2036, release=False, clock=clock)
    for email in (RIJK, REGIO):
        reader = clients(email)
        assert reader.get(f"/vergaderingen/{meeting_id}/besluitenlijst.{extension}").status_code == 404
        assert "Opening" in download(reader, meeting_id, f"agenda.{extension}")  # the agenda is out
        page = reader.get(f"/vergaderingen/{meeting_id}/besluitenlijst").get_data(as_text=True)
        assert "besluitenlijst.pdf" not in page  # no link to a paper that is not there
    text = download(clients(SEC), meeting_id, f"besluitenlijst.{extension}")
    assert "Conceptbesluitenlijst" in text and "1.1 Besluit bij Opening." in text
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_id)
        decisions.publish_besluitenlijst(user(SEC), meeting, comments_deadline=today() + timedelta(days=10))
    text = download(clients(REGIO), meeting_id, f"besluitenlijst.{extension}")
    assert "Conceptbesluitenlijst" in text and "concept, ter commentaar tot en met" in text


@pytest.mark.parametrize("paper", PAPERS)
def test_someone_outside_the_body_gets_404_and_a_visitor_the_login(client, clients, march_2023, paper):
    assert clients(OUTSIDER).get(f"/vergaderingen/{march_2023}/{paper}").status_code == 404
    assert clients(REGIO).get(f"/vergaderingen/999999/{paper}").status_code == 404
    response = client.get(f"/vergaderingen/{march_2023}/{paper}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the kenmerk ------------------------------------------------------------------------------------------------


def test_the_secretariat_sets_and_clears_the_kenmerk_in_the_meeting_form(app, clients, march_2023):
    sec = clients(SEC)
    form = sec.get(f"/vergaderingen/{march_2023}/bewerken").get_data(as_text=True)
    assert 'name="kenmerk"' in form
    assert (
        sec.post_form(f"/vergaderingen/{march_2023}/bewerken", meeting_form(kenmerk="  EZK/BOB 2023-1 ")).status_code
        == 302
    )
    with in_app(app):
        assert db.session.get(Meeting, march_2023).kenmerk == "EZK/BOB 2023-1"
    assert "EZK/BOB 2023-1" in sec.get(f"/vergaderingen/{march_2023}").get_data(as_text=True)
    assert "EZK/BOB 2023-1" in sec.get(f"/vergaderingen/{march_2023}/bewerken").get_data(as_text=True)
    assert sec.post_form(f"/vergaderingen/{march_2023}/bewerken", meeting_form(kenmerk="   ")).status_code == 302
    with in_app(app):
        assert db.session.get(Meeting, march_2023).kenmerk is None
    assert "Kenmerk" not in download(sec, march_2023, "agenda.pdf")  # no reference the secretariat did not give


def test_a_kenmerk_that_is_too_long_gets_a_dutch_message_next_to_the_field(app, clients, march_2023):
    response = clients(SEC).post_form(f"/vergaderingen/{march_2023}/bewerken", meeting_form(kenmerk="K" * 61))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "te lang: hoogstens 60 tekens" in page and 'id="kenmerk-fout"' in page
    with in_app(app):
        assert db.session.get(Meeting, march_2023).kenmerk is None


def test_a_new_cycle_takes_its_kenmerk_from_the_cycle_form(app, clients):
    response = clients(SEC).post_form(
        "/overleggen/bo-brainport/cycli/nieuw",
        {**meeting_form(meeting_date="2037-03-10", kenmerk="BOB-2037/01"), "audience": "overleg"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with in_app(app):
        assert db.session.scalars(
            select(Meeting.kenmerk).where(Meeting.title == "BO-Brainport 10 maart 2037")
        ).one() == ("BOB-2037/01")


# --- a fixed number of queries, and any text the forms accept ---------------------------------------------------


@pytest.mark.parametrize("email", [SEC, REGIO])
def test_a_paper_takes_the_same_number_of_queries_for_5_and_40_items(app, clients, count_queries, clock, email):
    small, large = _meeting(app, 2038, items=5, clock=clock), _meeting(app, 2039, items=40, clock=clock)
    reader = clients(email)
    for paper in PAPERS:
        counts = []
        for meeting_id in (small, large):
            reader.get(f"/vergaderingen/{meeting_id}/{paper}")  # warm: the first request loads the session
            with count_queries() as counter:
                response = reader.get(f"/vergaderingen/{meeting_id}/{paper}")
            assert response.status_code == 200
            counts.append(counter.count)
        assert counts[0] == counts[1], (paper, counts)
        assert counts[0] <= 20, (paper, counts)
    # The large paper holds what the count claims to load; every fifth item is Rijk-only.
    text = download(reader, large, "besluitenlijst.pdf")
    assert "Besluit bij Punt 39." in text and "Actie Punt 39" in text
    assert ("Punt 35" in text) is (email == SEC)


def test_markup_control_characters_and_long_words_print_as_typed(app):
    odd = "Tekst met <b>opmaak</b> & \x0bbesturingstekens\x00: " + "x" * 400
    with in_app(app):
        paper = Paper(
            title="Besluitenlijst",
            body="BO <Brainport> & co",
            meeting="BO-Brainport 1 januari 2040",
            facts=(("Kenmerk", "A&B <1>"),),
            items=(
                PaperItem(
                    number="1",
                    title=odd,
                    kind="hamerstuk",
                    submitter="EZK & OCW",
                    documents=("Stuk <1>",),
                    decisions=(
                        PaperDecision(
                            number="1.1",
                            text=odd,
                            actions=(
                                PaperAction(kind="actiepunt", title="Doen & laten", owner="EZK", due=date(2040, 2, 1)),
                            ),
                        ),
                    ),
                ),
            ),
            empty="",
            reference="A&B <1>",
        )
        for text in (docx_text(to_docx(paper)), pdf_text(to_pdf(paper))):
            assert "Tekst met <b>opmaak</b> & besturingstekens:" in text
            assert "BO <Brainport> & co" in text and "A&B <1>" in text and "Stuk <1>" in text
            assert "Actiepunt: Doen & laten" in text and "Gereed op: 1 februari 2040" in text
            assert "x" * 40 in text.replace(" ", "")
