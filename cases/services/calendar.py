"""What cases add to a user's calendar feed: the due dates of the actions and commitments that are
still theirs to deliver (assigned to them, or owned by their organisation), as far as they may see
them. ``meetings`` asks through its ``feed_events`` signal and never imports this package."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from auth.models import User
from auth.policy import visible
from cases.models import Case, CaseType
from cases.workflows import FOLLOW_UP_TYPES, WORKFLOWS
from core.extensions import db
from core.web import absolute_url
from meetings.calendar.ics import DayEntry


def _to_deliver() -> ColumnElement[bool]:
    """Still the owner's to deliver: the states in which a due date can pass (not yet reported done)."""
    return or_(*(and_(Case.type == t, Case.state.in_(WORKFLOWS[t].overdue_in)) for t in FOLLOW_UP_TYPES))


#: The kind as the event's title starts with it, in the reader's language (a feed is read in the
#: user's own language, which the case types' Dutch names are not).
_KIND = {CaseType.ACTIEPUNT: _l("Actiepunt"), CaseType.TOEZEGGING: _l("Toezegging")}


def due_dates(user: User) -> list[DayEntry]:
    """The due dates of ``user``'s open actions and commitments, each linking to its case."""
    mine = or_(Case.assignee_id == user.id, Case.owner_organisation_id == user.organisation_id)
    cases = db.session.scalars(
        select(Case)
        .where(visible(user, Case), _to_deliver(), mine, Case.due_date.is_not(None))
        .options(joinedload(Case.body), joinedload(Case.owner_organisation))
        .order_by(Case.due_date, Case.id)
    )
    entries = []
    for case in cases:
        assert case.due_date is not None
        url = absolute_url("cases.case", case_id=case.id)
        kind = str(_KIND[case.type])
        entries.append(
            DayEntry(
                key=f"zaak-{case.id}-termijn",
                day=case.due_date,
                summary=_("%(kind)s %(ref)s: %(title)s", kind=kind, ref=case.reference, title=case.title),
                url=url,
                description="\n".join(
                    [
                        _(
                            "%(kind)s van %(owner)s in %(body)s, uiterlijk op deze dag.",
                            kind=kind,
                            owner=case.owner_organisation.name,
                            body=case.body.name,
                        ),
                        _("Stand en voortgang: %(url)s", url=url),
                    ]
                ),
            )
        )
    return entries
