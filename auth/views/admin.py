"""The beheerder's pages for organisations and users."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from auth import bp, services, sessions
from auth.forms import NewUserForm, OrganisationForm, PasswordForm, UserForm, organisation_choices
from auth.models import Organisation, User
from auth.policy import Action, requires
from core.extensions import db
from core.pages import form_page, run_action, submit_form


@bp.get("/beheer")
@login_required
@requires(Action.ADMINISTER)
def admin_index() -> ResponseReturnValue:
    """The beheerder's overview."""
    return render_template(
        "auth/admin_index.html", organisations=services.list_organisations(), users=services.list_users()
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


@bp.route("/beheer/gebruikers/nieuw", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_user_new() -> ResponseReturnValue:
    """Add a user."""
    form = NewUserForm()
    form.organisation_id.choices = organisation_choices(services.list_organisations())

    def create(user: User) -> User:
        data = form.service_data()
        data.pop("active", None)  # a new account starts active
        return services.create_user(user, **data)

    user = submit_form(form, create)
    if user:
        flash(_("Gebruiker %(name)s toegevoegd.", name=user.name), "success")
        return redirect(url_for("auth.admin_user_edit", user_id=user.id))
    return form_page("auth/admin_form.html", form=form, title=_("Nieuwe gebruiker"), history=None)


def _user_or_404(user_id: int) -> User:
    user = services.load_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/beheer/gebruikers/<int:user_id>", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_user_edit(user_id: int) -> ResponseReturnValue:
    """Change a user's details; see their memberships."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    form.organisation_id.choices = organisation_choices(services.list_organisations())
    if submit_form(form, lambda actor: services.update_user(actor, user, **form.service_data())):
        flash(_("Gebruiker bijgewerkt."), "success")
        return redirect(url_for("auth.admin_user_edit", user_id=user.id))
    return form_page("auth/admin_user.html", user=user, form=form, password_form=PasswordForm(prefix="pw"))


@bp.post("/beheer/gebruikers/<int:user_id>/wachtwoord")
@login_required
@requires(Action.ADMINISTER)
def admin_user_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for a user."""
    user = _user_or_404(user_id)
    password_form = PasswordForm(prefix="pw")
    if submit_form(
        password_form, lambda actor: services.set_password(actor, user, password=password_form.password.data)
    ):
        flash(_("Wachtwoord van %(name)s gewijzigd.", name=user.name), "success")
        return redirect(url_for("auth.admin_user_edit", user_id=user.id))
    form = UserForm(obj=user, formdata=None)
    form.organisation_id.choices = organisation_choices(services.list_organisations())
    return form_page("auth/admin_user.html", user=user, form=form, password_form=password_form)


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
