"""Language: Dutch unless a person chose English, and time always in Amsterdam.

The signed-in user's choice is stored on the user; someone not signed in carries it in a cookie
set by the switch in the footer; failing both, the browser's preference decides between the two.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import refresh
from flask_login import current_user

from core.extensions import babel

#: The languages Regiotafel speaks; the first is the default.
LANGUAGES = ("nl", "en")
#: Each language named in itself, so a reader finds their own whatever the page is in.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
COOKIE = "regiotafel_taal"
#: A year: the choice of someone who is not signed in outlives the session.
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Inside the package, so an installed Regiotafel finds its catalogs as well as a checkout does.
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def known(locale: str | None) -> str | None:
    return locale if locale in LANGUAGES else None


def select_locale() -> str:
    """The signed-in user's language, else the cookie's, else the browser's best match, else Dutch."""
    if not has_request_context():
        return LANGUAGES[0]
    # A client that asks per request (the API, by Accept-Language) gets what it asked for.
    asked = known(g.get("requested_locale"))
    if asked:
        return asked
    if getattr(current_user, "is_authenticated", False):
        return known(getattr(current_user, "locale", None)) or LANGUAGES[0]
    chosen = known(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0]) or LANGUAGES[0]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def _fresh_locale() -> None:
        # Flask-Babel keeps the locale on ``g``; a test (or a CLI command) that holds one app
        # context across requests would otherwise carry the first request's language into the next.
        refresh()
