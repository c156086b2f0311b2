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


@bp.app_template_global("item_no")
def _item_no(item: object) -> str:
    """An agenda item's number as the signed-in reader sees it (``meetings.services.numbering``)."""
    from flask_login import current_user

    from meetings.services.numbering import numbering

    return numbering(current_user, item.meeting_id).item(item)  # type: ignore[attr-defined,arg-type]


@bp.app_template_global("decision_no")
def _decision_no(decision: object) -> str:
    from flask_login import current_user

    from meetings.services.numbering import numbering

    return numbering(current_user, decision.meeting_id).decision(decision)  # type: ignore[attr-defined,arg-type]
