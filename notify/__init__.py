"""Notifications: reminders and messages planned as rows, sent once by the scheduler, by e-mail
over SMTP or, without a mail server, kept in the outbox."""

from typing import cast

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

bp = Blueprint("notify", __name__, template_folder="templates")

from notify import views  # noqa: E402,F401  (routes register on import)


@bp.record_once
def _register(state: BlueprintSetupState) -> None:
    from notify import accounts, jobs

    jobs.register(cast(Flask, state.app))
    accounts.register(cast(Flask, state.app))
