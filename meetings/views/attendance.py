"""Attendance ahead: a member signs in or off for a seat of their own organisation on the meeting page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, ensure
from core.pages import submit_form
from meetings import bp
from meetings.forms import NoticeForm
from meetings.services import attendance, cycles
from meetings.views.agenda import meeting_page


@bp.post("/vergaderingen/<int:meeting_id>/zetels/<int:seat_id>/melden")
@login_required
def attendance_notice(meeting_id: int, seat_id: int) -> ResponseReturnValue:
    """Say whether the holder of a seat of one's own organisation comes, does not, or sends a stand-in."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.PARTICIPATE, meeting)
    form = NoticeForm()
    done = submit_form(
        form,
        lambda user: attendance.give_notice(
            user, meeting, seat_id=seat_id, status=form.status.data, replaced_by=form.replaced_by.data
        ),
    )
    if done:
        flash(_("Uw aan- of afmelding is doorgegeven aan het secretariaat."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id, _anchor="aanmelden"))
    if not form.errors:  # refused without a field to blame (the day has come): the message is flashed
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id, _anchor="aanmelden"))
    return meeting_page(meeting, failed_notice=(seat_id, form))
