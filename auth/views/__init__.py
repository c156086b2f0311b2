"""Pages of auth: signing in and the account (``signin``), and the beheerder's pages (``admin``).

Here too what runs on every request: loading the signed-in user from the server-side session,
keeping the session's idle clock, and sending a user who must set up a second factor there first.
``auth.init_app`` hands Flask-Login the user loader and connects the beheerder's home panel.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from auth import bp, services, sessions
from auth.forms import LanguageForm
from auth.models import User
from auth.policy import Action, can
from auth.views import admin, calendar, links, signin, sso  # noqa: F401  (routes register on import)
from core.dates import now
from core.sections import HomePanel

#: Pages a user who still has to set up a second factor may use.
_SETUP_ALLOWED = {"auth.mfa_setup", "auth.mfa_qr", "auth.logout", "static", "core.healthz"}


def load_user(user_id: str) -> User | None:
    """The signed-in user of this request's session, if the session still holds (Flask-Login's user loader)."""
    user = sessions.session_user(session.get("sid"), session.get("seen"))
    return user if user is not None and str(user.id) == user_id else None


@bp.before_app_request
def _second_factor_first() -> ResponseReturnValue | None:
    if (
        current_user.is_authenticated
        and request.endpoint not in _SETUP_ALLOWED
        and sessions.requires_second_factor(current_user)
        and not current_user.mfa_enabled
        and not session.get("sso_second_factor")
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


def beheer_panel(user: User) -> HomePanel | None:
    """The beheerder's home: what there is to manage."""
    if not can(user, Action.ADMINISTER):
        return None
    return HomePanel(
        title=_("Beheer"),
        template="auth/panels/beheer.html",
        context={"organisations": len(services.list_organisations()), "users": len(services.list_users())},
        order=1,
    )


def language_switch_form() -> LanguageForm:
    """The language switch in the page's header (a template global)."""
    return LanguageForm(formdata=None, locale=str(get_locale() or "nl"))
