"""The JSON API at /api/v1 (issue 14): what the pages show, for scripts and other systems, read and
written through the same policy and services; and the personal access tokens that open it.

flask-smorest puts it on our plain Flask app as blueprints: marshmallow schemas validate each request
and shape each response, and apispec writes the OpenAPI 3.1 document (/api/v1/openapi.json) from those
same schemas, so the document cannot drift from what the code accepts and answers.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask
from flask_smorest import Api as _SmorestApi
from flask_smorest.utils import prepare_response

PREFIX = "/api/v1"


class Api(_SmorestApi):
    """flask-smorest's Api, with our errors: problem+json in the document, and no error handlers of its
    own on the app (core.web answers every error, the API's in problem+json through ``error_formats``)."""

    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        from api.problems import PROBLEM, ProblemSchema

        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem (RFC 9457)", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


#: What a page of an origin in API_CORS_ORIGINS may send and read: the token in a header, never cookies.
_CORS_METHODS = "GET, HEAD, POST"
_CORS_REQUEST_HEADERS = "Authorization, Content-Type, Accept-Language, If-None-Match"
_CORS_EXPOSED = "ETag, Location, Retry-After"


def _cors(wsgi_app: Any, origins: frozenset[str]) -> Any:
    """Cross-origin calls from the configured origins only (``API_CORS_ORIGINS``): their preflight is
    answered without a token (a browser sends none there), and their answers say which origin may read
    them. Never ``*`` and never credentials: a call carries its token itself, in a header."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        origin = environ.get("HTTP_ORIGIN", "")
        if not (path == PREFIX or path.startswith(PREFIX + "/")) or origin not in origins:
            return wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") == "OPTIONS" and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            start_response(
                "204 No Content",
                [
                    ("Access-Control-Allow-Origin", origin),
                    ("Vary", "Origin"),
                    ("Access-Control-Allow-Methods", _CORS_METHODS),
                    ("Access-Control-Allow-Headers", _CORS_REQUEST_HEADERS),
                    ("Access-Control-Max-Age", "600"),
                ],
            )
            return [b""]

        def with_cors(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            vary = [v for k, v in headers if k.lower() == "vary"]
            kept = [(k, v) for k, v in headers if k.lower() != "vary"]
            cors = [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Expose-Headers", _CORS_EXPOSED),
                ("Vary", ", ".join([*vary, "Origin"])),
            ]
            return start_response(status, [*kept, *cors], *args)

        return wsgi_app(environ, with_cors)

    return app


def _without_cookies(wsgi_app: Any) -> Any:
    """The API takes no cookies and sets none: a browser's session never acts through it (so there is no
    CSRF to guard against), and a call never starts or replaces a session."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            return wsgi_app(environ, start_response)
        environ.pop("HTTP_COOKIE", None)

        def without_set_cookie(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [(k, v) for k, v in headers if k.lower() != "set-cookie"], *args)

        return wsgi_app(environ, without_set_cookie)

    return app


def init_app(app: Flask) -> None:
    """The API's blueprints and document, its errors as problem+json, the tokens' section on *Mijn
    account* and their revocation when an account closes, and ``flask tokens``."""
    from api import cli, tokens
    from api.problems import problem
    from api.views import account, docs, reads, writes
    from auth.signals import account_closed, account_sections
    from core.extensions import csrf

    app.config.setdefault("API_TITLE", "Regiotafel API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "servers": [{"url": "/"}],
            "security": [{"token": []}],
            "components": {
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "Een persoonlijke token van Mijn account / a personal access token",
                    }
                }
            },
            "info": {
                "description": "Wat de pagina's van Regiotafel tonen, voor scripts en andere systemen, "
                "met een persoonlijke token. / What Regiotafel's pages show, for scripts and other systems."
            },
        },
    )
    api = Api(app)
    for blueprint in (reads.blp, writes.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    app.register_blueprint(account.pages)
    app.extensions.setdefault("error_formats", {})[PREFIX + "/"] = problem
    app.wsgi_app = _without_cookies(app.wsgi_app)  # type: ignore[method-assign]
    origins = frozenset(app.config.get("API_CORS_ORIGINS", "").split())
    if origins:
        app.wsgi_app = _cors(app.wsgi_app, origins)  # type: ignore[method-assign]
    account_closed.connect(tokens.end_tokens)
    account_sections.connect(account.account_section)
    app.cli.add_command(cli.tokens_cli)
