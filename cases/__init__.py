from flask import Blueprint

bp = Blueprint("cases", __name__, template_folder="templates")

from cases import (  # noqa: E402,F401  (routes and hooks register on import)
    calendar,
    views,
    views_dashboard,
    views_excel,
)
