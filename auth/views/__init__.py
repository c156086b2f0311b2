"""Pages of auth: signing in and the account (``signin``), and the beheerder's pages (``admin``).

Here too what runs on every request: loading the signed-in user from the server-side session,
keeping the session's idle clock, and sending a user who must set up a second factor there first.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from auth import bp, policy, services, sessions
from auth import labels as _labels  # noqa: F401  (registers the role labels)
from auth.forms import LanguageForm
from auth.models import User
from auth.policy import Action, can
from auth.views import admin, calendar, links, signin  # noqa: F401  (routes register on import)
from core.access import install_policy
from core.dates import now
from core.extensions import login_manager
from core.hooks import provide
from core.web import HOME_PANELS, HomePanel

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in om deze pagina te zien.")
login_manager.login_message_category = "warning"

#: Pages a user who still has to set up a second factor may use.
_SETUP_ALLOWED = {"auth.mfa_setup", "auth.mfa_qr", "auth.logout", "static", "core.healthz"}


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = sessions.session_user(session.get("sid"), session.get("seen"))
    return user if user is not None and str(user.id) == user_id else None


@bp.before_app_request
def _second_factor_first() -> ResponseReturnValue | None:
    if (
        current_user.is_authenticated
        and request.endpoint not in _SETUP_ALLOWED
        and sessions.requires_second_factor(current_user)
        and not current_user.mfa_enabled
    ):
        flash(_("Uw rol vraagt om aanmelden in twee stappen. Stel dat eerst in."), "warning")
        return redirect(url_for("auth.mfa_setup"))
    return None


@bp.after_app_request
def _keep_idle_clock(response: Any) -> Any:
    # The signed cookie carries the time of the last request; the server checks it on the next.
    if "sid" in session and request.endpoint != "static":
        session["seen"] = now().timestamp()
    return response


def _beheer_panel(user: User) -> HomePanel | None:
    """The beheerder's home: what there is to manage."""
    if not can(user, Action.ADMINISTER):
        return None
    return HomePanel(
        title=_("Beheer"),
        template="auth/panels/beheer.html",
        context={"organisations": len(services.list_organisations()), "users": len(services.list_users())},
        order=1,
    )


def _language_switch_form() -> LanguageForm:
    return LanguageForm(formdata=None, locale=str(get_locale() or "nl"))


@bp.record_once
def _register(state: Any) -> None:
    app: Flask = state.app
    app.jinja_env.globals.update(can=can, Action=Action, language_switch_form=_language_switch_form)
    install_policy(app, policy)
    provide(app, HOME_PANELS, _beheer_panel)
