"""What a new agenda starts with: the body's standing items (beheer), and the previous meeting's agenda."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, ensure
from core.pages import form_page, run_action, submit_form
from meetings import bp
from meetings.forms import BodySettingsForm, StandingItemsForm
from meetings.models import Body, MilestoneKind
from meetings.services import bodies, cycles, standing

#: Empty rows under a body's standing items, for adding new ones.
NEW_ROWS = 2


@bp.route("/vergaderingen/<int:meeting_id>/agenda-overnemen", methods=["GET", "POST"])
@login_required
def agenda_copy(meeting_id: int) -> ResponseReturnValue:
    """Copy the previous meeting's own items onto this unpublished agenda, after a confirmation."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    target = url_for("meetings.meeting", meeting_id=meeting.id, _anchor="agenda")
    # The confirmation is a page that changes nothing; the copy is its POST.
    if request.method != "POST":
        return render_template(
            "meetings/agenda_copy.html", meeting=meeting, plan=standing.agenda_copy_for(current_user, meeting)
        )
    return run_action(
        standing.copy_previous_agenda,
        meeting,
        success=_(
            "De agendapunten van de vorige vergadering zijn overgenomen. Vul ze aan of haal weg wat niet terugkomt."
        ),
        then=target,
    )


def standing_form(body: Body) -> StandingItemsForm:
    """The body's standing items as rows to edit, with empty rows to add new ones."""
    form = StandingItemsForm(formdata=None)
    for item in standing.standing_items_of(body.id):
        form.entries.append_entry(
            {
                "item_id": item.id,
                "title": item.title,
                "kind": item.kind.value,
                "placement": item.placement.value,
                "position": item.position,
                "progress": item.is_progress_report,
            }
        )
    for _row in range(NEW_ROWS):
        form.entries.append_entry({"placement": "begin", "kind": "ter_informatie"})
    return form


def settings_form(body: Body) -> BodySettingsForm:
    form = BodySettingsForm(formdata=None, obj=body)
    for kind in MilestoneKind:
        if kind is not MilestoneKind.VERGADERING:
            form[kind.value].data = body.milestone_offsets.get(kind.value)
    return form


@bp.post("/beheer/overleggen/<slug>/vaste-agendapunten")
@login_required
def admin_body_standing(slug: str) -> ResponseReturnValue:
    """Save a body's standing agenda items (for cycles created from now on)."""
    body = bodies.admin_body_by_slug(current_user, slug)
    form = StandingItemsForm()
    if submit_form(form, lambda user: standing.save_standing_items(user, body, rows=form.rows())):
        flash(_("Vaste agendapunten opgeslagen. Ze komen op de agenda van elke nieuwe cyclus."), "success")
        return redirect(url_for("meetings.admin_body_settings", slug=body.slug, _anchor="vaste-agendapunten"))
    return form_page("meetings/admin_body_form.html", form=settings_form(body), body=body, standing_form=form)
