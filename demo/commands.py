"""``flask --app wsgi demo``: load the demo into an empty database (idempotent)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(["demo", "large"]),
    default="demo",
    show_default=True,
    help="demo: het verhaal van de seeds; large: daarbovenop tien jaar van 25 overleggen (in een lege database).",
)
@click.option("--factor", type=click.FloatRange(0, 1, min_open=True), default=1.0, hidden=True)
@with_appcontext
def demo_command(scale: str, factor: float) -> None:
    """Load the demo (the seeds' story) if the database is empty; do nothing if it is loaded.

    ``--scale large`` adds ten years of generated data on top (``demo.large``); ``--factor`` (for tests)
    makes that a fraction of its size."""
    from core.config import LOCAL_ENVS

    environment = current_app.config["REGIOTAFEL_ENV"]
    if environment not in LOCAL_ENVS:
        # Its accounts (a beheerder among them) share a password that README publishes.
        raise click.ClickException(
            f"De demo hoort niet in productie (REGIOTAFEL_ENV={environment}): haar accounts hebben een "
            "gepubliceerd wachtwoord. Alleen met REGIOTAFEL_ENV=development, demo of test."
        )
    if scale == "large":
        from demo.large import load_large

        load_large(factor)
        return
    from core.acting import origin
    from core.extensions import db
    from core.scheduler import process_token
    from demo.story import database_has_users, demo_loaded, load
    from meetings.jobs.documents import read_texts

    if demo_loaded():
        click.echo("De demo is al geladen; er is niets veranderd.")
        return
    if database_has_users():
        raise click.ClickException("De database bevat al gegevens die niet van de demo zijn; de demo is niet geladen.")
    with origin("demo"):
        load(current_app.config["DEMO_PASSWORD"])
        db.session.commit()
        # What the scheduler would do next: read the documents' text, so search finds what they say.
        read_texts(process_token(), everything=True)
    click.echo("Demo geladen. Log in met een van de demo-accounts (zie README.md).")
