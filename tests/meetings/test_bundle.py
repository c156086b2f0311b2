"""The vergaderbundel: one PDF per meeting and reader with the agenda and every document that reader may
see, in agenda order, with bookmarks, page numbers and a table of contents; and *alles downloaden*, a zip
with that PDF and the documents themselves.

Every bundle is opened with pypdf and read for its meaning (text, bookmarks, page labels, names), never
compared byte for byte. The expectations come from the demo's story and from what each side may see
(DESIGN.md), not from the code that builds the bundle."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import zipfile
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import delete, func, select

from audit.models import AuditRecord
from core.db import Audience
from core.extensions import db
from demo.pdf import pdf_of, text_pdf
from meetings.models import AgendaItem, AgendaItemKind, Document, Meeting, StoredFile
from meetings.services import agenda
from tests.conftest import docx_bytes, in_app, new_meeting, user, workbook

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
OUTSIDER = "economie@gelderland.test"  # a member of the ROM overleg only
MEMO = "DGBI / 27293059"


# --- reading a bundle ----------------------------------------------------------------------------------------


def get(client: Any, url: str) -> Any:
    """A response read to its end and closed (a file is sent from disk)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def bundle(client: Any, meeting_id: int) -> PdfReader:
    response = get(client, f"/vergaderingen/{meeting_id}/vergaderbundel.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def listing(client: Any, meeting_id: int) -> dict[str, bytes]:
    response = get(client, f"/vergaderingen/{meeting_id}/vergaderbundel.zip")
    assert response.status_code == 200, response.status_code
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    found: list[tuple[int, str, int]] = []

    def walk(entries: list[Any], depth: int) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                found.append((depth, entry.title, reader.get_destination_page_number(entry) + 1))

    walk(reader.outline, 0)
    return found


def pages(reader: PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def everything(reader: PdfReader) -> str:
    return " ".join(pages(reader)) + " " + " ".join(title for _d, title, _p in outline(reader))


def toc_entries(reader: PdfReader) -> dict[str, int]:
    """The table of contents as a reader reads it: each line's text and the page number after it."""
    page_of_toc = next(n for _d, title, n in outline(reader) if title == "Inhoud")
    lines = [line.strip() for line in reader.pages[page_of_toc - 1].extract_text().splitlines()]
    # The page number stands in a column of its own: the line after its entry.
    return {entry: int(number) for entry, number in itertools.pairwise(lines) if number.isdigit()}


@pytest.fixture(autouse=True)
def own_cache(app, tmp_path, monkeypatch) -> None:
    """Each test keeps its bundles apart: the database is rolled back after a test, files are not."""
    monkeypatch.setitem(app.config, "BUNDLE_CACHE_FOLDER", str(tmp_path / "bundels"))


@pytest.fixture
def march(app) -> int:
    with in_app(app):
        return db.session.scalars(select(Meeting.id).where(Meeting.title == "BO-Brainport 14 maart 2023")).one()


def add(app, meeting_id: int, title: str, content: bytes, filename: str = "stuk.pdf", **options: Any) -> int:
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_id)
        item_title = options.pop("item", None)
        item = (
            db.session.scalars(
                select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.title.like(f"{item_title}%"))
            ).one()
            if item_title
            else None
        )
        document = agenda.add_document(
            user(SEC), meeting, agenda_item=item, title=title, filename=filename, content=content, **options
        )
        db.session.flush()
        return document.id


# --- what each reader gets -----------------------------------------------------------------------------------


def test_the_rijk_and_the_regio_each_get_the_march_meeting_with_their_own_documents(clients, march):
    rijk, regio = bundle(clients(RIJK), march), bundle(clients(REGIO), march)
    shared = [
        "Notitie talentaanpak Brainportregio",  # the talent item's paper, for the whole table
        "Strategische agenda Brainportregio",
    ]
    rijk_titles = [title for _d, title, _p in outline(rijk)]
    regio_titles = [title for _d, title, _p in outline(regio)]
    for title in shared:
        assert title in rijk_titles and title in regio_titles
    assert "Annotatie voor de bewindspersonen" in rijk_titles
    assert "Annotatie voor de bewindspersonen" not in regio_titles
    assert "Inbreng regio: positie talentaanpak" in regio_titles
    assert "Inbreng regio: positie talentaanpak" not in rijk_titles
    assert "Rijk-intern" in everything(rijk) and "Rijk-intern" not in everything(regio)
    assert "regio-intern" in everything(regio) and "regio-intern" not in everything(rijk)


def test_the_bookmarks_follow_the_agenda_with_each_items_documents_under_it(clients, march):
    marks = outline(bundle(clients(REGIO), march))
    assert [(d, t) for d, t, _p in marks] == [
        (0, "Agenda"),
        (0, "Inhoud"),
        (0, "1. Opening en vaststelling van de agenda"),
        (0, "2. Ruimtelijke schaalsprong: de Brainportdeal"),
        (0, "3. Talent: aanpak voor de arbeidsmarktvraag in de Brainportregio"),
        (1, "Notitie talentaanpak Brainportregio"),
        (1, "Inbreng regio: positie talentaanpak"),
        (0, "4. Doorontwikkeling van de mainportstatus van Brainport-Eindhoven"),
        (1, "Strategische agenda Brainportregio"),
        (0, "5. Onderwerpen voor het volgende BO-Brainport"),
    ]


def test_each_bookmark_and_each_line_of_the_contents_leads_to_the_page_that_holds_it(clients, march):
    reader = bundle(clients(RIJK), march)
    text = pages(reader)
    marks = {title: page for _d, title, page in outline(reader)}
    assert text[marks["Agenda"] - 1].find("Agenda") >= 0 and "Datum" in text[marks["Agenda"] - 1]
    assert "Inhoud" in text[marks["Inhoud"] - 1]
    # The demo's documents open with their own heading (demo.pdf.text_pdf).
    headings = {
        "Annotatie voor de bewindspersonen": "Annotatie BO-Brainport 14 maart 2023 (Rijk-intern)",
        "Notitie talentaanpak Brainportregio": "Notitie talentaanpak Brainportregio",
        "Strategische agenda Brainportregio": "Strategische agenda Brainportregio",
    }
    contents = toc_entries(reader)
    for title, heading in headings.items():
        assert text[marks[title] - 1].startswith(heading) or f"{heading} " in text[marks[title] - 1]
        assert contents[title] == marks[title], title


def test_every_page_carries_its_number_and_the_labels_run_one_to_n(clients, march):
    reader = bundle(clients(REGIO), march)
    total = len(reader.pages)
    assert reader.page_labels == [str(n) for n in range(1, total + 1)]
    for number, text in enumerate(pages(reader), start=1):
        assert re.search(rf"\bpagina {number}\b", text), f"no page number on page {number}: {text[:200]}"
    # the documents' own pages as well, with the bundle's total
    marks = {title: page for _d, title, page in outline(reader)}
    assert f"pagina {marks['Strategische agenda Brainportregio']} van {total}" in pages(reader)[-1]


def test_the_regio_never_learns_of_a_rijk_only_document_not_even_from_the_page_count(app, clients, march):
    regio_client, rijk_client = clients(REGIO), clients(RIJK)
    before = bundle(regio_client, march)
    before_zip = sorted(listing(regio_client, march))
    memo = text_pdf("Nota aan de minister", [f"Kenmerk {MEMO}. Onderhandelingsruimte van het Rijk."])
    add(app, march, "Nota aan de minister (Rijk-intern)", memo, item="Talent", audience=Audience.RIJK)

    rijk = bundle(rijk_client, march)
    assert MEMO in everything(rijk) and "Nota aan de minister (Rijk-intern)" in everything(rijk)
    regio = bundle(regio_client, march)
    for trace in (MEMO, "27293059", "Nota aan de minister"):
        assert trace not in everything(regio)
    assert len(regio.pages) == len(before.pages)
    assert outline(regio) == outline(before)
    assert pages(regio) == pages(before)
    names = sorted(listing(regio_client, march))
    assert names == before_zip and not any("Nota" in name for name in names)
    assert any("Nota aan de minister" in name for name in listing(rijk_client, march))


def test_the_bundle_is_numbered_as_the_reader_sees_the_agenda(app, clients):
    with in_app(app):
        sec = user(SEC)
        meeting = new_meeting(date(2035, 3, 13))
        for title, audience in (
            ("Talentaanpak mbo", None),
            ("Rijksinterne lijn", Audience.RIJK),
            ("Netcapaciteit", None),
        ):
            item = agenda.add_agenda_item(
                sec, meeting, title=title, kind=AgendaItemKind.TER_BESPREKING, audience=audience
            )
            db.session.flush()
            agenda.add_document(
                sec,
                meeting,
                agenda_item=item,
                title=f"Stuk bij {title}",
                filename="stuk.pdf",
                content=text_pdf(f"Stuk bij {title}", ["Inhoud."]),
            )
        agenda.publish_agenda(sec, meeting)
        meeting_id = meeting.id
    regio = [t for d, t, _p in outline(bundle(clients(REGIO), meeting_id)) if d == 0]
    rijk = [t for d, t, _p in outline(bundle(clients(RIJK), meeting_id)) if d == 0]
    assert regio == ["Agenda", "Inhoud", "1. Talentaanpak mbo", "2. Netcapaciteit"]
    assert rijk == ["Agenda", "Inhoud", "1. Talentaanpak mbo", "2. Rijksinterne lijn", "3. Netcapaciteit"]
    assert sorted(name for name in listing(clients(REGIO), meeting_id) if not name.startswith("vergaderbundel")) == [
        "01 Stuk bij Talentaanpak mbo.pdf",
        "02 Stuk bij Netcapaciteit.pdf",
    ]


# --- Word, Excel and PowerPoint: a page in the bundle, the file in the zip ----------------------------------------


def test_office_files_get_a_page_that_names_them_and_go_into_the_zip(app, clients, march):
    word = docx_bytes("Begroting talentaanpak 2024.")
    excel = workbook([["Post", "Bedrag"]])
    add(app, march, "Begroting talentaanpak", word, "begroting-v7-DEF.docx", item="Talent")
    add(app, march, "Cijfers arbeidsmarkt", excel, "export.xlsx", item="Talent")
    reader = bundle(clients(REGIO), march)
    marks = {title: page for _d, title, page in outline(reader)}
    stand_in = pages(reader)[marks["Begroting talentaanpak"] - 1]
    assert "Begroting talentaanpak" in stand_in and "Begroting talentaanpak.docx" in stand_in
    assert "Word" in stand_in and "zit in de zip" in stand_in
    assert re.search(r"\b\d+ kB\b", stand_in)
    assert "Excel" in pages(reader)[marks["Cijfers arbeidsmarkt"] - 1]
    assert toc_entries(reader)["Begroting talentaanpak (Word, in de zip)"] == marks["Begroting talentaanpak"]
    files = listing(clients(REGIO), march)
    assert files["03 Begroting talentaanpak.docx"] == word
    assert files["03 Cijfers arbeidsmarkt.xlsx"] == excel


def test_the_zip_holds_the_bundle_and_each_readers_own_documents_named_by_title(app, clients, march):
    regio = listing(clients(REGIO), march)
    assert sorted(regio) == [
        "03 Inbreng regio - positie talentaanpak.pdf",
        "03 Notitie talentaanpak Brainportregio.pdf",
        "04 Strategische agenda Brainportregio.pdf",
        "vergaderbundel-bo-brainport-2023-03-14.pdf",
    ]
    assert sorted(listing(clients(RIJK), march)) == [
        "00 Annotatie voor de bewindspersonen.pdf",
        "03 Notitie talentaanpak Brainportregio.pdf",
        "04 Strategische agenda Brainportregio.pdf",
        "vergaderbundel-bo-brainport-2023-03-14.pdf",
    ]
    with in_app(app):
        stored = {d.title: d.sha256 for d in db.session.scalars(select(Document).where(Document.meeting_id == march))}
    assert (
        hashlib.sha256(regio["04 Strategische agenda Brainportregio.pdf"]).hexdigest()
        == (stored["Strategische agenda Brainportregio"])
    )
    inner = PdfReader(io.BytesIO(regio["vergaderbundel-bo-brainport-2023-03-14.pdf"]))
    assert "Inbreng regio: positie talentaanpak" in [t for _d, t, _p in outline(inner)]


# --- what a bad file does (nothing to the rest) ------------------------------------------------------------------


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Geheim stuk", ["Inhoud."]))))
    writer.encrypt(user_password="geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def cyclic_pdf() -> bytes:
    """A page tree that contains itself: a reader that follows it naively never ends."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    return pdf_of(objects)


def rotated_pdf() -> bytes:
    reader = PdfReader(io.BytesIO(text_pdf("Kaart netcapaciteit", ["Liggend."])))
    writer = PdfWriter()
    writer.add_page(reader.pages[0]).rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.7\n" + b"\x00 niets dan rommel " * 200, "beschadigd of geen geldige PDF"),
        (encrypted_pdf(), "met een wachtwoord beveiligd"),
        (cyclic_pdf(), "beschadigd of geen geldige PDF"),
    ],
    ids=["garbage", "encrypted", "cyclic"],
)
def test_a_pdf_that_cannot_go_in_gets_a_page_that_says_why_and_the_rest_is_there(app, clients, march, content, reason):
    add(app, march, "Kapot stuk", content, "kapot.pdf", item="Talent")
    reader = bundle(clients(REGIO), march)
    marks = {title: page for _d, title, page in outline(reader)}
    page = pages(reader)[marks["Kapot stuk"] - 1]
    assert "Dit stuk kon niet in de vergaderbundel" in page and reason in page
    assert "Kapot stuk.pdf" in page
    assert "Strategische agenda Brainportregio" in pages(reader)[marks["Strategische agenda Brainportregio"] - 1]
    assert "03 Kapot stuk.pdf" in listing(clients(REGIO), march)  # as uploaded, for whoever can open it


def test_a_document_past_the_page_limit_is_left_out_and_a_smaller_one_after_it_still_goes_in(
    app, clients, march, monkeypatch
):
    monkeypatch.setitem(app.config, "BUNDLE_MAX_PAGES", 3)
    long_one = PdfWriter()
    for _ in range(3):
        long_one.add_page(PdfReader(io.BytesIO(text_pdf("Lang rapport", ["Inhoud."]))).pages[0])
    out = io.BytesIO()
    long_one.write(out)
    add(app, march, "Lang rapport", out.getvalue(), item="Talent")
    reader = bundle(clients(REGIO), march)
    marks = {title: page for _d, title, page in outline(reader)}
    page = pages(reader)[marks["Lang rapport"] - 1]
    assert "Het stuk heeft 3 pagina's" in page and "meer dan 3 pagina's" in page
    # Two one-page documents went in before it; the one after it (item 4) still fits.
    assert pages(reader)[marks["Strategische agenda Brainportregio"] - 1].startswith("Strategische agenda")


def test_the_bundle_reads_no_more_than_its_size_limit(app, clients, march, monkeypatch):
    monkeypatch.setitem(app.config, "BUNDLE_MAX_MB", 0)
    reader = bundle(clients(REGIO), march)
    marks = {title: page for _d, title, page in outline(reader)}
    page = pages(reader)[marks["Notitie talentaanpak Brainportregio"] - 1]
    assert "meer dan 0 MB aan stukken" in page


def test_a_file_missing_from_storage_is_named_in_the_bundle_and_left_out_of_the_zip(app, clients, march):
    data = text_pdf("Verdwenen stuk", ["Inhoud."])
    add(app, march, "Verdwenen stuk", data, item="Talent")
    with in_app(app):
        # as after the move into the database, when its file was missing from the instance folder
        db.session.execute(delete(StoredFile).where(StoredFile.sha256 == hashlib.sha256(data).hexdigest()))
    reader = bundle(clients(REGIO), march)
    marks = {title: page for _d, title, page in outline(reader)}
    assert "ontbreekt op de server" in pages(reader)[marks["Verdwenen stuk"] - 1]
    assert not any("Verdwenen" in name for name in listing(clients(REGIO), march))


def test_a_landscape_page_gets_its_number_too(app, clients, march):
    add(app, march, "Kaart netcapaciteit", rotated_pdf(), item="Talent")
    reader = bundle(clients(REGIO), march)
    marks = {title: page for _d, title, page in outline(reader)}
    number = marks["Kaart netcapaciteit"]
    assert int(reader.pages[number - 1].get("/Rotate", 0)) == 90
    assert f"pagina {number} van {len(reader.pages)}" in pages(reader)[number - 1]


# --- who may open it -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["pdf", "zip"])
def test_a_concept_agendas_bundle_is_for_the_secretariat_only(app, clients, suffix):
    with in_app(app):
        meeting = new_meeting(date(2036, 3, 11))
        agenda.add_agenda_item(user(SEC), meeting, title="Conceptpunt", kind=AgendaItemKind.HAMERSTUK)
        meeting_id = meeting.id
    url = f"/vergaderingen/{meeting_id}/vergaderbundel.{suffix}"
    assert get(clients(SEC), url).status_code == 200
    for member in (RIJK, REGIO, OUTSIDER):
        assert get(clients(member), url).status_code == 404


@pytest.mark.parametrize("suffix", ["pdf", "zip"])
def test_whoever_may_not_see_the_meeting_gets_a_404(clients, march, suffix):
    assert get(clients(OUTSIDER), f"/vergaderingen/{march}/vergaderbundel.{suffix}").status_code == 404


def test_the_bundle_opens_in_the_browser_and_the_zip_downloads(app, clients, march):
    reader = clients(REGIO)
    with in_app(app):
        before = db.session.scalar(select(func.count(AuditRecord.id)))
    pdf = get(reader, f"/vergaderingen/{march}/vergaderbundel.pdf")
    assert pdf.headers["Content-Disposition"] == "inline; filename=vergaderbundel-bo-brainport-2023-03-14.pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    archive = get(reader, f"/vergaderingen/{march}/vergaderbundel.zip")
    assert archive.headers["Content-Disposition"] == "attachment; filename=vergaderbundel-bo-brainport-2023-03-14.zip"
    assert archive.headers["Cache-Control"] == "no-store"
    with in_app(app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before, "opening the bundle changed something"


def test_the_meeting_page_links_the_bundle_for_members(clients, march):
    page = clients(REGIO).get(f"/vergaderingen/{march}").get_data(as_text=True)
    assert f'href="/vergaderingen/{march}/vergaderbundel.pdf"' in page
    assert f'href="/vergaderingen/{march}/vergaderbundel.zip" download' in page


# --- kept for the next reader with the same view, never across what the policy separates ----------------------------


def test_a_bundle_is_made_once_per_view_and_again_when_what_that_reader_sees_changes(app, clients, march, monkeypatch):
    from meetings.papers import bundle_pdf as bundles

    made: list[str] = []
    real = bundles.render

    def counting(content: Any, *args: Any) -> bytes:
        made.append(content.agenda.items[0].title)
        return real(content, *args)

    monkeypatch.setattr(bundles, "render", counting)
    rijk, regio, waarnemer = clients(RIJK), clients(REGIO), clients("beleid@ienw.test")
    bundle(rijk, march)
    bundle(rijk, march)
    assert len(made) == 1, "the same reader's same bundle is made once"
    bundle(waarnemer, march)
    assert len(made) == 1, "another Rijk reader who sees the same gets the same bundle"
    bundle(regio, march)
    assert len(made) == 2, "the regio sees other documents: a bundle of its own"
    # A Rijk-only document changes the Rijk's bundle and leaves the regio's as it was.
    add(app, march, "Rijksnotitie", text_pdf("Rijksnotitie", ["Inhoud."]), item="Talent", audience=Audience.RIJK)
    bundle(regio, march)
    assert len(made) == 2
    assert "Rijksnotitie" in everything(bundle(rijk, march))
    assert len(made) == 3
    # A document for the whole table makes a new bundle for everyone who sees it.
    add(app, march, "Gezamenlijke notitie", text_pdf("Gezamenlijke notitie", ["Inhoud."]), item="Talent")
    assert "Gezamenlijke notitie" in everything(bundle(regio, march))
    assert "Gezamenlijke notitie" in everything(bundle(waarnemer, march))
    assert len(made) == 5


def test_no_more_bundles_are_kept_than_configured(app, clients, march, monkeypatch):
    from meetings.papers import bundle_pdf as bundles

    monkeypatch.setitem(app.config, "BUNDLE_CACHE_ENTRIES", 1)
    bundle(clients(RIJK), march)
    bundle(clients(REGIO), march)
    with in_app(app):
        assert len(list(bundles._cache_folder().glob("*.pdf"))) == 1
