"""``flask --app wsgi woo package --meeting ID --output FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from core.errors import DomainError
from core.extensions import db
from meetings.models import Meeting
from meetings.woo import package as woo


@click.group("woo")
def woo_group() -> None:
    """Publication under the Wet open overheid."""


@woo_group.command("package")
@click.option("--meeting", "meeting_id", type=int, required=True, help="Het nummer van de vergadering.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def package_command(meeting_id: int, output: Path) -> None:
    """Write the meeting's Woo package: what may be published, each file with its DiWoo record."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.BadParameter(f"Vergadering {meeting_id} bestaat niet.", param_hint="--meeting")
    try:
        content, files = woo.build(meeting)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    output.write_bytes(content)
    click.echo(f"{len(files)} bestanden met DiWoo-metadata naar {output}")
