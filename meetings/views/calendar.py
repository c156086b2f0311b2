"""Calendars: a user's personal feed (behind the secret token in its address) and one meeting as
an .ics download."""

from __future__ import annotations

from flask import Response, abort
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from auth import feeds
from meetings import bp
from meetings.calendar import feed as calendar_services
from meetings.services import cycles

ICS = "text/calendar; charset=utf-8"


def _ics(content: bytes, filename: str, *, download: bool) -> Response:
    response = Response(content, content_type=ICS)
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # What one user may see: no shared cache keeps it, and the browser does not either.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/agenda/<token>.ics")
def calendar_feed(token: str) -> ResponseReturnValue:
    """A user's calendar feed, read as that user. No login (calendar apps cannot sign in), no
    writes; an unknown or revoked token, or a switched-off account, is a page that does not exist."""
    user = feeds.feed_user(token)
    if user is None:
        abort(404)
    return _ics(calendar_services.feed_ics(user), "regiotafel.ics", download=False)


@bp.get("/vergaderingen/<int:meeting_id>.ics")
@login_required
def meeting_ics(meeting_id: int) -> ResponseReturnValue:
    """One meeting as a calendar file, with the same UID as its invitation and the feed."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    return _ics(calendar_services.meeting_ics(current_user, meeting), f"vergadering-{meeting.id}.ics", download=True)
