from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates")

from audit import views  # noqa: E402,F401  (routes register on import)
