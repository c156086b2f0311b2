"""``flask --app wsgi search reindex``: rebuild the search index."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("search", help="De zoekindex.")
def search_group() -> None:
    pass


@search_group.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from every item, and read the text of documents that have none yet."""
    from core.acting import origin
    from core.extensions import db
    from search.services import reindex

    with origin("cli"):
        entries, extracted = reindex()
        db.session.commit()
    click.echo(f"Zoekindex opnieuw opgebouwd: {entries} items, tekst gelezen uit {extracted} documenten.")
