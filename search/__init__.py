"""Search over agenda items, decisions, cases, minutes and documents, with Dutch stemming."""

from flask import Blueprint, Flask

bp = Blueprint("search", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """The index kept up to date on every flush, the search page, ``flask search``."""
    from search import cli, index, labels, views  # noqa: F401  (views: its routes register on bp)

    labels.register()
    index.install_indexer()
    app.register_blueprint(bp)
    app.cli.add_command(cli.search_group)
