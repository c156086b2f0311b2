"""The beheerder's pages for bodies, memberships and themes."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.models import Membership
from auth.policy import Action, requires
from auth.services import list_users
from core.extensions import db
from core.pages import form_page, run_action, submit_form
from meetings import bp
from meetings.forms import BodyForm, BodySettingsForm, InviteSettingForm, MembershipForm, ThemeForm
from meetings.models import Body, MilestoneKind
from meetings.services import bodies
from meetings.views.standing import standing_form


@bp.route("/beheer/overleggen", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_bodies() -> ResponseReturnValue:
    """All bodies, and the themes agenda items are tagged with."""
    theme_form = ThemeForm()
    created = submit_form(
        theme_form,
        lambda user: bodies.create_theme(user, name=theme_form.name.data or "", tooi_uri=theme_form.tooi_uri.data),
    )
    if created:
        flash(_("Thema toegevoegd."), "success")
        return redirect(url_for("meetings.admin_bodies"))
    return form_page(
        "meetings/admin_bodies.html",
        bodies=bodies.all_bodies(),
        themes=bodies.all_themes(),
        theme_form=theme_form,
    )


@bp.route("/beheer/overleggen/nieuw", methods=["GET", "POST"])
@login_required
@requires(Action.ADMINISTER)
def admin_body_new() -> ResponseReturnValue:
    """Add a body."""
    form = BodyForm()
    body = submit_form(form, lambda user: bodies.create_body(user, **form.service_data()))
    if body:
        flash(_("Overleg %(name)s aangemaakt. Ken nu rollen toe.", name=body.name), "success")
        return redirect(url_for("meetings.admin_body_members", slug=body.slug))
    return form_page("meetings/admin_body_form.html", form=form, body=None)


@bp.route("/beheer/overleggen/<slug>", methods=["GET", "POST"])
@login_required
def admin_body_settings(slug: str) -> ResponseReturnValue:
    """A body's name, description and milestone plan."""
    body = bodies.admin_body_by_slug(current_user, slug)
    form = BodySettingsForm(obj=body)
    if not form.is_submitted():
        for kind in MilestoneKind:
            if kind is not MilestoneKind.VERGADERING:
                form[kind.value].data = body.milestone_offsets.get(kind.value)
    done = submit_form(
        form,
        lambda user: bodies.update_body(
            user,
            body,
            name=form.name.data or "",
            description=form.description.data or "",
            offsets=form.offsets(),
        ),
    )
    if done:
        flash(_("Instellingen opgeslagen."), "success")
        return redirect(url_for("meetings.admin_body_settings", slug=body.slug))
    return form_page("meetings/admin_body_form.html", form=form, body=body, standing_form=standing_form(body))


@bp.route("/beheer/overleggen/<slug>/leden", methods=["GET", "POST"])
@login_required
def admin_body_members(slug: str) -> ResponseReturnValue:
    """Who holds which role in a body."""
    body = bodies.admin_body_by_slug(current_user, slug)
    form = MembershipForm()
    form.user_id.choices = [("", _("— kies —"))] + [
        (u.id, f"{u.name} ({u.organisation.short_name})") for u in list_users() if u.active
    ]
    if submit_form(form, lambda user: bodies.set_member_role(user, body, **form.service_data())):
        flash(_("Rol vastgelegd."), "success")
        return redirect(url_for("meetings.admin_body_members", slug=body.slug))
    return form_page(
        "meetings/admin_body_members.html",
        body=body,
        memberships=bodies.memberships_of(body),
        form=form,
        invite_form=InviteSettingForm(formdata=None, secretariat_invites=body.secretariat_invites),
    )


@bp.post("/beheer/lidmaatschappen/<int:membership_id>/verwijderen")
@login_required
@requires(Action.ADMINISTER)
def admin_membership_remove(membership_id: int) -> ResponseReturnValue:
    """Take a role in a body away."""
    membership = db.get_or_404(Membership, membership_id)
    target = url_for("meetings.admin_body_members", slug=db.get_or_404(Body, membership.body_id).slug)
    return run_action(bodies.remove_member, membership, success=_("Rol ingetrokken."), then=target)
