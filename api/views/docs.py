"""The API's documentation at /api/v1/docs: Swagger UI, vendored and served from our own origin so that
the strict CSP holds (core/static/vendor/swagger-ui), renders the OpenAPI document; below it a list
written on the server from the same document, for readers without script and for tests."""

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
        {"method": method.upper(), "path": path, "body": _body(spec, operation), **operation}
        for path, item in spec.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    return render_template("api/docs.html", spec=spec, operations=operations)


def _body(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """What a write takes: its content type and its fields, the required ones marked with *."""
    content = (operation.get("requestBody") or {}).get("content") or {}
    for content_type, media in content.items():
        schema = media.get("schema") or {}
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        required = set(schema.get("required", []))
        fields = [name + ("*" if name in required else "") for name in schema.get("properties", {})]
        return {"content_type": content_type, "fields": fields}
    return None
