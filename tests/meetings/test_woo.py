"""The Woo and archive package: DiWoo metadata that validates, and nothing that is not openbaar."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import xmlschema
from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from meetings.models import AgendaItem, Decision, Document, Meeting
from meetings.services import cycles
from tests.conftest import in_app, user

#: The schema as the standards folder hands it out, loaded as its README says (not our vendored copy).
STANDARD = Path(__file__).resolve().parents[3] / "shared" / "standards" / "diwoo-0.9.8"
VENDORED = Path(__file__).resolve().parents[2] / "meetings" / "woo" / "standards" / "diwoo-0.9.8"


@pytest.fixture(scope="module")
def diwoo_schema() -> xmlschema.XMLSchema:
    folder = STANDARD if STANDARD.exists() else VENDORED
    return xmlschema.XMLSchema(
        str(folder / "diwoo-metadata.xsd"),
        locations={"https://www.nationaalarchief.nl/mdto": str(folder / "mdto-stub.xsd")},
        allow="local",
    )


def download(clients, meeting_id: int) -> zipfile.ZipFile:
    response = clients("secretariaat@ezk.test").get(f"/vergaderingen/{meeting_id}/woo-pakket")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "woo-bo-brainport-20230314.zip" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def pdf_text(archive: zipfile.ZipFile, name: str) -> str:
    """The text of a PDF in the package, with line breaks folded (cells wrap their text)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(name))).pages)
    return " ".join(text.split())


def test_every_metadata_record_of_the_march_2023_package_validates_against_diwoo(clients, march_2023, diwoo_schema):
    archive = download(clients, march_2023)
    records = [name for name in archive.namelist() if name.endswith(".diwoo.xml")]
    files = [name for name in archive.namelist() if not name.endswith(".diwoo.xml") and name != "inhoud.json"]
    assert len(records) == len(files) >= 5
    for name in records:
        xml = archive.read(name).decode("utf-8")
        errors = [str(e.reason) for e in diwoo_schema.iter_errors(xml)]
        assert not errors, (name, errors)
        assert "https://identifier.overheid.nl/tooi/id/ministerie/mnre1045" in xml  # EZK publishes
        assert "https://identifier.overheid.nl/tooi/def/thes/kern/c_3a248e3a" in xml  # agenda's en besluitenlijsten
    agenda = archive.read("agenda.pdf.diwoo.xml").decode()
    assert "c_641ecd76" in agenda and "vaststelling" in agenda  # the agenda was established when published
    assert "https://identifier.overheid.nl/tooi/id/provincie/pv30" in agenda  # co-responsible at the table


def test_the_package_holds_nothing_that_is_not_openbaar(app, clients, march_2023):
    archive = download(clients, march_2023)
    index = json.loads(archive.read("inhoud.json"))
    document_ids = [
        int(f["identificatie"].rsplit("/", 1)[1]) for f in index["bestanden"] if "documenten/" in f["identificatie"]
    ]
    with in_app(app):
        documents = db.session.scalars(select(Document).where(Document.id.in_(document_ids))).all()
        assert documents and {d.audience.value for d in documents} == {"openbaar"}
        hidden_documents = db.session.scalars(
            select(Document.title).where(Document.meeting_id == march_2023, Document.audience != "openbaar")
        ).all()
        hidden_items = db.session.scalars(
            select(AgendaItem.title).where(AgendaItem.meeting_id == march_2023, AgendaItem.audience != "openbaar")
        ).all()
        hidden_decisions = db.session.scalars(
            select(Decision.text).where(Decision.meeting_id == march_2023, Decision.audience != "openbaar")
        ).all()
    assert hidden_documents  # the Rijk annotation and the regio input exist, and stay out
    text = "\n".join(pdf_text(archive, n) for n in archive.namelist() if n.endswith(".pdf") and "/" not in n)
    names = " ".join(archive.namelist())
    for title in [*hidden_documents, *hidden_items]:
        assert title not in text and title.lower().replace(" ", "-") not in names
    for decision in hidden_decisions:
        assert decision[:60] not in text
    assert "Annotatie" not in text and "Inbreng regio" not in text


def test_the_papers_hold_the_agenda_the_decisions_and_the_commitments(clients, march_2023):
    archive = download(clients, march_2023)
    agenda = pdf_text(archive, "agenda.pdf")
    assert "Ruimtelijke schaalsprong: de Brainportdeal" in agenda and "Strategische agenda Brainportregio" in agenda
    besluiten = pdf_text(archive, "besluitenlijst.pdf")
    assert "2.1" in besluiten and "1,6 miljard" in besluiten and "Kenmerk" in besluiten
    commitments = pdf_text(archive, "acties-en-toezeggingen.pdf")
    assert "19 oktober 2022" in commitments and "afgerond" in commitments


def test_the_command_line_makes_the_same_package(app, march_2023, tmp_path):
    target = tmp_path / "woo.zip"
    result = app.test_cli_runner().invoke(
        args=["woo", "package", "--meeting", str(march_2023), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(target).namelist()
    assert "besluitenlijst.pdf.diwoo.xml" in names and "inhoud.json" in names


def test_a_meeting_without_a_published_agenda_has_no_package(app, clients):
    with in_app(app):
        upcoming = db.session.scalars(select(Meeting.id).where(Meeting.agenda_published_at.is_(None))).first()
    response = clients("secretariaat@ezk.test").get(f"/vergaderingen/{upcoming}/woo-pakket")
    assert response.status_code == 302
    result = app.test_cli_runner().invoke(args=["woo", "package", "--meeting", str(upcoming), "--output", "/dev/null"])
    assert result.exit_code != 0 and "gepubliceerde agenda" in result.output


@pytest.mark.parametrize(("email", "status"), [("beleid@ezk.test", 403), ("economie@gelderland.test", 404)])
def test_only_the_secretariat_downloads_the_package(clients, march_2023, email, status):
    assert clients(email).get(f"/vergaderingen/{march_2023}/woo-pakket").status_code == status


def test_a_rijk_only_meeting_has_no_package_not_even_its_date_and_place(app, clients):
    """Found by the leak hunter: the package of a Rijk-only meeting held no item (none can be openbaar),
    but its agenda paper and metadata named the meeting's date, place, chair and kenmerk, for the public."""
    from datetime import date

    from core.db import Audience
    from meetings.models import AgendaItemKind
    from meetings.services import agenda
    from tests.conftest import new_meeting, user

    with in_app(app):
        meeting = new_meeting(
            date(date.today().year + 3, 3, 10), audience=Audience.RIJK, location="Zaal-omega", kenmerk="KENMERK-OMEGA"
        )
        secretariat = user("secretariaat@ezk.test")
        agenda.add_agenda_item(secretariat, meeting, title="Intern punt", kind=AgendaItemKind.TER_BESPREKING)
        agenda.publish_agenda(secretariat, meeting)
        meeting_id = meeting.id
    client = clients("secretariaat@ezk.test")
    page = client.get(f"/vergaderingen/{meeting_id}").get_data(as_text=True)
    assert f"/vergaderingen/{meeting_id}/woo-pakket" not in page
    response = client.get(f"/vergaderingen/{meeting_id}/woo-pakket")
    assert response.status_code == 302 and b"Zaal-omega" not in response.data
    command = ["woo", "package", "--meeting", str(meeting_id), "--output", "/dev/null"]
    assert app.test_cli_runner().invoke(args=command).exit_code != 0
    # A meeting of the whole table keeps its package.
    with in_app(app):
        table, secretariat = new_meeting(date(date.today().year + 3, 9, 10)), user("secretariaat@ezk.test")
        agenda.add_agenda_item(secretariat, table, title="Punt", kind=AgendaItemKind.HAMERSTUK)
        agenda.publish_agenda(secretariat, table)
        table_id = table.id
    assert client.get(f"/vergaderingen/{table_id}/woo-pakket").status_code == 200


def test_who_stood_in_for_a_seat_is_named_to_the_table_but_not_in_the_package(app, clients, march_2023):
    """The leak hunter's finding: the Woo package's besluitenlijst named the person who replaced a
    seat's holder. The public reads functions, not the people who stood in for them."""
    stand_in = "Mr. Invaller Woo-pakket"
    with in_app(app):
        meeting = db.session.get(Meeting, march_2023)
        seat = cycles.attendance_rows(meeting)[0][0]
        cycles.record_attendance(
            user("secretariaat@ezk.test"),
            meeting,
            entries=[{"seat_id": seat.id, "status": "vervangen", "replaced_by": stand_in}],
        )
        function = seat.function
    archive = download(clients, march_2023)
    public = pdf_text(archive, "besluitenlijst.pdf")
    assert f"{function}: vervangen" in public and stand_in not in public
    for_the_table = clients("beleid@ezk.test").get(f"/vergaderingen/{march_2023}/besluitenlijst.pdf")
    table_text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(for_the_table.data)).pages).split()
    )
    assert stand_in in table_text
