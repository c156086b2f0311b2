"""Command-line wiring of core: ``flask --app wsgi scheduler`` and ``flask --app wsgi backup``. Each package
adds its own commands in its ``init_app`` (``auth``: create-beheerder, ``audit``, ``woo``, ``search``, ``demo``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from core.backup import backup_group
    from core.scheduler import scheduler_group

    app.cli.add_command(scheduler_group)
    app.cli.add_command(backup_group)
