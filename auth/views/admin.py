"""The beheerder's pages for organisations and users: details, switching an account off (a leaver) or on
again, and an invitation sent again or withdrawn (also by a secretariat, for its own body)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth import bp, invitations, services, sessions, sso
from auth.forms import OrganisationForm, SwitchOffForm, UserForm, organisation_choices
from auth.models import Invitation, Organisation, User
from auth.policy import Action, get_visible, requires
from auth.views.signin import safe_next
from core.dates import now
from core.extensions import db
from core.pages import form_page, run_action, submit_form


@bp.get("/beheer")
@login_required
@requires(Action.ADMINISTER)
def admin_index() -> ResponseReturnValue:
    """The beheerder's overview."""
    return render_template(
        "auth/admin_index.html",
        organisations=services.list_organisations(),
        users=services.list_users(),
        providers=sso.list_providers(),
    )


@bp.route("/beheer/organisaties/nieuw", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_organisation_new() -> ResponseReturnValue:
    """Add an organisation."""
    form = OrganisationForm()
    organisation = submit_form(form, lambda user: services.create_organisation(user, **form.service_data()))
    if organisation:
        flash(_("Organisatie %(name)s toegevoegd.", name=organisation.name), "success")
        return redirect(url_for("auth.admin_index"))
    return form_page("auth/admin_form.html", form=form, title=_("Nieuwe organisatie"), history=None)


@bp.route("/beheer/organisaties/<int:organisation_id>", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_organisation_edit(organisation_id: int) -> ResponseReturnValue:
    """Change an organisation."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)
    if submit_form(form, lambda user: services.update_organisation(user, organisation, **form.service_data())):
        flash(_("Organisatie bijgewerkt."), "success")
        return redirect(url_for("auth.admin_index"))
    title = _("Organisatie %(name)s", name=organisation.name)
    return form_page("auth/admin_form.html", form=form, title=title, history=organisation)


def _user_or_404(user_id: int) -> User:
    user = services.load_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/beheer/gebruikers/<int:user_id>", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_user_edit(user_id: int) -> ResponseReturnValue:
    """Change a user's details; see their roles and invitation; switch the account off or on."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    form.organisation_id.choices = organisation_choices(services.list_organisations())
    if submit_form(form, lambda actor: services.update_user(actor, user, **form.service_data())):
        flash(_("Gebruiker bijgewerkt."), "success")
        return redirect(url_for("auth.admin_user_edit", user_id=user.id))
    return _user_page(user, form)


def _user_page(user: User, form: UserForm, switch_off_form: SwitchOffForm | None = None) -> ResponseReturnValue:
    return form_page(
        "auth/admin_user.html",
        user=user,
        form=form,
        switch_off_form=switch_off_form or SwitchOffForm(formdata=None),
        invitation=invitations.latest_invitation_of(user),
        now=now(),
    )


@bp.post("/beheer/gebruikers/<int:user_id>/uitzetten")
@login_required
@requires(Action.ADMINISTER)
def admin_user_switch_off(user_id: int) -> ResponseReturnValue:
    """Switch an account off (a leaver): sessions, calendar link, roles and waiting messages end at once."""
    user = _user_or_404(user_id)
    switch_off_form = SwitchOffForm()
    if submit_form(
        switch_off_form, lambda actor: services.switch_off_user(actor, user, reason=switch_off_form.reason.data)
    ):
        flash(_("Het account van %(name)s staat uit; wat het had is beëindigd.", name=user.name), "success")
        return redirect(url_for("auth.admin_user_edit", user_id=user.id))
    form = UserForm(obj=user, formdata=None)
    form.organisation_id.choices = organisation_choices(services.list_organisations())
    return _user_page(user, form, switch_off_form)


@bp.post("/beheer/gebruikers/<int:user_id>/aanzetten")
@login_required
@requires(Action.ADMINISTER)
def admin_user_reactivate(user_id: int) -> ResponseReturnValue:
    """Switch an account on again: the person gets a new invitation and chooses a new password."""
    user = _user_or_404(user_id)
    return run_action(
        invitations.reactivate_user,
        user,
        success=_("Het account van %(name)s staat weer aan; er gaat een nieuwe uitnodiging uit.", name=user.name),
        then=url_for("auth.admin_user_edit", user_id=user.id),
    )


def _invitation_or_404(invitation_id: int) -> Invitation:
    """An invitation the current user may see (the beheerder; who reviews its body's access)."""
    return get_visible(current_user, Invitation, invitation_id)


def _back(fallback: str) -> str:
    """Where the button came from (a path on this site), else ``fallback``."""
    return safe_next(request.form.get("next"), fallback)


@bp.post("/uitnodigingen/<int:invitation_id>/opnieuw")
@login_required
def invitation_resend(invitation_id: int) -> ResponseReturnValue:
    """Send an invitation again with a new link; the old link stops working."""
    invitation = _invitation_or_404(invitation_id)
    return run_action(
        invitations.resend_invitation,
        invitation,
        success=_("De uitnodiging gaat opnieuw uit, met een nieuwe link. De vorige link werkt niet meer."),
        then=_back(url_for("auth.admin_user_edit", user_id=invitation.user_id)),
    )


@bp.post("/uitnodigingen/<int:invitation_id>/intrekken")
@login_required
def invitation_withdraw(invitation_id: int) -> ResponseReturnValue:
    """Withdraw an invitation: its link stops working and the unused account goes off with its roles."""
    invitation = _invitation_or_404(invitation_id)
    return run_action(
        invitations.withdraw_invitation,
        invitation,
        success=_("De uitnodiging is ingetrokken; het account staat uit."),
        then=_back(url_for("auth.admin_user_edit", user_id=invitation.user_id)),
    )


@bp.post("/beheer/gebruikers/<int:user_id>/tweede-stap-resetten")
@login_required
@requires(Action.ADMINISTER)
def admin_user_reset_mfa(user_id: int) -> ResponseReturnValue:
    """Switch a user's second factor off (a lost phone); the user sets it up again at next sign-in."""
    user = _user_or_404(user_id)
    return run_action(
        sessions.reset_second_factor,
        user,
        success=_("De tweede stap van %(name)s is uitgezet; de sessies zijn beëindigd.", name=user.name),
        then=url_for("auth.admin_user_edit", user_id=user.id),
    )
