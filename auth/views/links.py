"""The pages of links sent by e-mail: accepting an invitation, and *Wachtwoord vergeten*.

A link's GET only shows its form (or why it no longer works); the form posts the token in its
body to an address without it, so the token is in no audit record's path and in no later request's
Referer. The pages carry ``Referrer-Policy: no-referrer`` as well, for the one address that has it.
"""

from __future__ import annotations

from flask import Response, flash, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from audit.events import NOBODY
from auth import bp, invitations, recovery, services, sessions, throttle
from auth.forms import ChoosePasswordForm, ForgottenPasswordForm
from auth.models import Invitation
from auth.views.signin import continue_sign_in
from core.errors import DomainError
from core.extensions import db


def _private(page: ResponseReturnValue) -> Response:
    """A page whose address may hold a token: no Referer leaves it, not even to this site."""
    response = make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(message: str, status: int, *, again: str | None) -> ResponseReturnValue:
    """Why a link does not work, in the reader's language; ``again`` is where to ask for a new one."""
    return _private((render_template("auth/link_refused.html", message=message, again=again), status))


# --- invitations ------------------------------------------------------------------------------------


@bp.get("/auth/uitnodiging/<token>")
def invitation(token: str) -> ResponseReturnValue:
    """An invitation's link: the form to choose a password, or why the link no longer works."""
    found = invitations.find(token)
    refused = invitations.refusal(found)
    if refused is not None or found is None:
        return _invitation_refused(refused)
    form = ChoosePasswordForm(formdata=None, token=token)
    return _invitation_page(found, form)


def _invitation_refused(refused: invitations.Refusal | None) -> ResponseReturnValue:
    refused = refused or invitations.Refusal(str(invitations.UNKNOWN), 404)
    return _refused(refused.message, refused.status, again=None)


def _invitation_page(found: Invitation, form: ChoosePasswordForm, status: int = 200) -> ResponseReturnValue:
    return _private(
        (
            render_template(
                "auth/invitation.html",
                form=form,
                invitation=found,
                invitee=found.user,
                second_factor=sessions.requires_second_factor(found.user),
            ),
            status,
        )
    )


@bp.post("/auth/uitnodiging")
def invitation_accept() -> ResponseReturnValue:
    """Choose the password with the invitation's token (from the form): the link is used up, and
    the person goes on to the second factor or straight in."""
    form = ChoosePasswordForm()
    found = invitations.find(form.token.data)
    refused = invitations.refusal(found)
    if refused is not None or found is None:
        return _invitation_refused(refused)
    if form.validate_on_submit():
        invitee = found.user
        try:
            invitations.accept_invitation(invitee, found, password=form.password.data or "")
        except DomainError as exc:
            db.session.rollback()
            if not form.add_domain_error(exc):
                return _refused(exc.message, 410, again=None)
        else:
            db.session.commit()
            response = continue_sign_in(invitee, url_for("core.home"))  # a fresh session: flash after it
            flash(_("Welkom. Uw wachtwoord is ingesteld."), "success")
            return response
    return _invitation_page(found, form, 400)


# --- a forgotten password ---------------------------------------------------------------------------


def _address() -> str:
    return request.remote_addr or "onbekend"


@bp.route("/auth/wachtwoord-vergeten", methods=["GET", "POST"])
def password_forgotten() -> ResponseReturnValue:
    """Ask for a link to choose a new password: the same answer, after the same work, for every address."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data or "")
        verdict = throttle.verdict(email, _address(), kind=throttle.RESET)
        if verdict.wait:
            recovery.record_refused_reset(NOBODY, email=email)
            db.session.commit()
            form.email.errors = [
                _("Te veel aanvragen. Probeer het over %(wait)s opnieuw.", wait=throttle.describe(verdict.wait))
            ]
            return render_template("auth/password_forgotten.html", form=form), 429
        recovery.request_password_reset(NOBODY, email=email, address=_address())
        db.session.commit()
        return render_template(
            "auth/password_forgotten_sent.html", minutes=int(recovery.lifetime().total_seconds() // 60)
        )
    return render_template("auth/password_forgotten.html", form=form), 400 if form.is_submitted() else 200


@bp.get("/auth/wachtwoord-herstellen/<token>")
def password_reset(token: str) -> ResponseReturnValue:
    """A reset link: the form to choose a new password, or why the link no longer works."""
    found = recovery.find(token)
    refused = recovery.refusal(found)
    if refused is not None:
        return _refused(*refused, again=url_for("auth.password_forgotten"))
    return _reset_page(ChoosePasswordForm(formdata=None, token=token))


def _reset_page(form: ChoosePasswordForm, status: int = 200) -> ResponseReturnValue:
    return _private((render_template("auth/password_reset.html", form=form), status))


@bp.post("/auth/wachtwoord-herstellen")
def password_reset_save() -> ResponseReturnValue:
    """Choose the new password with the reset link's token (from the form): the link is used up, every
    session of the user ends, and the second factor is asked before a new one opens."""
    form = ChoosePasswordForm()
    found = recovery.find(form.token.data)
    refused = recovery.refusal(found)
    if refused is not None or found is None:
        message, status = refused or (str(recovery.UNKNOWN), 404)
        return _refused(message, status, again=url_for("auth.password_forgotten"))
    if form.validate_on_submit():
        person = services.load_user(found.user_id) if found.user_id else None
        if person is None:
            return _refused(str(recovery.UNKNOWN), 404, again=url_for("auth.password_forgotten"))
        try:
            recovery.reset_password(person, found, password=form.password.data or "")
        except DomainError as exc:
            db.session.rollback()
            if not form.add_domain_error(exc):
                return _refused(exc.message, 410, again=url_for("auth.password_forgotten"))
        else:
            db.session.commit()
            response = continue_sign_in(person, url_for("core.home"))  # a fresh session: flash after it
            flash(_("Uw nieuwe wachtwoord is ingesteld. Uw andere sessies zijn beëindigd."), "success")
            return response
    return _reset_page(form, 400)
