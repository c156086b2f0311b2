"""Signing in (password, then a second factor where set up), signing out, and the user's account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from flask import Response, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from audit.events import NOBODY
from auth import bp, feeds, mfa, services, sessions, sso, throttle
from auth.forms import LanguageForm, LoginForm, OwnPasswordForm, SecondFactorForm
from auth.models import User
from core.dates import now
from core.extensions import db
from core.forms import BaseForm
from core.i18n import COOKIE, COOKIE_MAX_AGE
from core.pages import form_page, submit_form

UNKNOWN = _l("Deze combinatie van e-mailadres en wachtwoord kennen we niet.")
PENDING_MINUTES = 5


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """Only a path on this site: an open redirect would make the login page a phishing aid. Browsers
    read a backslash as a slash (``/\\evil.example`` is ``//evil.example`` to them) and drop tabs and
    line breaks, so a path with any of those is no path here."""
    if target and not any(ch in target for ch in "\\\t\r\n"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback or url_for("core.home")


def _address() -> str:
    return request.remote_addr or "onbekend"


def _open_session(user: User, target: str, signed_in_with: dict[str, Any] | None = None) -> ResponseReturnValue:
    """Start a fresh session: a new token at every sign-in, nothing of the old session carried over but
    ``signed_in_with``: how a provider signed the person in (``auth.views.sso``)."""
    session.clear()
    token = sessions.sign_in(user, address=_address(), user_agent=request.user_agent.string or "")
    db.session.commit()
    session.update(signed_in_with or {})
    session["sid"] = token
    session["seen"] = now().timestamp()
    login_user(user)
    return redirect(target)


def _refuse(
    form: LoginForm | SecondFactorForm,
    field: str,
    email: str,
    kind: str,
    message: str,
    *,
    throttled: bool,
    checked: bool = True,
) -> None:
    sessions.record_failed_sign_in(
        NOBODY, email=email, address=_address(), kind=kind, throttled=throttled, checked=checked
    )
    db.session.commit()
    form[field].errors = [message]


def _too_many(verdict: throttle.Verdict) -> str:
    return _("Te veel mislukte pogingen. Probeer het over %(wait)s opnieuw.", wait=throttle.describe(verdict.wait))


def _too_many_codes(verdict: throttle.Verdict) -> str:
    return _("Te veel onjuiste codes. Probeer het over %(wait)s opnieuw.", wait=throttle.describe(verdict.wait))


@bp.route("/auth/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with e-mail address and password; the same answer for an unknown address and a wrong password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data or "")
        verdict = throttle.verdict(email, _address())
        if verdict.pair:
            _refuse(form, "password", email, "password", _too_many(verdict), throttled=True, checked=False)
        else:
            # Checked at the same cost under every wait but the pair's: a known pair may still get in,
            # and nobody may tell by the answer or its time whether this one is known.
            user = services.authenticate(email, form.password.data or "")
            target = safe_next(request.args.get("next"))
            if user is None or not verdict.admits:
                message = _too_many(verdict) if verdict.others else str(UNKNOWN)
                _refuse(form, "password", email, "password", message, throttled=bool(verdict.others))
            else:
                return continue_sign_in(user, target)
    return form_page("auth/login.html", form=form, providers=sso.active_providers(), next=request.args.get("next"))


def continue_sign_in(user: User, target: str, signed_in_with: dict[str, Any] | None = None) -> ResponseReturnValue:
    """After a right password (typed, or just chosen on an invitation's or reset link's page), or a
    provider's word: the second factor where it is set up, else a session. A link never stands in for the
    second factor; a provider does when it says it asked for one in the terms configured (``auth.sso``)."""
    if user.mfa_enabled and not (signed_in_with or {}).get("sso_second_factor"):
        session.clear()
        session.update(mfa_user=user.id, mfa_since=now().timestamp(), mfa_next=target, mfa_with=signed_in_with)
        return redirect(url_for("auth.second_factor"))
    return _open_session(user, target, signed_in_with)


@bp.route("/auth/tweede-stap", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    """The second step: a code from the authenticator app, or a recovery code."""
    user_id, since = session.get("mfa_user"), session.get("mfa_since")
    user = services.load_user(user_id) if user_id else None
    if user is None or since is None or now().timestamp() - since > PENDING_MINUTES * 60:
        session.clear()
        flash(_("Meld u opnieuw aan."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        verdict = throttle.verdict(user.email, _address(), kind="mfa")
        if verdict.pair:
            _refuse(form, "code", user.email, "mfa", _too_many_codes(verdict), throttled=True, checked=False)
        # Checked before asking whether the verdict admits, as the password is: the same work either way.
        elif sessions.check_second_factor(user, code=form.code.data or "") and verdict.admits:
            return _open_session(user, session.get("mfa_next") or url_for("core.home"), session.get("mfa_with"))
        else:
            db.session.rollback()  # a right code that the wait refuses stays unused
            message = _too_many_codes(verdict) if verdict.others else _("Deze code klopt niet.")
            _refuse(form, "code", user.email, "mfa", message, throttled=bool(verdict.others))
    return form_page("auth/second_factor.html", form=form)


@bp.post("/auth/logout")
def logout() -> ResponseReturnValue:
    """Sign out (a POST with CSRF, so no other site can sign a user out); the session ends on the server."""
    if current_user.is_authenticated and session.get("sid"):
        sessions.sign_out(current_user, token=session["sid"])
        db.session.commit()
    at_provider = session.get("sso_logout") if current_user.is_authenticated else None
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."), "success")
    if at_provider:
        # RP-initiated logout: the provider ends its session too, then sends the browser back here.
        return redirect(
            add_params_to_uri(
                at_provider["endpoint"],
                {
                    "id_token_hint": at_provider["id_token"],
                    "client_id": at_provider["client_id"],
                    "post_logout_redirect_uri": url_for("auth.login", _external=True),
                },
            )
        )
    return redirect(url_for("auth.login"))


@bp.route("/auth/tweede-stap/instellen", methods=["GET", "POST"])
@login_required
def mfa_setup() -> ResponseReturnValue:
    """Set up sign-in in two steps: scan the QR code, confirm with a first code, keep the recovery codes."""
    if current_user.mfa_enabled:
        return redirect(url_for("auth.account"))
    secret = session.get("mfa_secret") or mfa.new_secret()
    session["mfa_secret"] = secret
    form = SecondFactorForm()
    codes = submit_form(
        form, lambda user: sessions.enable_second_factor(user, secret=secret, code=form.code.data or "")
    )
    if codes:
        session.pop("mfa_secret", None)
        return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return form_page("auth/mfa_setup.html", form=form, secret=grouped)


@bp.get("/auth/tweede-stap/qr.svg")
@login_required
def mfa_qr() -> ResponseReturnValue:
    """The QR code of the secret being set up (never of one already in use)."""
    secret = session.get("mfa_secret")
    if not secret or current_user.mfa_enabled:
        return Response(status=404)
    response = Response(mfa.qr_svg(mfa.provisioning_uri(secret, current_user.email)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/auth/account")
@login_required
def account() -> ResponseReturnValue:
    """The user's own account: password, sign-in in two steps, language and calendar link."""
    return render_template("auth/account.html", **_account_context(OwnPasswordForm(formdata=None)))


def _account_context(password_form: OwnPasswordForm) -> dict[str, object]:
    return {
        "password_form": password_form,
        "codes_left": sessions.recovery_codes_left(current_user) if current_user.mfa_enabled else 0,
        "mfa_required": sessions.requires_second_factor(current_user),
        "calendar_feed": feeds.active_feed(current_user),
    }


@bp.post("/auth/account/wachtwoord")
@login_required
def own_password() -> ResponseReturnValue:
    """Change one's own password; other sessions of this user end."""
    form = OwnPasswordForm()
    done = submit_form(
        form,
        lambda user: sessions.change_own_password(
            user, current=form.current.data or "", new=form.password.data or "", keep_token=session.get("sid", "")
        ),
    )
    if done:
        flash(_("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd."), "success")
        return redirect(url_for("auth.account"))
    return form_page("auth/account.html", **_account_context(form))


@bp.post("/auth/account/herstelcodes")
@login_required
def recovery_codes() -> ResponseReturnValue:
    """New recovery codes, shown once."""
    codes = submit_form(BaseForm(), lambda user: sessions.replace_recovery_codes(user))
    if not codes:
        return redirect(url_for("auth.account"))
    return render_template("auth/recovery_codes.html", codes=codes, first_time=False)


@bp.post("/taal")
def language() -> ResponseReturnValue:
    """Switch between Dutch and English: stored on a signed-in user, in a cookie for anyone else."""
    form = LanguageForm()
    if current_user.is_authenticated:
        done = submit_form(form, lambda user: services.set_own_language(user, locale=form.locale.data or ""))
    else:
        done = form.validate_on_submit()
    if not done:
        return form_page("auth/language.html", form=form)
    response = redirect(safe_next(form.next.data))
    # Also for a signed-in user: the sign-in page after signing out keeps their language.
    response.set_cookie(
        COOKIE,
        form.locale.data or "",
        max_age=COOKIE_MAX_AGE,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response
