"""Search over agenda items, decisions, cases, minutes and documents, with Dutch stemming."""

from flask import Blueprint

bp = Blueprint("search", __name__, template_folder="templates")

from search import views  # noqa: E402,F401  (routes register on import)
