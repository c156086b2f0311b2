"""The demo: the story of the seeds, loaded through the same services the app uses."""

from flask import Flask


def init_app(app: Flask) -> None:
    """``flask demo``."""
    from demo.commands import demo_command

    app.cli.add_command(demo_command)
