"""Pages that belong to no domain package: the home page, the health check, the error pages."""

from __future__ import annotations

import functools
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import event, text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

from core.db import AppSession, is_storage_full
from core.errors import NotPermitted, NotVisible
from core.extensions import db
from core.logs import RedactSecrets
from core.signals import access_refused, answer, home_panels
from core.templating import filesize

bp = Blueprint("core", __name__)


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full link to a page, also outside a request (an e-mail, a calendar feed): ``PUBLIC_URL``."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        public.netloc, script_name=public.path.rstrip("/") or "/", url_scheme=public.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """The home page: each package shows what this user has to do or to know."""
    panels = sorted(answer(home_panels, current_user), key=lambda p: p.order)
    return render_template("core/home.html", panels=panels)


#: The icon is the same for everyone and changes with a release at most: browsers may keep it a week.
FAVICON_MAX_AGE = 7 * 24 * 3600


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The site's icon where browsers and feed readers look for it without a link (base.html links it too).
    From memory, not an open file: a browser often drops this request as its page closes, and the file
    it had opened was then left for the garbage collector (a ResourceWarning in the browser tests)."""
    response = current_app.response_class(_favicon_bytes(), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@functools.cache
def _favicon_bytes() -> bytes:
    return (Path(current_app.static_folder or "static") / "favicon.ico").read_bytes()


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """For a load balancer: 200 when the database answers, with its schema revision; else 503."""
    try:
        db.session.execute(text("SELECT 1"))
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, InterfaceError, PoolTimeout) as exc:
        return unavailable_page(exc)
    except SQLAlchemyError as exc:
        current_app.logger.warning("health check failed: %s", exc)
        _discard()
        return jsonify(status="error", database="not migrated", message="De database is niet gemigreerd."), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name, schema=revision)


def _discard() -> None:
    # When the connection is gone, rolling back fails too; removing the session at the end of the
    # request discards it anyway.
    with suppress(SQLAlchemyError):
        db.session.rollback()


def unavailable_page(exc: Exception) -> ResponseReturnValue:
    """503 when the database does not answer: a page that needs nothing from it. The signed-in user is
    not looked up (Flask-Login would ask the database again, from the page and from the language choice):
    the request goes on as an anonymous one, and the session cookie stays, so the user is still signed
    in once the database is back. The failed transaction rolls back; with ``pool_pre_ping`` the next
    request gets a fresh connection, so Regiotafel recovers without a restart."""
    current_app.logger.warning("database unreachable: %s", exc)
    # Cut while its COMMIT was under way, a write may be stored although the answer never came back
    # (drill-faults saw 4 in 2,713): then the page does not claim that nothing was stored.
    uncertain = bool(g.get("commit_under_way"))
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    _discard()
    if request.endpoint == "core.healthz":  # also when a signed-in browser asks, and its user was looked up
        return jsonify(status="error", database="unreachable", message="De database is niet bereikbaar."), 503
    response = current_app.make_response((render_template("core/unavailable.html", uncertain=uncertain), 503))
    response.headers["Retry-After"] = "60"
    return response


def _commit_begins(_session: Any) -> None:
    if has_request_context():
        g.commit_under_way = True


def _commit_ends(_session: Any) -> None:
    if has_request_context():
        g.commit_under_way = False


def _error_page(code: int, title: str, message: str) -> ResponseReturnValue:
    # Under a prefix another package answers in its own format (the JSON API: problem+json), with the
    # same words: a package registers ``app.extensions["error_formats"][prefix] = respond(code, title, message)``.
    for prefix, respond in current_app.extensions.get("error_formats", {}).items():
        if request.path.startswith(prefix):
            return respond(code, title, message)
    return render_template("core/error.html", code=code, title=title, message=message), code


#: No inline scripts or styles anywhere; images may be data: URIs (none are, but SVG icons could be).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https, not only when configured."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


def _security_headers(response: Response) -> Response:
    """ASVS 3.4 headers on every response, error pages and files included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # A page may be stricter (a link's page whose address holds its token sends no Referer at all).
    headers.setdefault("Referrer-Policy", "same-origin")
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        # Pages show what one user may see; no shared cache may keep them.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Security headers, the session cookie, and Dutch error pages (a hidden item and a missing one
    both end as 404)."""
    app.session_interface = _SessionInterface()
    app.after_request(_security_headers)
    for name, listener in (("before_commit", _commit_begins), ("after_commit", _commit_ends)):
        if not event.contains(AppSession, name, listener):
            event.listen(AppSession, name, listener)
    app.logger.addFilter(RedactSecrets())
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.errorhandler(404)
    def not_found(_exc: HTTPException) -> ResponseReturnValue:
        return _error_page(404, _("Pagina niet gevonden"), _("Deze pagina bestaat niet of is niet voor u bestemd."))

    @app.errorhandler(NotVisible)
    def hidden(exc: NotVisible) -> ResponseReturnValue:
        answer(access_refused, current_user, status=404, object_type=exc.object_type, object_id=exc.object_id)
        return not_found(NotFound())

    @app.errorhandler(NotPermitted)
    def refused(exc: NotPermitted) -> ResponseReturnValue:
        answer(access_refused, current_user, status=403, object_type=exc.object_type, object_id=exc.object_id)
        return _error_page(403, _("Niet toegestaan"), exc.message)

    @app.errorhandler(405)
    def not_allowed(_exc: HTTPException) -> ResponseReturnValue:
        return _error_page(405, _("Niet toegestaan"), _("Deze handeling kan op deze pagina niet."))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: HTTPException) -> ResponseReturnValue:
        # In the unit of the size (a limit of 512 kB read "0 MB" in whole megabytes).
        return _error_page(
            413,
            _("Bestand te groot"),
            _(
                "Een document mag hoogstens %(size)s zijn, alle bestanden van één keer uploaden samen hoogstens "
                "%(total)s. Er is niets opgeslagen.",
                size=filesize(app.config["MAX_DOCUMENT_BYTES"]),
                total=filesize(app.config["MAX_UPLOAD_BYTES"]),
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_failed(_exc: CSRFError) -> ResponseReturnValue:
        return _error_page(
            400,
            _("Formulier verlopen"),
            _("Het formulier was verlopen of onvolledig. Laad de pagina opnieuw en probeer het nog eens."),
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unreachable(exc: Exception) -> ResponseReturnValue:
        if is_storage_full(exc):
            # It answers, but takes no more (a full disk): nothing of the request was stored.
            _discard()
            return _error_page(
                507,
                _("Opslag vol"),
                _(
                    "De opslag van Regiotafel is vol. Er is niets opgeslagen; probeer het later opnieuw "
                    "of meld het aan beheer."
                ),
            )
        return unavailable_page(exc)

    @app.errorhandler(500)
    def server_error(_exc: Exception) -> ResponseReturnValue:
        db.session.rollback()
        return _error_page(
            500,
            _("Er ging iets mis"),
            _("Er is niets opgeslagen. Probeer het later opnieuw of meld het aan beheer."),
        )
