"""The app factory."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The packages the app is made of, lowest layer first (the layers are in pyproject.toml's
#: ``[tool.importlinter]``). Each has ``init_app(app)``: it imports its views, registers its blueprint,
#: listeners, signal receivers, labels and commands. Importing a package does none of that.
PACKAGES = ("audit", "auth", "notify", "meetings", "cases", "search", "api", "demo")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app. It never migrates the database and never starts the scheduler."""
    # A node's own folder (REGIOTAFEL_INSTANCE_PATH): with several web nodes, each keeps its own; on
    # PostgreSQL it holds only caches, everything else is in the database they share.
    app = Flask(
        "regiotafel",
        instance_path=os.environ.get("REGIOTAFEL_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        root_path=str(Path(__file__).resolve().parent),
    )
    from core.config import load_config

    load_config(app, overrides)

    from core import cli, i18n, labels, planner, templating, web
    from core.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    labels.register_core_labels()
    app.register_blueprint(web.bp)
    for name in PACKAGES:
        import_module(name).init_app(app)
    templating.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    planner.register(app)
    return app
