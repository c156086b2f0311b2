"""The reminder to review who has access to each body, every ``ACCESS_REVIEW_MONTHS`` (a quarter).

At the start of each period the beheerders and the body's secretariat are asked to look at the
body's access review and confirm it. One message per body, period and person (the key says so), sent
once; it lapses when someone confirmed the review of that period before it went out. A body made
during a period is first asked about in the next one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from auth.models import Invitation, Membership, Role, User
from auth.policy import Action, can
from core.dates import local_to_utc, show_date, to_local
from core.extensions import db
from core.web import absolute_url
from meetings.models import AccessReview, Body
from meetings.services.access import period_begins_at, period_key, period_start, reviewed_since
from notify.registry import Lapsed, Mail, Planned, register_kind, register_planner

REVIEW = "toegangsreview"
SEND_HOUR = 8


def _reviewers(body_ids: list[int]) -> dict[int, set[int]]:
    """Per body, who is asked: every beheerder, and the body's secretariat (active, able to sign in)."""
    able = (User.active.is_(True), User.password_hash.is_not(None))
    beheerders = set(db.session.scalars(select(User.id).where(User.is_beheerder.is_(True), *able)))
    asked: dict[int, set[int]] = defaultdict(lambda: set(beheerders))
    for body_id, user_id in db.session.execute(
        select(Membership.body_id, Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.body_id.in_(body_ids), Membership.role == Role.SECRETARIAAT, *able)
    ):
        asked[body_id].add(user_id)
    return asked


def _review_reminders(moment: datetime) -> Iterator[Planned]:
    start = period_start(to_local(moment).date())
    begins = period_begins_at(start)
    body_ids = list(db.session.scalars(select(Body.id).where(Body.created_at < begins)))
    done = reviewed_since(body_ids, begins)
    waiting = [b for b in body_ids if b not in done]
    asked = _reviewers(waiting)
    for body_id in waiting:
        for user_id in sorted(asked[body_id]):
            yield Planned(
                key=f"{REVIEW}:{body_id}:{period_key(start)}:{user_id}",
                kind=REVIEW,
                recipient_id=user_id,
                subject_type="bodies",
                subject_id=body_id,
                planned_for=start,
                due_at=local_to_utc(start, time(SEND_HOUR)),
            )


def compose_review(notification: Any, recipient: User) -> Mail | Lapsed:
    body = db.session.get(Body, notification.subject_id)
    if body is None:
        return Lapsed("Het overleg bestaat niet meer.")
    start = notification.planned_for
    if start is None or reviewed_since([body.id], period_begins_at(start)):
        return Lapsed("De toegang is deze periode al nagekeken.")
    if not can(recipient, Action.CONFIRM_REVIEW, body):
        return Lapsed("De ontvanger kijkt de toegang van dit overleg niet (meer) na.")
    members = db.session.scalar(select(func.count(Membership.id)).where(Membership.body_id == body.id)) or 0
    invited = db.session.scalar(
        select(func.count(Invitation.id))
        .join(Membership, Membership.user_id == Invitation.user_id)
        .join(User, User.id == Invitation.user_id)
        .where(Membership.body_id == body.id, Invitation.ended_at.is_(None), User.password_hash.is_(None))
    )
    last = db.session.scalars(
        select(AccessReview).where(AccessReview.body_id == body.id).order_by(AccessReview.confirmed_at.desc())
    ).first()
    lines = [
        _("Beste %(name)s,", name=recipient.name),
        _(
            "Het is tijd om na te kijken wie toegang heeft tot %(body)s: wie welke rol heeft en sinds wanneer, "
            "wie lang niet is aangemeld, open uitnodigingen en wie op vertrouwelijke stukken staat.",
            body=body.name,
        ),
        _("Nu: %(members)s rollen, %(invited)s open uitnodigingen.", members=members, invited=invited or 0),
        _("Vorige review: %(date)s.", date=show_date(last.confirmed_at))
        if last
        else _("Er is nog geen review vastgelegd."),
        _(
            "Bekijk de lijst, pas aan wat niet meer klopt, en kies daar Review afgerond: %(url)s",
            url=absolute_url("meetings.access_review", slug=body.slug),
        ),
        "— Regiotafel\n"
        + _("U krijgt dit bericht elke review-periode, als beheerder of secretariaat van dit overleg."),
    ]
    return Mail(subject=_("Toegangsreview %(body)s", body=body.name), text="\n\n".join(lines))


def register(app: Flask) -> None:
    register_kind(app, REVIEW, compose_review, label=_l("Toegangsreview"), variants={})
    register_planner(app, _review_reminders)
