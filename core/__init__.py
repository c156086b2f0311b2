"""The app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app. It never migrates the database and never starts the scheduler."""
    app = Flask(
        "regiotafel",
        instance_path=str(PROJECT_ROOT / "instance"),
        root_path=str(Path(__file__).resolve().parent),
    )
    from core.config import load_config

    load_config(app, overrides)

    from core import cli, i18n, templating, web
    from core.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)

    import audit
    import auth
    import cases
    import meetings
    import notify
    import search
    from audit.recorder import install_recorder
    from auth.services import install_grant_cleanup
    from search.index import install_indexer

    install_recorder()
    install_grant_cleanup()
    install_indexer()
    app.register_blueprint(web.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(notify.bp)
    app.register_blueprint(search.bp)
    templating.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
