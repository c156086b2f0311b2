"""The API's documentation at /api/v1/docs: a page written on the server from the OpenAPI document
itself (no script at all, so the strict CSP holds), with the document for tools beside it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from api import PREFIX

bp = Blueprint("api_docs", __name__, url_prefix=PREFIX, template_folder="../templates")

_METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/docs")
def docs() -> ResponseReturnValue:
    """Every operation of the document, grouped by its tag, with its parameters and answers."""
    spec: dict[str, Any] = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, item in spec.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    return render_template("api/docs.html", spec=spec, operations=operations)
