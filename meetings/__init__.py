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
    from meetings import cli, labels, views  # noqa: F401  (views: its routes register on bp)
    from meetings.jobs import access_reviews, documents, notifications
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
    access_reviews.register(app)
    documents.register(app)
    app.cli.add_command(cli.woo_group)
