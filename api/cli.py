"""``flask --app wsgi tokens create --as EMAIL --scope read|write --days N``: a token for a user, made by
an operator (a service account's script, say). The secret is printed once; the audit trail names the
command line as the origin and the system as the actor."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.tokens import MAX_DAYS, create_token
from auth.services import find_user_by_email
from core.acting import SYSTEM, origin
from core.errors import DomainError
from core.extensions import db

tokens_cli = AppGroup("tokens", help="Persoonlijke tokens voor de API.")


@tokens_cli.command("create")
@click.option("--as", "email", required=True, help="E-mailadres van de gebruiker namens wie de token werkt.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=90, show_default=True)
@click.option("--name", default="opdrachtregel", show_default=True, help="Naam van de token op Mijn account.")
def create(email: str, scope: str, days: int, name: str) -> None:
    """Make a personal access token and print its secret, this once."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"Geen actief account met e-mailadres {email}.")
    with origin("cli"):
        try:
            issued = create_token(SYSTEM, owner=user, name=name, scope=scope, days=days)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
    click.echo(issued.secret)
