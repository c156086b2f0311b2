"""Who gets into a body and who has: inviting people (the beheerder, and a body's secretariat where
the beheerder allows it), and the body's periodic access review with its export."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.forms import AdminInvitationForm, BodyInvitationForm, organisation_choices
from auth.invitations import invite_user
from auth.models import Invitation, Role
from auth.policy import Action, grantable_roles, requires
from auth.services import list_organisations
from core.labels import choices
from core.pages import form_page, submit_form
from core.spreadsheet import download
from meetings import bp
from meetings.forms import InviteSettingForm, ReviewDoneForm
from meetings.models import Body
from meetings.services import access, bodies


def _mail_server() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@bp.route("/beheer/gebruikers/nieuw", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_user_invite() -> ResponseReturnValue:
    """Invite a person (the beheerder): details, organisation and roles per body; no password."""
    form = AdminInvitationForm()
    offered = {body.id: body for body in bodies.all_bodies()}
    if not form.is_submitted():
        for body in offered.values():
            form.roles.append_entry({"body_id": body.id, "role": ""})
    for entry in form.roles:
        ident = _int(entry.form.body_id.data)
        shown = offered.get(ident) if ident is not None else None
        entry.form.role.label.text = shown.name if shown else _("Rol")
    form.organisation_id.choices = organisation_choices(list_organisations())
    invitation = submit_form(
        form,
        lambda user: invite_user(
            user, **form.person_data(), is_beheerder=form.is_beheerder.data, roles=form.chosen_roles(offered)
        ),
    )
    if invitation:
        _flash_invited(invitation)
        return redirect(url_for("auth.admin_user_edit", user_id=invitation.user_id))
    return form_page("meetings/invite_form.html", form=form, body=None, mail_server=_mail_server())


def _flash_invited(invitation: Invitation) -> None:
    flash(
        _(
            "%(name)s is uitgenodigd; de uitnodiging gaat naar %(email)s.",
            name=invitation.user.name,
            email=invitation.user.email,
        ),
        "success",
    )


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


@bp.route("/overleggen/<slug>/toegang/uitnodigen", methods=["GET", "POST"])
@login_required
def body_invite(slug: str) -> ResponseReturnValue:
    """Invite a person into this body (its secretariat, where the beheerder allows it)."""
    body = access.invitable_body(current_user, slug)
    form = BodyInvitationForm()
    form.role.choices = choices(Role, [r for r in Role if r in grantable_roles(current_user, body)])
    form.organisation_id.choices = organisation_choices(list_organisations())
    invitation = submit_form(
        form,
        lambda user: invite_user(user, **form.person_data(), roles=[(body, Role(form.role.data))], from_body=body),
    )
    if invitation:
        _flash_invited(invitation)
        return redirect(url_for("meetings.access_review", slug=body.slug, _anchor="uitnodigingen"))
    return form_page("meetings/invite_form.html", form=form, body=body, mail_server=_mail_server())


@bp.get("/overleggen/<slug>/toegang")
@login_required
def access_review(slug: str) -> ResponseReturnValue:
    """Who has access to this body, since when, and the reviews confirmed so far."""
    body = access.reviewable_body(current_user, slug)
    return _review_page(body, ReviewDoneForm(formdata=None))


def _review_page(body: Body, form: ReviewDoneForm) -> ResponseReturnValue:
    return form_page(
        "meetings/access_review.html",
        view=access.overview(current_user, body),
        form=form,
        months=int(current_app.config["ACCESS_REVIEW_MONTHS"]),
    )


@bp.post("/overleggen/<slug>/toegang/afgerond")
@login_required
def access_review_confirm(slug: str) -> ResponseReturnValue:
    """Record that the review of this period is done (secretariat, beheerder), with a note."""
    body = access.reviewable_body(current_user, slug)
    form = ReviewDoneForm()
    if submit_form(form, lambda user: access.confirm_review(user, body, note=form.note.data)):
        flash(_("De toegangsreview is vastgelegd."), "success")
        return redirect(url_for("meetings.access_review", slug=body.slug, _anchor="reviews"))
    return _review_page(body, form)


@bp.get("/overleggen/<slug>/toegang.xlsx")
@login_required
def access_review_xlsx(slug: str) -> ResponseReturnValue:
    """The access review's list as an Excel workbook."""
    body = access.reviewable_body(current_user, slug)
    return download(access.review_table(current_user, body), access.review_filename(body), "xlsx")


@bp.get("/overleggen/<slug>/toegang.csv")
@login_required
def access_review_csv(slug: str) -> ResponseReturnValue:
    """The same as CSV for Dutch Excel."""
    body = access.reviewable_body(current_user, slug)
    return download(access.review_table(current_user, body), access.review_filename(body), "csv")


@bp.post("/beheer/overleggen/<slug>/uitnodigen")
@login_required
def admin_body_invites(slug: str) -> ResponseReturnValue:
    """Let this body's secretariat invite people, or no longer (the beheerder)."""
    body = bodies.admin_body_by_slug(current_user, slug)
    form = InviteSettingForm()
    if submit_form(
        form, lambda user: bodies.set_secretariat_invites(user, body, allowed=form.secretariat_invites.data)
    ):
        flash(_("Instelling opgeslagen."), "success")
    return redirect(url_for("meetings.admin_body_members", slug=body.slug))
