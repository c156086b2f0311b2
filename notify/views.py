"""The outbox, for the beheerder."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, requires
from core.pages import run_action
from notify import bp, mail, services
from notify.models import NotificationState
from notify.registry import describe


@bp.get("/beheer/postvak")
@login_required
@requires(Action.ADMINISTER)
def outbox() -> ResponseReturnValue:
    """Every notification, newest first: planned, kept for lack of a mail server, sent, lapsed,
    failed. What a message says shows only where the beheerder may see what it is about."""
    raw = request.args.get("status") or None
    try:
        state = NotificationState(raw) if raw else None
    except ValueError:
        state = None
    return render_template(
        "notify/outbox.html",
        lines=services.outbox(current_user, state),
        describe=describe,
        state=state,
        states=list(NotificationState),
        mail_server=current_app.config.get("MAIL_SERVER"),
    )


@bp.get("/beheer/postvak/<int:notification_id>")
@login_required
@requires(Action.ADMINISTER)
def outbox_message(notification_id: int) -> ResponseReturnValue:
    """One notification as it was (or will be) sent."""
    line = _outbox_line_or_404(notification_id)
    return render_template(
        "notify/message.html",
        n=line.notification,
        readable=line.readable,
        description=describe(line.notification.kind, line.notification.variant),
        sender=mail.sender_address(current_app.config),
    )


@bp.post("/beheer/postvak/<int:notification_id>/opnieuw")
@login_required
@requires(Action.ADMINISTER)
def outbox_retry(notification_id: int) -> ResponseReturnValue:
    """Send a failed message again, at the scheduler's next round."""
    line = _outbox_line_or_404(notification_id)
    return run_action(
        services.retry,
        line.notification,
        success=_("Het bericht gaat bij de volgende ronde van de planner opnieuw uit."),
        then=url_for("notify.outbox_message", notification_id=notification_id),
    )


def _outbox_line_or_404(notification_id: int) -> services.OutboxLine:
    line = services.outbox_line(current_user, notification_id)
    if line is None:
        abort(404)
    return line
