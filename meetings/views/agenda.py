"""A meeting, its agenda and documents, and attendance."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from auth.policy import Action, can, ensure, get_visible, publishes_agenda
from auth.services import list_organisations, named_people
from core.dates import to_local
from core.downloads import filename_for, streamed
from core.errors import DomainError
from core.pages import confirm_page, form_page, run_action, submit_form
from core.signals import answer
from meetings import bp, signals, storage
from meetings.forms import (
    AgendaItemForm,
    AgendaMoveForm,
    AttendanceForm,
    DocumentForm,
    MeetingForm,
    NoticeForm,
    notice_forms,
    offer_members,
    uploads_of,
)
from meetings.models import AgendaItem, Document, Meeting
from meetings.services import agenda, bodies, cycles, decisions, news, notes
from meetings.services import attendance as attendance_ahead
from meetings.services.numbering import numbering
from meetings.woo import package as woo

PDF = "application/pdf"


@bp.get("/vergaderingen/<int:meeting_id>")
@login_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    """A meeting with its agenda (the concept too, for the secretariat) and documents."""
    return meeting_page(cycles.get_meeting(current_user, meeting_id))


def meeting_page(
    meeting: Meeting,
    *,
    moving: tuple[int, AgendaMoveForm] | None = None,
    failed_notice: tuple[int, NoticeForm] | None = None,
) -> ResponseReturnValue:
    """The meeting page; after a refused move or sign-in/-off, with the posted form and its message in
    place (400)."""
    manage = can(current_user, Action.MANAGE, meeting)
    own_seats = attendance_ahead.own_seats(current_user, meeting)
    view = agenda.agenda_of(current_user, meeting)
    marks = news.read_marks(current_user)
    page = render_template(
        "meetings/meeting.html",
        meeting=meeting,
        body=meeting.cycle.body,
        agenda=view,
        numbers=numbering(current_user, meeting.id),
        marks=news.marks_for(current_user, meeting, view.items, view.all_documents, marks),
        read_moment=marks.moment,
        removable=agenda.removable_items(meeting.id) if manage else set(),
        woo_package=manage and meeting.agenda_published and publishes_agenda(meeting),
        moving=moving,
        attendance=cycles.attendance_rows(meeting),
        own_seats=own_seats,
        notice_forms=notice_forms(own_seats, failed_notice),
        may_give_notice=attendance_ahead.may_give_notice(current_user, meeting),
        minutes=decisions.minutes_of(current_user, meeting),
        notes=notes.notes_on(current_user, meeting=meeting),
        extras=answer(signals.meeting_page, current_user, meeting=meeting),
    )
    return page, 400 if failed_notice or moving else 200


@bp.route("/vergaderingen/<int:meeting_id>/bewerken", methods=["GET", "POST"])
@login_required
def meeting_edit(meeting_id: int) -> ResponseReturnValue:
    """Change date, time, place, chair or kenmerk of a meeting."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    form = MeetingForm()
    if not form.is_submitted():
        start, end = to_local(meeting.starts_at), to_local(meeting.ends_at)
        form.meeting_date.data, form.start_time.data, form.end_time.data = (
            start.date(),
            start.time(),
            end.time(),
        )
        form.location.data, form.chair.data, form.kenmerk.data = meeting.location, meeting.chair, meeting.kenmerk
        form.version.data = meeting.version
    if submit_form(
        form,
        lambda user: cycles.update_meeting(user, meeting, expected_version=form.version.data, **form.service_data()),
    ):
        flash(_("Vergadering bijgewerkt."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return form_page("meetings/meeting_form.html", form=form, meeting=meeting)


def _item_form(meeting_body_id: int, obj: AgendaItem | None = None) -> AgendaItemForm:
    form = AgendaItemForm(obj=obj)
    form.organisation_id.choices = [("", _("— geen —"))] + [(o.id, o.name) for o in list_organisations()]
    form.theme_id.choices = [("", _("— geen —"))] + [(t.id, t.name) for t in bodies.all_themes()]
    offer_members(form, meeting_body_id, obj)
    return form


def _item_data(form: AgendaItemForm) -> dict[str, Any]:
    return {**form.service_data(), **form.audience_data()}


@bp.route("/vergaderingen/<int:meeting_id>/agendapunten/nieuw", methods=["GET", "POST"])
@login_required
def agenda_item_new(meeting_id: int) -> ResponseReturnValue:
    """Add an item to the agenda."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    form = _item_form(meeting.body_id)
    item = submit_form(form, lambda user: agenda.add_agenda_item(user, meeting, **_item_data(form)))
    if item:
        flash(_("Agendapunt %(n)s toegevoegd.", n=numbering(current_user, meeting.id).item(item)), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id, _anchor=f"agendapunt-{item.id}"))
    return form_page("meetings/agenda_item_form.html", form=form, meeting=meeting, item=None)


@bp.route("/agendapunten/<int:item_id>/bewerken", methods=["GET", "POST"])
@login_required
def agenda_item_edit(item_id: int) -> ResponseReturnValue:
    """Change an agenda item."""
    item = agenda.get_agenda_item(current_user, item_id)
    ensure(current_user, Action.MANAGE, item)
    form = _item_form(item.body_id, item)
    if submit_form(
        form,
        lambda user: agenda.update_agenda_item(user, item, expected_version=form.version.data, **_item_data(form)),
    ):
        flash(_("Agendapunt bijgewerkt."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=item.meeting_id, _anchor=f"agendapunt-{item.id}"))
    return form_page("meetings/agenda_item_form.html", form=form, meeting=item.meeting, item=item)


@bp.post("/agendapunten/<int:item_id>/verplaatsen")
@login_required
def agenda_item_move(item_id: int) -> ResponseReturnValue:
    """Move an item to another place on the agenda: *naar plaats n*, or a drag that fills that in."""
    item = agenda.get_agenda_item(current_user, item_id)
    ensure(current_user, Action.MANAGE, item)
    form = AgendaMoveForm()
    target = url_for("meetings.meeting", meeting_id=item.meeting_id, _anchor=f"agendapunt-{item.id}")
    if submit_form(form, lambda user: agenda.move_agenda_item(user, item, position=form.position.data or 0)):
        flash(_("%(title)s staat nu op plaats %(n)s.", title=item.title, n=form.position.data), "success")
        return redirect(target)
    if not form.errors:
        return redirect(target)  # refused without a field: the message is flashed
    return meeting_page(item.meeting, moving=(item.id, form))


@bp.route("/agendapunten/<int:item_id>/verwijderen", methods=["GET", "POST"])
@login_required
def agenda_item_remove(item_id: int) -> ResponseReturnValue:
    """Take an item off the agenda, after the question whether that is meant (GET asks, POST does)."""
    item = agenda.get_agenda_item(current_user, item_id)
    ensure(current_user, Action.MANAGE, item)
    back = url_for("meetings.meeting", meeting_id=item.meeting_id, _anchor=f"agendapunt-{item.id}")
    if request.method == "GET":
        refused = None
        if item.id not in agenda.removable_items(item.meeting_id):
            refused = _("Dit agendapunt heeft al besluiten of stukken en kan niet meer van de agenda af.")
        return confirm_page(
            _("Agendapunt verwijderen?"),
            _(
                "Agendapunt %(n)s, %(title)s, gaat van de agenda af. De punten eronder schuiven een plaats op.",
                n=numbering(current_user, item.meeting_id).item(item),
                title=item.title,
            ),
            button=_("Ja, verwijderen"),
            back=back,
            refused=refused,
        )
    target = url_for("meetings.meeting", meeting_id=item.meeting_id)
    return run_action(agenda.remove_agenda_item, item, success=_("Agendapunt verwijderd."), then=target)


@bp.post("/vergaderingen/<int:meeting_id>/agenda/publiceren")
@login_required
def agenda_publish(meeting_id: int) -> ResponseReturnValue:
    """Publish the agenda to the members."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    target = url_for("meetings.meeting", meeting_id=meeting.id)
    return run_action(agenda.publish_agenda, meeting, success=_("De agenda is gepubliceerd."), then=target)


@bp.get("/agendapunten/<int:item_id>")
@login_required
def agenda_item(item_id: int) -> ResponseReturnValue:
    """One agenda item: its explanation, documents and decisions."""
    item = agenda.get_agenda_item(current_user, item_id)
    view = agenda.agenda_of(current_user, item.meeting)
    besluiten = decisions.besluitenlijst_of(current_user, item.meeting)
    documents = view.documents_by_item.get(item.id, [])
    marks = news.read_marks(current_user)
    return render_template(
        "meetings/agenda_item.html",
        item=item,
        meeting=item.meeting,
        numbers=besluiten.numbers,
        shared_with=named_people(item),
        documents=documents,
        marks=news.marks_for(current_user, item.meeting, [item], documents, marks),
        read_moment=marks.moment,
        decisions=besluiten.decisions_by_item.get(item.id, []),
        may_add_document=agenda.may_add_document(current_user, item.meeting, item),
        notes=notes.notes_on(current_user, item=item),
        extras=answer(signals.agenda_item_page, current_user, item=item),
        progress=[part for parts in answer(signals.progress_report, current_user, item=item) for part in parts],
    )


@bp.post("/vergaderingen/<int:meeting_id>/voortgangspunt")
@login_required
def progress_item_add(meeting_id: int) -> ResponseReturnValue:
    """Put the progress item on the agenda now (the scheduler would add it before the meeting)."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    target = url_for("meetings.meeting", meeting_id=meeting.id, _anchor="agenda")
    return run_action(
        agenda.add_progress_item, meeting, success=_("Het voortgangspunt staat op de agenda."), then=target
    )


@bp.route("/vergaderingen/<int:meeting_id>/documenten/nieuw", methods=["GET", "POST"])
@login_required
def document_new(meeting_id: int) -> ResponseReturnValue:
    """Upload a document for the meeting or one of its agenda items."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    item_id = request.args.get("agendapunt", type=int)
    item = agenda.get_agenda_item(current_user, item_id) if item_id else None
    if item is not None and item.meeting_id != meeting.id:
        abort(404)
    if not agenda.may_add_document(current_user, meeting, item):
        ensure(current_user, Action.MANAGE, meeting)
    form = DocumentForm()
    offer_members(form, meeting.body_id)
    documents = submit_form(
        form,
        lambda user: agenda.add_documents(
            user, meeting, files=uploads_of(form.file, form.titles()), agenda_item=item, **form.audience_data()
        ),
    )
    if documents:
        flash(
            ngettext(
                "%(num)d document toegevoegd: %(titles)s.",
                "%(num)d documenten toegevoegd: %(titles)s.",
                len(documents),
                titles=", ".join(d.title for d in documents),
            ),
            "success",
        )
        if item is not None:
            return redirect(url_for("meetings.agenda_item", item_id=item.id))
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return form_page(
        "meetings/document_form.html",
        form=form,
        meeting=meeting,
        item=item,
        numbers=numbering(current_user, meeting.id),
        allowed=", ".join(e.upper() for e in storage.ALLOWED_EXTENSIONS),
        max_mb=storage.max_bytes() // (1024 * 1024),
        max_files=storage.max_files(),
        choose_again=form.is_submitted() and bool(form.errors),
    )


@bp.get("/documenten/<int:document_id>/download")
@login_required
def document_download(document_id: int) -> ResponseReturnValue:
    """The file of a document, only for whoever may see the document."""
    document = get_visible(current_user, Document, document_id)
    content = storage.open_pieces(document.sha256)
    if content is None:
        abort(404)
    size, pieces = content
    # Named after its title, as people call it; a PDF opens in the browser, other files download.
    response = streamed(
        pieces,
        size=size,
        mimetype=document.content_type,
        as_attachment=document.content_type != PDF,
        download_name=filename_for(document.title, document.extension),
        etag=document.sha256,
    )
    response.headers["Cache-Control"] = "no-store"  # what one user may see, no shared cache keeps
    return response


@bp.route("/documenten/<int:document_id>/verwijderen", methods=["GET", "POST"])
@login_required
def document_remove(document_id: int) -> ResponseReturnValue:
    """Withdraw a document, after the question whether that is meant (GET asks, POST does)."""
    document = get_visible(current_user, Document, document_id)
    ensure(current_user, Action.MANAGE, document)
    target = (
        url_for("meetings.agenda_item", item_id=document.agenda_item_id)
        if document.agenda_item_id
        else url_for("meetings.meeting", meeting_id=document.meeting_id, _anchor="stukken")
    )
    if request.method == "GET":
        return confirm_page(
            _("Stuk intrekken?"),
            _(
                "%(title)s (%(file)s) wordt uit de vergadering gehaald. Niemand kan het daarna nog openen.",
                title=document.title,
                file=filename_for(document.title, document.extension),
            ),
            button=_("Ja, intrekken"),
            back=target,
        )
    return run_action(agenda.remove_document, document, success=_("Document ingetrokken."), then=target)


@bp.route("/vergaderingen/<int:meeting_id>/aanwezigheid", methods=["GET", "POST"])
@login_required
def attendance(meeting_id: int) -> ResponseReturnValue:
    """Record who was present, absent or replaced, per seat."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    rows = cycles.attendance_rows(meeting)
    notices = attendance_ahead.notices_of(meeting)
    form = AttendanceForm()
    if not form.is_submitted():
        # What was recorded, else what the members said ahead.
        for entry in attendance_ahead.attendance_entries(rows, notices):
            form.entries.append_entry(entry)
    if submit_form(form, lambda user: cycles.record_attendance(user, meeting, entries=form.entries.data)):
        flash(_("Aanwezigheid vastgelegd."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id, _anchor="aanwezigheid"))
    seats_by_id = {seat.id: seat for seat, _record in rows}
    return form_page(
        "meetings/attendance_form.html", form=form, meeting=meeting, seats_by_id=seats_by_id, notices=notices
    )


@bp.get("/vergaderingen/<int:meeting_id>/woo-pakket")
@login_required
def woo_package(meeting_id: int) -> ResponseReturnValue:
    """The meeting's Woo and archive package: what may be published, with DiWoo metadata."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    try:
        content, _files = woo.build(meeting)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    response = send_file(
        io.BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=woo.filename(meeting)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
