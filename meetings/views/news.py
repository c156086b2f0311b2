"""What is new for the reader, and what is asked of them: the home page's *Wat is er nieuw* and
*Reactie gevraagd*, and the *Gelezen* buttons that set the reader's marks (POST: a GET never does)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import get_visible
from core.pages import run_action
from core.sections import HomePanel
from meetings import bp
from meetings.models import AgendaItem
from meetings.services import bodies as body_services
from meetings.services import cycles, news, todo


@bp.post("/overleggen/<slug>/gelezen")
@login_required
def body_read(slug: str) -> ResponseReturnValue:
    """Mark what is new in a body as read, up to the moment the home page was made."""
    body = body_services.body_by_slug(current_user, slug)
    until = news.parse_moment(request.form.get("tot"))
    target = url_for("core.home", _anchor="nieuw")
    return run_action(
        news.mark_read, body=body, until=until, success=_("%(body)s: alles gelezen.", body=body.name), then=target
    )


@bp.post("/vergaderingen/<int:meeting_id>/gelezen")
@login_required
def meeting_read(meeting_id: int) -> ResponseReturnValue:
    """Mark what is new in a meeting as read, up to the moment its page was made; back to that page."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    until = news.parse_moment(request.form.get("tot"))
    target = url_for("meetings.meeting", meeting_id=meeting.id)
    item_id = request.form.get("agendapunt", type=int)
    if item_id is not None:
        item = get_visible(current_user, AgendaItem, item_id)
        if item.meeting_id == meeting.id:
            target = url_for("meetings.agenda_item", item_id=item.id)
    return run_action(news.mark_read, meeting=meeting, until=until, success=_("Gemarkeerd als gelezen."), then=target)


def news_panel(user: Any) -> HomePanel | None:
    """Every member: per body, what came in since the previous visit."""
    if not user.roles:
        return None
    marks = news.read_marks(user)
    return HomePanel(
        title=_("Wat is er nieuw"),
        template="meetings/panels/news.html",
        context={"news": news.whats_new(user, body_services.bodies_for(user), marks), "moment": marks.moment},
        order=8,
        wide=True,
    )


def comments_panel(user: Any) -> HomePanel | None:
    """Participants: the besluitenlijsten out for comments, with the deadline and how far they got."""
    asked = todo.comments_asked(user)
    if not asked:
        return None
    return HomePanel(
        title=_("Reactie gevraagd"), template="meetings/panels/comments_asked.html", context={"asked": asked}, order=7
    )
