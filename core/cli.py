"""Command-line wiring of core: ``flask --app wsgi scheduler``. Each package adds its own commands in its
``init_app`` (``auth``: create-beheerder, ``audit``, ``woo``, ``search``, ``demo``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from core.scheduler import scheduler_group

    app.cli.add_command(scheduler_group)
