"""Notes on a body, a meeting or an agenda item."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, ensure
from auth.services import named_people
from core.pages import confirm_page, form_page, run_action, submit_form
from meetings import bp
from meetings.forms import NoteForm, offer_members
from meetings.services import agenda, bodies, cycles, notes
from meetings.services.numbering import numbering


@bp.route("/overleggen/<slug>/notities/nieuw", methods=["GET", "POST"])
@login_required
def note_new(slug: str) -> ResponseReturnValue:
    """Write a note on the body, or on one of its meetings or agenda items."""
    body = bodies.body_by_slug(current_user, slug)
    ensure(current_user, Action.PARTICIPATE, body)
    meeting_id = request.args.get("vergadering", type=int)
    item_id = request.args.get("agendapunt", type=int)
    meeting = cycles.get_meeting(current_user, meeting_id) if meeting_id else None
    item = agenda.get_agenda_item(current_user, item_id) if item_id else None
    if any(target is not None and target.body_id != body.id for target in (meeting, item)):
        abort(404)
    form = NoteForm()
    offer_members(form, body.id)
    note = submit_form(
        form,
        lambda user: notes.add_note(
            user,
            body,
            title=form.title.data or "",
            text=form.text.data or "",
            meeting=meeting,
            agenda_item=item,
            **form.audience_data(),
        ),
    )
    if note:
        flash(_("Notitie opgeslagen."), "success")
        return redirect(url_for("meetings.note", note_id=note.id))
    return form_page(
        "meetings/note_form.html",
        form=form,
        body=body,
        meeting=meeting,
        item=item,
        note=None,
        numbers=numbering(current_user, item.meeting_id) if item is not None else None,
    )


@bp.get("/notities/<int:note_id>")
@login_required
def note(note_id: int) -> ResponseReturnValue:
    """A note."""
    note = notes.get_note(current_user, note_id)
    return render_template("meetings/note.html", note=note, body=note.body, shared_with=named_people(note))


@bp.route("/notities/<int:note_id>/bewerken", methods=["GET", "POST"])
@login_required
def note_edit(note_id: int) -> ResponseReturnValue:
    """The author changes a note."""
    note = notes.get_note(current_user, note_id)
    notes.ensure_author(current_user, note)
    form = NoteForm(obj=note)
    offer_members(form, note.body_id, note)
    done = submit_form(
        form,
        lambda user: notes.update_note(
            user,
            note,
            title=form.title.data or "",
            text=form.text.data or "",
            expected_version=form.version.data,
            **form.audience_data(),
        ),
    )
    if done:
        flash(_("Notitie bijgewerkt."), "success")
        return redirect(url_for("meetings.note", note_id=note.id))
    item = note.agenda_item
    return form_page(
        "meetings/note_form.html",
        form=form,
        body=note.body,
        meeting=note.meeting,
        item=item,
        note=note,
        numbers=numbering(current_user, item.meeting_id) if item is not None else None,
    )


@bp.route("/notities/<int:note_id>/verwijderen", methods=["GET", "POST"])
@login_required
def note_remove(note_id: int) -> ResponseReturnValue:
    """The author withdraws a note, after the question whether that is meant (GET asks, POST does)."""
    note = notes.get_note(current_user, note_id)
    notes.ensure_author(current_user, note)
    if request.method == "GET":
        return confirm_page(
            _("Notitie verwijderen?"),
            _("De notitie %(title)s wordt verwijderd; wie haar kon lezen, ziet haar niet meer.", title=note.title),
            button=_("Ja, verwijderen"),
            back=url_for("meetings.note", note_id=note.id),
        )
    target = url_for("meetings.body", slug=note.body.slug)
    return run_action(notes.remove_note, note, success=_("Notitie verwijderd."), then=target)
