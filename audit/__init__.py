"""The audit trail: the recorder on the app's session, the hash chain, export and verify, an object's history."""

from flask import Blueprint, Flask

bp = Blueprint("audit", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Record every change and every refused access; the history and export pages; ``flask audit``; the
    chain's head in every backup's manifest."""
    from audit import backup, cli, events, recorder, views  # noqa: F401  (views: its routes register on bp)
    from core.signals import access_refused

    recorder.install_recorder()
    access_refused.connect(events.record_refusal)
    backup.register()
    app.register_blueprint(bp)
    app.cli.add_command(cli.audit_group)
