"""Backups: ``flask --app wsgi backup create --output FILE`` and ``flask --app wsgi backup restore FILE``.

A backup is one tar file: the database (the documents with it, as rows of ``stored_files``) and
``manifest.json``, which holds the SHA-256 and size of every part, the rows per table, the schema's
Alembic revision, the app's version, the time (UTC), and what other packages seal into it (``Seal``:
the audit trail its chain's head). Everything in the manifest is read in the same snapshot as the
dump: SQLite's online backup API copies the database while writers go on, and the manifest is read
from that copy; on PostgreSQL a REPEATABLE READ transaction exports its snapshot and ``pg_dump
--snapshot`` dumps exactly what that transaction counts.

A restore goes into an empty database only. It checks every part against the manifest before it
touches anything, restores (SQLite: the copy moved into place; PostgreSQL: ``pg_restore`` in one
transaction), then counts again and runs every seal's check (the audit chain is verified and its head
compared): any difference is an error, and the command exits non-zero.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, create_engine, inspect, make_url, text

from core.extensions import db
from core.signals import answer, backup_seals

log = logging.getLogger(__name__)

FORMAT = "regiotafel-backup/1"
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
#: gzip level of ``pg_dump``. Documents are bytea, which a dump writes as hex: twice their size.
#: Level 1 takes that back almost as well as the default (6) in a third of the time; measured on
#: 200 MB of documents: 0: 400 MB in 2.9 s, 1: 234 MB in 11.6 s, 6: 228 MB in 36.9 s.
PG_DUMP_COMPRESS = 1
#: A ``pg_dump`` or ``pg_restore`` that takes longer than this is stopped (and the command fails).
TOOL_TIMEOUT_SECONDS = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Dutch and in English."""


@dataclass(frozen=True)
class SealCheck:
    """What a seal found after a restore: a line for the operator, and the differences (none: all well)."""

    summary: str
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Seal:
    """What a package adds to a backup's manifest, read in the backup's snapshot, and checks after a
    restore against what it recorded (a receiver of ``core.signals.backup_seals`` answers one). The
    audit trail brings its chain's head (``audit.backup``)."""

    name: str
    take: Callable[[Connection], dict[str, Any]]
    check: Callable[[Connection, dict[str, Any]], SealCheck]


def seals() -> list[Seal]:
    """What the packages seal into a backup (receivers of ``core.signals.backup_seals``)."""
    return answer(backup_seals, current_app._get_current_object())  # type: ignore[attr-defined]


@dataclass
class Outcome:
    """What a backup or a restore did, for the operator and for the drill."""

    manifest: dict[str, Any]
    path: Path
    seconds: float
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading a database ------------------------------------------------------------------------------------------


def _tables(connection: Connection) -> list[str]:
    if connection.dialect.name == "postgresql":
        return sorted(inspect(connection).get_table_names(schema="public"))
    return sorted(name for name in inspect(connection).get_table_names() if not name.startswith("sqlite_"))


def counts(connection: Connection) -> dict[str, int]:
    """Rows per table, every table in the database (the search index's own tables too)."""
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: int(connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one())
        for name in _tables(connection)
    }


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in _tables(connection):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _describe(connection: Connection, all_seals: list[Seal]) -> dict[str, Any]:
    return {
        "alembic_revision": _revision(connection),
        "counts": counts(connection),
        "seals": {seal.name: seal.take(connection) for seal in all_seals},
    }


def _app_version() -> str:
    try:
        return metadata.version("regiotafel")
    except metadata.PackageNotFoundError:
        return "onbekend"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL's tools ------------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore`` from ``PG_BIN_DIR`` if set, else from PATH."""
    folder = current_app.config.get("PG_BIN_DIR")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(
            f"{name} is niet gevonden: installeer de PostgreSQL-client (Debian: postgresql-client) of zet "
            f"REGIOTAFEL_PG_BIN_DIR. / {name} not found: install the PostgreSQL client tools or set "
            "REGIOTAFEL_PG_BIN_DIR."
        )
    return found


def _major(version: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    if match is None:
        raise BackupError(f"Onbekende versie {version!r}. / Unknown version {version!r}.")
    return int(match.group(1))


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _check_tool_version(tool: str, server_major: int) -> str:
    """The tool's version; refused when it is older than the server: ``pg_dump`` cannot read a newer
    server, and a dump of a newer server may hold what an older ``pg_restore`` cannot read."""
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    version = output.strip().rsplit(" ", 1)[-1] if "(" not in output else output.split(")", 1)[1].split()[0]
    if _major(version) < server_major:
        raise BackupError(
            f"{Path(tool).name} {version} is ouder dan de server (PostgreSQL {server_major}); installeer de client "
            f"van versie {server_major} of nieuwer en wijs REGIOTAFEL_PG_BIN_DIR erheen (Debian: "
            f"/usr/lib/postgresql/{server_major}/bin). / {Path(tool).name} {version} is older than the server "
            f"(PostgreSQL {server_major}); install client tools of version {server_major} or newer and point "
            "REGIOTAFEL_PG_BIN_DIR at them."
        )
    return version


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The database's address for libpq tools, and an environment with the password (never on the
    command line, where the process list shows it)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    address = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} mislukte (exit {done.returncode}). / {Path(command[0]).name} failed "
            f"(exit {done.returncode}):\n{done.stderr.strip()[-4000:]}"
        )


# --- create ------------------------------------------------------------------------------------------------------


def create(output: Path) -> Outcome:
    """Write a backup of the app's database to ``output`` (a tar; refused when it exists)."""
    if output.exists():
        raise BackupError(f"{output} bestaat al; kies een nieuw bestand. / {output} exists; choose a new file.")
    started = time.monotonic()
    engine = db.engine
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as work:
        if engine.dialect.name == "sqlite":
            part, described, database = _dump_sqlite(Path(work), seals())
        elif engine.dialect.name == "postgresql":
            part, described, database = _dump_postgres(Path(work), seals())
        else:
            raise BackupError(f"Database {engine.dialect.name} wordt niet ondersteund. / Not supported.")
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "app_version": _app_version(),
            "database": database,
            **described,
            "parts": [{"name": part.name, "size": part.stat().st_size, "sha256": _sha256(part)}],
        }
        os.chmod(part, 0o600)  # the whole database: password hashes, every document
        # Written aside and renamed: a backup that failed half-way never lies under the real name.
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(body))
            archive.add(part, arcname=part.name, recursive=False)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    return Outcome(manifest, output, time.monotonic() - started)


def _sqlite_file(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:":
        raise BackupError("Een database in het geheugen heeft geen backup. / An in-memory database has no backup.")
    return Path(name)


def _dump_sqlite(work: Path, all_seals: list[Seal]) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """The online backup API: a consistent copy while writers go on (WAL lets them), then the
    manifest read from the copy itself, so it describes exactly what was copied."""
    source_path = _sqlite_file(current_app.config["DATABASE_URL"])
    part = work / SQLITE_PART
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(part)
    try:
        source.execute(f"PRAGMA busy_timeout={int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        source.backup(target)
        # One self-contained file: no write-ahead log beside it (the app turns WAL on again when it opens it).
        target.execute("PRAGMA journal_mode=DELETE")
        problems = target.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"De kopie is beschadigd / the copy is damaged: {problems[:5]}")
        version = sqlite3.sqlite_version
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{part}")
    try:
        with engine.connect() as connection:
            described = _describe(connection, all_seals)
    finally:
        engine.dispose()
    return part, described, {"dialect": "sqlite", "server_version": version}


def _dump_postgres(work: Path, all_seals: list[Seal]) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """``pg_dump --format=custom`` of the snapshot in which the manifest is read."""
    tool = _tool("pg_dump")
    part = work / POSTGRES_PART
    address, env = _libpq(current_app.config["DATABASE_URL"])
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            server_major = _server_major(connection)
            server_version = connection.execute(text("SHOW server_version")).scalar_one()
            described = _describe(connection, all_seals)
            tool_version = _check_tool_version(tool, server_major)
            # The transaction stays open while pg_dump runs: it holds the snapshot pg_dump imports.
            command = [tool, "--format=custom", f"--compress={PG_DUMP_COMPRESS}", f"--snapshot={snapshot}"]
            _run([*command, f"--file={part}", f"--dbname={address}"], env)
    return part, described, {"dialect": "postgresql", "server_version": server_version, "pg_dump": tool_version}


# --- restore -----------------------------------------------------------------------------------------------------


def restore(archive_path: Path) -> Outcome:
    """Restore the backup in ``archive_path`` into the app's (empty) database, then check it."""
    started = time.monotonic()
    engine = db.engine
    dialect = engine.dialect.name
    with tarfile.open(archive_path, "r:") as archive:
        manifest = _manifest(archive)
        if manifest["database"]["dialect"] != dialect:
            raise BackupError(
                f"Deze backup is van een {manifest['database']['dialect']}-database, niet {dialect}. / This backup "
                f"is of a {manifest['database']['dialect']} database, not {dialect}."
            )
        _refuse_unless_empty()
        folder = _sqlite_file(current_app.config["DATABASE_URL"]).resolve().parent if dialect == "sqlite" else None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=folder) as work:
            parts = _extract_checked(archive, manifest, Path(work))
            if dialect == "sqlite":
                _restore_sqlite(parts[SQLITE_PART])
            else:
                _restore_postgres(parts[POSTGRES_PART], manifest)
    outcome = Outcome(manifest, archive_path, 0.0)
    _check_restored(outcome)
    outcome.seconds = time.monotonic() - started
    return outcome


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        assert handle is not None
        manifest: dict[str, Any] = json.loads(handle.read(10 * 1024 * 1024))
    except (KeyError, AssertionError, ValueError) as exc:
        raise BackupError(
            "Dit is geen Regiotafel-backup (geen leesbare manifest.json). / Not a Regiotafel backup (no readable "
            "manifest.json)."
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Onbekend backupformaat / unknown backup format: {manifest.get('format')!r}")
    return manifest


def _refuse_unless_empty() -> None:
    with db.engine.connect() as connection:
        tables = _tables(connection)
        if connection.dialect.name == "postgresql":
            tables += [
                f"{schema}.{name}"
                for schema, name in connection.execute(
                    text(
                        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN "
                        "('public', 'pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_%'"
                    )
                )
            ]
    db.engine.dispose()
    if tables:
        raise BackupError(
            f"De database is niet leeg ({len(tables)} tabellen, o.a. {', '.join(tables[:3])}): een backup wordt "
            "alleen in een lege database teruggezet. Maak een nieuwe database (of een nieuw bestand) en zet "
            "DATABASE_URL daarop; draai er geen `db upgrade` op. / The database is not empty: a backup is restored "
            "into an empty database only. Create a new database (or file), point DATABASE_URL at it, and do not "
            "run `db upgrade` on it first."
        )


def _extract_checked(archive: tarfile.TarFile, manifest: dict[str, Any], work: Path) -> dict[str, Path]:
    """Every part the manifest names, written to ``work`` under its own name only (never a path from
    the archive) and checked against its SHA-256 and size; any other member is refused."""
    expected = {part["name"]: part for part in manifest["parts"]}
    extracted: dict[str, Path] = {}
    for member in archive.getmembers():
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile() or member.name in extracted:
            raise BackupError(f"Onverwacht onderdeel in de backup / unexpected member: {member.name!r}")
        target = work / Path(member.name).name
        digest, size = hashlib.sha256(), 0
        source = archive.extractfile(member)
        assert source is not None
        with source, target.open("wb") as out:
            while chunk := source.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        part = expected[member.name]
        if digest.hexdigest() != part["sha256"] or size != part["size"]:
            raise BackupError(
                f"{member.name} klopt niet met de manifest (SHA-256 {digest.hexdigest()}, verwacht {part['sha256']}): "
                f"de backup is beschadigd of gewijzigd; er is niets teruggezet. / {member.name} does not match the "
                "manifest: the backup is damaged or altered; nothing was restored."
            )
        extracted[member.name] = target
    missing = set(expected) - set(extracted)
    if missing:
        raise BackupError(f"Onderdelen ontbreken / parts missing: {', '.join(sorted(missing))}")
    return extracted


def _restore_sqlite(part: Path) -> None:
    """Move the checked copy into place (same folder: one rename), where an empty database was."""
    target = _sqlite_file(current_app.config["DATABASE_URL"])
    db.engine.dispose()
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BackupError(
            f"{wal} is in gebruik: stop Regiotafel (web en scheduler) voor het terugzetten. / {wal} is in use: stop "
            "Regiotafel (web and scheduler) before restoring."
        )
    for leftover in (wal, Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    os.chmod(part, 0o600)
    os.replace(part, target)


def _restore_postgres(part: Path, manifest: dict[str, Any]) -> None:
    """``pg_restore`` in one transaction: all of it, or nothing. Owners and grants go to the user that
    restores (``--no-owner --no-privileges``): grant again what other roles need."""
    tool = _tool("pg_restore")
    with db.engine.connect() as connection:
        server_major = _server_major(connection)
    _check_tool_version(tool, server_major)
    source_major = _major(str(manifest["database"]["server_version"]))
    if server_major < source_major:
        raise BackupError(
            f"Deze backup komt van PostgreSQL {source_major}; deze server is {server_major}. Zet hem terug op "
            f"{source_major} of nieuwer. / This backup is of PostgreSQL {source_major}; restore it on that version "
            "or newer."
        )
    address, env = _libpq(current_app.config["DATABASE_URL"])
    options = ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"]
    _run([tool, *options, f"--dbname={address}", str(part)], env)
    db.engine.dispose()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))  # pg_restore brings no planner statistics


def _check_restored(outcome: Outcome) -> None:
    """Count again and run every seal's check; each difference is a problem."""
    manifest = outcome.manifest
    with db.engine.connect() as connection:
        found = counts(connection)
        revision = _revision(connection)
        recorded_seals = manifest.get("seals", {})
        for seal in seals():
            if seal.name not in recorded_seals:
                outcome.problems.append(f"De manifest mist {seal.name}. / The manifest lacks {seal.name}.")
                continue
            checked = seal.check(connection, recorded_seals[seal.name])
            outcome.lines.append(checked.summary)
            outcome.problems.extend(checked.problems)
    if revision != manifest["alembic_revision"]:
        outcome.problems.append(f"Schema {revision}, manifest {manifest['alembic_revision']}.")
    for table in sorted(set(found) | set(manifest["counts"])):
        have, recorded = found.get(table), manifest["counts"].get(table)
        if have != recorded:
            outcome.problems.append(
                f"Tabel {table}: {have} rijen, de manifest zegt {recorded}. / Table {table}: {have} rows, "
                f"manifest {recorded}."
            )
    outcome.lines.insert(0, f"{sum(found.values())} rijen in {len(found)} tabellen; schema {revision}")


# --- the commands ------------------------------------------------------------------------------------------------


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


@click.group("backup")
def backup_group() -> None:
    """Back up the database with its documents, and restore a backup into an empty database."""


@backup_group.command("create")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Het backupbestand (nieuw)."
)
@with_appcontext
def create_command(output: Path) -> None:
    """Write a consistent backup of the database (documents included) with its manifest to OUTPUT."""
    with _refusals():
        outcome = create(output)
    manifest = outcome.manifest
    click.echo(
        f"Backup {output}: {_megabytes(outcome.size)}, {sum(manifest['counts'].values())} rijen in "
        f"{len(manifest['counts'])} tabellen, schema {manifest['alembic_revision']}, in {outcome.seconds:.1f} s."
    )
    for name, sealed in manifest["seals"].items():
        click.echo(f"{name}: {json.dumps(sealed, sort_keys=True)}")


@backup_group.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE into the empty database DATABASE_URL names, then verify it against its manifest."""
    with _refusals():
        outcome = restore(archive)
    for line in outcome.lines:
        click.echo(line)
    if not outcome.ok:
        for problem in outcome.problems:
            click.echo(f"VERSCHIL / MISMATCH: {problem}", err=True)
        raise SystemExit(1)
    click.echo(
        f"Teruggezet en gecontroleerd: {archive} ({outcome.manifest['created_at']}) in {outcome.seconds:.1f} s. "
        "Draai nu `flask --app wsgi db upgrade` als deze versie van Regiotafel nieuwer is dan de backup."
    )
