"""``flask --app wsgi create-beheerder``: the first beheerder of a new installation."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from auth.invitations import invite_again, lifetime, link_of
from auth.services import bootstrap_beheerder, find_user_by_email
from core.acting import SYSTEM, origin
from core.dates import show_datetime
from core.errors import DomainError
from core.extensions import db


@click.command("create-beheerder")
@click.option("--email", required=True, help="E-mailadres van de eerste beheerder.")
@click.option("--name", default="Beheerder", show_default=True)
@click.option("--organisation", default="Beheer Regiotafel", show_default=True)
@with_appcontext
def create_beheerder(email: str, name: str, organisation: str) -> None:
    """Make the first beheerder of a new installation and print a one-time link to choose a password.

    No password passes the command line (where the shell's history and the process list would keep
    it): the beheerder chooses it on the link's page, and sets up the second factor there. Run again
    for the same address while no password was chosen, it prints a new link (the old one stops).
    """
    with origin("cli"):
        try:
            existing = find_user_by_email(email)
            if existing is not None and existing.is_beheerder:
                user = existing  # a new link, while no password was chosen (else invite_again says so)
            else:
                user = bootstrap_beheerder(SYSTEM, email=email, name=name, organisation_name=organisation)
            invitation = invite_again(SYSTEM, user)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        link = link_of(invitation)
    click.echo(f"Beheerder {user.email} aangemaakt." if user is not existing else f"Nieuwe link voor {user.email}.")
    click.echo(
        f"Open binnen {int(lifetime().total_seconds() // 3600)} uur (tot {show_datetime(invitation.expires_at)}) deze "
        f"link om een wachtwoord te kiezen. Hij werkt één keer:\n\n  {link}\n"
    )
    click.echo(
        f"Het adres komt uit PUBLIC_URL ({current_app.config['PUBLIC_URL']}); klopt het niet, zet PUBLIC_URL en "
        "vraag met dezelfde opdracht een nieuwe link."
    )
