"""The user's calendar link (*Agenda-koppeling* on *Mijn account*): make one, shown once; revoke it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from auth import bp, feeds
from core.forms import BaseForm
from core.pages import submit_form
from core.web import absolute_url


@bp.post("/auth/account/agenda")
@login_required
def calendar_feed_create() -> ResponseReturnValue:
    """Make a new calendar link (the old one stops working) and show its address, this once."""
    issued = submit_form(BaseForm(), lambda user: feeds.create_feed(user))
    if not issued:
        return redirect(url_for("auth.account"))
    return render_template(
        "auth/calendar_feed.html",
        feed=issued.feed,
        url=absolute_url(feeds.FEED_ENDPOINT, token=issued.token),
    )


@bp.post("/auth/account/agenda/intrekken")
@login_required
def calendar_feed_revoke() -> ResponseReturnValue:
    """Revoke the calendar link: its address no longer answers."""
    revoked = submit_form(BaseForm(), lambda user: feeds.revoke_feeds(user))
    if revoked:
        flash(_("De agenda-koppeling is ingetrokken. Uw agenda-app krijgt geen afspraken meer."), "success")
    elif revoked == 0:
        flash(_("U had geen agenda-koppeling."), "warning")
    return redirect(url_for("auth.account"))
