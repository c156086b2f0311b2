"""Bodies, cycles, meetings, attendance, agenda items, documents, decisions and minutes; the papers,
calendar and Woo exports made of them."""

from flask import Blueprint, Flask

#: Its own static files (the agenda editor and the library it uses) under /static/meetings/.
bp = Blueprint(
    "meetings", __name__, template_folder="templates", static_folder="static", static_url_path="/static/meetings"
)


def init_app(app: Flask) -> None:
    """The pages of bodies, cycles and meetings, their home panels, the notifications and jobs between
    meetings, ``flask woo``."""
    from core.signals import home_panels
    from meetings import access_reminders, cli, jobs, labels, notifications, views  # noqa: F401  (views: routes)
    from meetings.views import home, news

    labels.register()
    app.register_blueprint(bp)
    for panel in (
        home.secretariat_panel,
        home.upcoming_panel,
        home.accountability_panel,
        news.comments_panel,
        news.news_panel,
    ):
        home_panels.connect(panel)
    notifications.register(app)
    access_reminders.register(app)
    jobs.register(app)
    app.cli.add_command(cli.woo_group)


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
