"""Command-line wiring: ``flask --app wsgi <command>``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    from audit.cli import audit_group
    from core.scheduler import scheduler_group
    from demo.commands import demo_command
    from meetings.cli import woo_group
    from search.cli import search_group

    app.cli.add_command(demo_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(woo_group)
    app.cli.add_command(scheduler_group)
    app.cli.add_command(search_group)
    app.cli.add_command(create_beheerder)


@click.command("create-beheerder")
@click.option("--email", required=True, help="E-mailadres van de eerste beheerder.")
@click.option("--name", default="Beheerder", show_default=True)
@click.option("--organisation", default="Beheer Regiotafel", show_default=True)
@click.password_option(help="Wachtwoord (minstens 12 tekens).")
@with_appcontext
def create_beheerder(email: str, name: str, organisation: str, password: str) -> None:
    """Make the first beheerder of a new installation."""
    from auth.services import bootstrap_beheerder
    from core.acting import SYSTEM, origin
    from core.errors import DomainError
    from core.extensions import db

    with origin("cli"):
        try:
            user = bootstrap_beheerder(
                SYSTEM, email=email, name=name, organisation_name=organisation, password=password
            )
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
    click.echo(f"Beheerder {user.email} aangemaakt.")
