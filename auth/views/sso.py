"""Signing in through the organisation's own identity provider (``auth.sso``), and the beheerder's pages
that configure the providers."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth import bp, services, sso
from auth.forms import IdentityProviderForm, organisation_choices
from auth.models import IdentityProvider
from auth.policy import Action, requires
from auth.views.signin import continue_sign_in, safe_next
from core.acting import Actor
from core.dates import now
from core.extensions import db
from core.forms import BaseForm
from core.pages import form_page, submit_form
from core.web import CONTENT_SECURITY_POLICY

#: The one address every provider sends its answer to; the beheerder registers it at the provider.
CALLBACK = "/auth/sso/terug"


def redirect_uri() -> str:
    return url_for("auth.sso_callback", _external=True)


def _refuse(provider: IdentityProvider | None, refusal: sso.Refused, email: str | None = None) -> ResponseReturnValue:
    """Back to the sign-in page with the reason; the trail says what failed. No session is opened."""
    db.session.rollback()
    sso.record_refusal(Actor(user_id=None, label="niet aangemeld"), provider, why=refusal.why, email=email)
    db.session.commit()
    session.clear()
    flash(refusal.message, "error")
    return redirect(url_for("auth.login"))


@bp.post("/auth/sso/<int:provider_id>")
def sso_start(provider_id: int) -> ResponseReturnValue:
    """Go to the organisation's provider (a POST with CSRF: the pending sign-in is bound to this browser)."""
    provider = db.session.get(IdentityProvider, provider_id)
    if provider is None or not provider.active:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    if not BaseForm().validate_on_submit():
        flash(_("Het formulier was verlopen. Probeer het opnieuw."), "error")
        return redirect(url_for("auth.login"))
    try:
        url, pending = sso.begin(provider, redirect_uri(), moment=now())
    except sso.Refused as refusal:
        return _refuse(provider, refusal)
    pending["next"] = safe_next(request.args.get("next"))
    session["sso_pending"] = pending
    return redirect(url)


@bp.get(CALLBACK)
def sso_callback() -> ResponseReturnValue:
    """The provider's answer. A GET, as OpenID Connect sends it; the state makes it this browser's own
    answer to its own request, and it is taken from the session at once, so it counts only once."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))  # nor may a stray link sign the present user out
    pending: dict[str, Any] | None = session.pop("sso_pending", None)
    provider = db.session.get(IdentityProvider, pending["provider"]) if pending else None
    if pending is None or provider is None or not provider.active:
        return _refuse(provider, sso.Refused(_("Deze aanmelding is verlopen of al gebruikt. Begin opnieuw."), "state"))
    email = None
    try:
        identity = sso.finish(provider, pending, request.args.to_dict(), redirect_uri(), moment=now())
        user, email = sso.match(provider, identity.claims)
    except sso.Refused as refusal:
        return _refuse(provider, refusal, email)
    if user is None:
        actor = Actor(user_id=None, label=f"inlogdienst {provider.issuer}", organisation=provider.organisation.name)
        user = sso.create_account(actor, provider, email=email, name=str(identity.claims.get("name") or ""))
        db.session.commit()
        flash(_("Welkom. Uw account is aangemaakt; het secretariaat van uw overleg geeft u toegang."), "success")
    signed_in_with: dict[str, Any] = {
        "sso_provider": provider.id,
        "sso_second_factor": sso.second_factor_met(provider, identity.claims),
    }
    if identity.end_session_endpoint:
        signed_in_with["sso_logout"] = {
            "endpoint": identity.end_session_endpoint,
            "id_token": identity.id_token,
            "client_id": provider.client_id,
        }
    return continue_sign_in(user, pending.get("next") or url_for("core.home"), signed_in_with=signed_in_with)


@bp.after_app_request
def _provider_form_targets(response: Any) -> Any:
    """Let forms lead to the providers (the page's CSP says ``form-action 'self'``): the sign-in page's
    buttons end at a provider, and an SSO session's logout button at that provider's logout page."""
    targets: set[str] = set()
    if request.endpoint == "auth.login" and response.status_code < 300:
        targets = {sso.origin_of(p.issuer) for p in sso.active_providers()}
    logout = session.get("sso_logout")
    if logout:
        targets.add(sso.origin_of(logout["endpoint"]))
    if targets:
        policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(sorted(targets))
        )
    return response


# --- the beheerder's pages -------------------------------------------------------------------------------


def _form(provider: IdentityProvider | None = None) -> IdentityProviderForm:
    form = IdentityProviderForm(obj=provider)
    if request.method == "GET" and provider is not None:
        form.client_secret.data = ""
    form.organisation_id.choices = organisation_choices(services.list_organisations())
    return form


def _page(form: IdentityProviderForm, title: str, provider: IdentityProvider | None) -> ResponseReturnValue:
    return form_page("auth/admin_provider.html", form=form, title=title, provider=provider, callback=redirect_uri())


@bp.route("/beheer/inlogdiensten/nieuw", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_provider_new() -> ResponseReturnValue:
    """Add an organisation's identity provider."""
    form = _form()
    provider = submit_form(form, lambda user: sso.save_provider(user, None, **form.service_data()))
    if provider:
        flash(_("Inlogdienst voor %(name)s toegevoegd.", name=provider.organisation.name), "success")
        return redirect(url_for("auth.admin_index", _anchor="inlogdiensten"))
    return _page(form, _("Nieuwe inlogdienst"), None)


@bp.route("/beheer/inlogdiensten/<int:provider_id>", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_provider_edit(provider_id: int) -> ResponseReturnValue:
    """Change an identity provider; its secret stays unless a new one is typed."""
    provider = db.get_or_404(IdentityProvider, provider_id)
    form = _form(provider)
    if submit_form(form, lambda user: sso.save_provider(user, provider, **form.service_data())):
        flash(_("Inlogdienst bijgewerkt."), "success")
        return redirect(url_for("auth.admin_index", _anchor="inlogdiensten"))
    return _page(form, _("Inlogdienst van %(name)s", name=provider.organisation.name), provider)
