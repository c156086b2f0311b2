"""Errors as ``application/problem+json`` (RFC 9457), in the caller's language (Accept-Language, or the
token's user's own), with exactly the words the pages use: a hidden object and a missing one give the
same 404, to the byte."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from marshmallow import Schema, fields

PROBLEM = "application/problem+json"


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"description": "Always about:blank: the status says what kind."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    #: Per input field, what is wrong with it (a refused request body or query).
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


def problem(status: int, title: str, detail: str, errors: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=PROBLEM)
    response.headers["Content-Language"] = _language()
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="regiotafel"'
    return response


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl")
