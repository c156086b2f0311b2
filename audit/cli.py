"""``flask --app wsgi audit verify`` and ``flask --app wsgi audit export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from audit import export
from audit.chain import STRETCH, consistent, head, verify, verify_in_parallel
from audit.events import record_event
from audit.services import model_for_table
from core.acting import origin
from core.extensions import db


@click.group("audit")
def audit_group() -> None:
    """The audit trail: verify the chain, export what a user may read."""


@audit_group.command("verify")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processen naast elkaar (standaard één per processorkern, voor een keten van meer dan 100.000 records).",
)
@with_appcontext
def verify_command(workers: int | None) -> None:
    """Walk the hash chain; exit 1 naming the first broken record, 0 with a summary when intact. A long
    chain is walked in stretches, by as many processes as there are cores."""
    with db.engine.connect() as connection:
        total, _hash = head(consistent(connection))
        url = db.engine.url
        if workers is None:
            workers = (os.cpu_count() or 1) if total > STRETCH else 1
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            workers = 1  # another process would see a database of its own
        with click.progressbar(length=total, label="Keten controleren", file=sys.stderr) as bar:
            done = [0]

            def advance(count: int) -> None:
                bar.update(count - done[0])
                done[0] = count

            if workers > 1:
                verdict = verify_in_parallel(
                    url.render_as_string(hide_password=False), workers=workers, progress=advance
                )
            else:
                verdict = verify(connection, progress=advance)
    click.echo(verdict.summary())
    if not verdict.intact:
        raise SystemExit(1)


def _one(table: str, column: str, value: Any, what: str) -> Any:
    model: Any = model_for_table(table)
    found = db.session.scalars(select(model).where(getattr(model, column) == value)).one_or_none()
    if found is None:
        raise click.BadParameter(f"{what} {value!r} bestaat niet.")
    return found


@audit_group.command("export")
@click.option("--format", "form", type=click.Choice(export.FORMATS), required=True)
@click.option("--as", "reader_email", required=True, help="Exporteer wat deze gebruiker mag lezen.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Vanaf deze dag (Amsterdam).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Tot en met deze dag (Amsterdam).")
@click.option("--body", "body_slug", help="Alleen dit overleg (korte naam, bijv. bo-brainport).")
@click.option("--case", "case_id", type=int, help="Alleen deze zaak en haar geschiedenis.")
@click.option("--actor", "actor_email", help="Alleen wat deze gebruiker deed.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Bestand; de manifest komt ernaast.")
@with_appcontext
def export_command(
    form: str,
    reader_email: str,
    start: Any,
    end: Any,
    body_slug: str | None,
    case_id: int | None,
    actor_email: str | None,
    output: Path | None,
) -> None:
    """Export the records the user EMAIL may read, streamed; with a manifest (records, sequence
    numbers, the chain's head, the file's SHA-256)."""
    reader = _one("users", "email", reader_email.strip().lower(), "Gebruiker")
    selection = export.ExportFilter(
        start=start.date() if start else None,
        end=end.date() if end else None,
        body_id=_one("bodies", "slug", body_slug, "Overleg").id if body_slug else None,
        case_id=case_id,
        # The operator may know every account: a typo is named here rather than giving an empty file.
        actor=_one("users", "email", actor_email.strip().lower(), "Gebruiker").email if actor_email else None,
    )
    _record(reader, selection, form)
    with db.engine.connect() as connection:
        manifest = export.start(connection, reader.email, selection, form)
        chunks = export.lines(export.readable(connection, reader, selection), form, manifest)
        if output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            click.echo(manifest.as_json(), err=True)
            return
        with output.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
    manifest.file = output.name
    manifest_path = output.with_name(output.name + ".manifest.json")
    manifest_path.write_text(manifest.as_json(), encoding="utf-8")
    click.echo(f"{manifest.records} records naar {output}; manifest: {manifest_path}", err=True)


def _record(reader: Any, selection: export.ExportFilter, form: str) -> None:
    """An export is itself in the trail: who had what exported, with which filters."""
    with origin("cli"):
        db.begin_write()
        record_event(
            "export",
            object_type="audit_records",
            object_id=None,
            label=f"export ({form}) voor {reader.email}",
            details={"formaat": form, "filters": selection.describe()},
            result=200,
        )
        db.session.commit()
