from typing import cast

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

#: Its own static files (the agenda editor and the library it uses) under /static/meetings/.
bp = Blueprint(
    "meetings", __name__, template_folder="templates", static_folder="static", static_url_path="/static/meetings"
)

from meetings import views  # noqa: E402,F401  (routes register on import)


@bp.record_once
def _register(state: BlueprintSetupState) -> None:
    from meetings import access_reminders, jobs, notifications

    notifications.register(cast(Flask, state.app))
    access_reminders.register(cast(Flask, state.app))
    jobs.register(cast(Flask, state.app))
