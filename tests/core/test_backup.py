"""``flask backup create`` and ``flask backup restore``: a backup made from a database in use comes back
into a fresh database whole (rows, documents, the audit chain to its head), on SQLite always and on
PostgreSQL when one answers on 127.0.0.1:5432; a damaged backup, or a database that is not empty, is
refused with nothing changed."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from core.backup import counts
from core.extensions import db
from demo.pdf import text_pdf
from meetings import storage
from meetings.models import Document, Meeting
from meetings.services import agenda
from tests.conftest import in_app, user
from tools import throwaway

pytestmark = pytest.mark.own_database

KINDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not (throwaway.postgres_reachable() and shutil.which("pg_dump")),
            reason="no PostgreSQL on 127.0.0.1:5432, or no pg_dump",
        ),
    ),
]
DOCUMENT = text_pdf("Back-up stuk", ["Dit stuk moet na het terugzetten precies zo terugkomen."])


def _cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module", params=KINDS)
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A database with the demo and one more document, and a backup of it."""
    kind = request.param
    folder = tmp_path_factory.mktemp(f"backup-{kind}")
    with throwaway.database(kind, folder) as url:
        source = throwaway.app_on(url, folder)
        with source.app_context():
            upgrade()
        assert _cli(source, "demo").exit_code == 0
        with in_app(source):
            meeting = db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")).one()
            agenda.add_document(
                user("secretariaat@ezk.test"), meeting, title="Back-up", filename="b.pdf", content=DOCUMENT
            )
        backup = folder / "regiotafel.backup"
        result = _cli(source, "backup", "create", "--output", str(backup))
        assert result.exit_code == 0, result.output
        with source.app_context(), db.engine.connect() as connection:
            before = counts(connection)
        try:
            yield {"kind": kind, "folder": folder, "source": source, "backup": backup, "counts": before}
        finally:
            _close(source)


def _manifest(backup: Path) -> dict[str, Any]:
    with tarfile.open(backup) as archive:
        handle = archive.extractfile("manifest.json")
        assert handle is not None
        return json.loads(handle.read())


def test_a_backup_comes_back_whole_in_a_fresh_database(made):
    manifest = _manifest(made["backup"])
    assert manifest["counts"] == made["counts"]
    assert manifest["counts"]["stored_files"] >= 1 and manifest["counts"]["documents"] >= 1
    assert manifest["seals"]["audit_chain"]["records"] == made["counts"]["audit_records"]
    assert manifest["database"]["dialect"] == made["kind"] and manifest["alembic_revision"]
    assert manifest["app_version"] and manifest["created_at"].endswith("Z")
    assert [part["name"] for part in manifest["parts"]] == [
        "database.sqlite3" if made["kind"] == "sqlite" else "database.pgdump"
    ]
    assert made["backup"].stat().st_mode & 0o077 == 0, "only its owner reads a backup"

    with throwaway.database(made["kind"], made["folder"]) as url:
        target = throwaway.app_on(url, made["folder"] / "elders")
        try:
            result = _cli(target, "backup", "restore", str(made["backup"]))
            assert result.exit_code == 0, result.output
            assert f"Auditketen intact: {manifest['seals']['audit_chain']['records']} records" in result.output
            with target.app_context():
                with db.engine.connect() as connection:
                    assert counts(connection) == made["counts"]
                digest = db.session.scalars(select(Document.sha256).where(Document.title == "Back-up")).one()
                assert storage.read(digest) == DOCUMENT, "the documents came back with their rows"
            assert _cli(target, "audit", "verify").exit_code == 0
        finally:
            _close(target)


def test_a_tampered_backup_is_refused_and_nothing_is_restored(made):
    tampered = made["folder"] / "tampered.backup"
    with tarfile.open(made["backup"]) as original, tarfile.open(tampered, "w") as copy:
        for member in original.getmembers():
            content = bytearray(original.extractfile(member).read())  # type: ignore[union-attr]
            if member.name != "manifest.json":
                content[len(content) // 2] ^= 0xFF  # one bit pattern changed in the middle of the database
            copy.addfile(member, io.BytesIO(bytes(content)))
    with throwaway.database(made["kind"], made["folder"]) as url:
        target = throwaway.app_on(url, made["folder"])
        try:
            result = _cli(target, "backup", "restore", str(tampered))
            assert result.exit_code != 0
            assert "klopt niet met de manifest" in result.output and "does not match the manifest" in result.output
            with target.app_context(), db.engine.connect() as connection:
                assert counts(connection) == {}, "nothing was restored"
        finally:
            _close(target)


def test_a_manifest_that_promises_more_than_the_backup_holds_fails_the_check(made):
    """Parts intact, but the manifest says the chain was longer: the restore runs, and says it is wrong."""
    manifest = _manifest(made["backup"])
    manifest["seals"]["audit_chain"]["records"] += 1
    manifest["counts"]["documents"] += 1
    altered = made["folder"] / "altered.backup"
    with tarfile.open(made["backup"]) as original, tarfile.open(altered, "w") as copy:
        for member in original.getmembers():
            content = original.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                content = json.dumps(manifest).encode()
                member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    with throwaway.database(made["kind"], made["folder"]) as url:
        target = throwaway.app_on(url, made["folder"])
        try:
            result = _cli(target, "backup", "restore", str(altered))
            assert result.exit_code == 1
            assert "Table documents:" in result.output and "The audit chain ends at record" in result.output
        finally:
            _close(target)


def test_a_restore_into_a_database_that_is_not_empty_is_refused(made):
    source = made["source"]
    result = _cli(source, "backup", "restore", str(made["backup"]))
    assert result.exit_code != 0
    assert "De database is niet leeg" in result.output and "The database is not empty" in result.output
    with source.app_context(), db.engine.connect() as connection:
        assert counts(connection) == made["counts"], "nothing changed"


def test_a_backup_never_overwrites_a_file(made):
    result = _cli(made["source"], "backup", "create", "--output", str(made["backup"]))
    assert result.exit_code != 0 and "bestaat al" in result.output


def test_a_pg_dump_older_than_the_server_is_refused_with_where_to_find_one(made, tmp_path, monkeypatch):
    if made["kind"] != "postgresql":
        pytest.skip("PostgreSQL's tools only")
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    monkeypatch.setitem(made["source"].config, "PG_BIN_DIR", str(tmp_path))
    result = _cli(made["source"], "backup", "create", "--output", str(tmp_path / "new.backup"))
    assert result.exit_code != 0
    assert "9.6.24 is ouder dan de server" in result.output and "REGIOTAFEL_PG_BIN_DIR" in result.output
    assert not (tmp_path / "new.backup").exists()
