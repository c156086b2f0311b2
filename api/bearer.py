"""Who calls the API: the user of a personal access token in ``Authorization: Bearer``, nobody else.

The API reads no cookies (``api.init_app`` takes them off every request under /api/), so a browser
session never acts here and there is nothing for a forged cross-site request to ride on: no CSRF.
A token acts as its user *now*: the user is loaded afresh on every call, with today's memberships.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.exceptions import HTTPException

from api import tokens
from api.models import TokenScope
from api.problems import problem
from core.i18n import LANGUAGES

#: Methods a read token may use.
READING = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthorized(HTTPException):
    code = 401

    def get_response(self, environ=None, scope=None):
        return problem(
            401,
            _("Niet aangemeld"),
            _("Geef een geldige persoonlijke token mee: Authorization: Bearer <token>."),
        )


class ReadOnlyToken(HTTPException):
    code = 403

    def get_response(self, environ=None, scope=None):
        return problem(403, _("Niet toegestaan"), _("Deze token mag alleen lezen."))


def authenticate() -> None:
    """The blueprints' ``before_request``: the token's user becomes ``current_user`` for this call."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    found = tokens.token_user(secret.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise Unauthorized()
    user, token = found
    # Flask-Login's current_user reads g._login_user first: the policy, the services and the audit
    # trail see the token's user as they see a signed-in one.
    g._login_user = user
    if request.headers.get("Accept-Language"):
        # Over the user's own choice of language: a script states the language it wants per call.
        g.requested_locale = request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0])
        refresh()
    g.api_token = token
    # The audit trail tells a script's writes from a person's in the browser, and which token made them.
    g.request_origin = {"source": "api", "token": str(token.id)}
    if request.method not in READING and token.scope is not TokenScope.WRITE:
        raise ReadOnlyToken()
    tokens.note_use(token)
