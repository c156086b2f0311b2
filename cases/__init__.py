"""The case engine and its case types (agenda requests, actions and commitments, notas, dossiers):
declared workflows, follow-up planning, the dashboard and the Excel round trip."""

from flask import Blueprint, Flask

bp = Blueprint("cases", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """The workflows' effects and guards, the case pages, what cases adds to the meetings' pages and
    to the calendar feed, the reminders and messages of steps."""
    from cases import engine
    from cases.services import calendar, nota, planning, postpone
    from cases.services import cases as services
    from cases.views import cases as views
    from cases.views import dashboard as views_dashboard
    from cases.views import excel as views_excel  # noqa: F401  (its routes register on bp)
    from meetings import signals as meetings_signals

    engine.install(services, nota, planning, postpone)
    app.register_blueprint(bp)
    views.connect_signals()
    meetings_signals.body_page.connect(views_dashboard.body_dashboard_section)
    meetings_signals.feed_events.connect(calendar.due_dates)
    planning.register(app)
