"""Notifications: reminders and messages planned as rows, sent once by the scheduler, by e-mail
over SMTP or, without a mail server, kept in the outbox."""

from flask import Blueprint, Flask

bp = Blueprint("notify", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """The outbox's pages, the scheduler's jobs that plan and send, the account mail."""
    from notify import accounts, jobs, labels, views  # noqa: F401  (views: its routes register on bp)

    labels.register()
    app.register_blueprint(bp)
    jobs.register(app)
    accounts.register(app)
