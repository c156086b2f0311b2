"""What cases add to a reader's *what's new* (``meetings.services.news``) and to-do: actions and
commitments that are new to the reader or went past their date since the previous visit, and the
postponements waiting for the secretariat."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select, union

from auth.models import User
from auth.policy import Action, bodies_where
from cases.models import Case
from cases.services.cases import _visible_cases, still_open
from cases.workflows import FOLLOW_UP_TYPES, TYPE_LABELS, WORKFLOWS
from core.dates import local_to_utc, show_date, to_local, today
from core.sections import NewsLine
from meetings.models import Decision, Meeting


def _concerns(user: User) -> object:
    """The cases that are the reader's business: theirs, their organisation's, and for the secretariat
    all of its bodies'."""
    mine = [Case.assignee_id == user.id, Case.owner_organisation_id == user.organisation_id]
    managed = bodies_where(user, Action.MANAGE)
    # No empty ``IN ()`` for a participant: SQLite cannot serve an OR with such a term from the indexes.
    return or_(*mine, Case.body_id.in_(managed)) if managed else or_(*mine)


def news_lines(user: User, since: dict[int, datetime]) -> list[NewsLine]:
    """New actions and commitments (recorded, or released with their besluitenlijst, since the previous
    visit, by someone else) and those that went past their date since then; two queries."""
    if not since:
        return []
    earliest = min(since.values())
    lines: list[NewsLine] = []
    fresh = _visible_cases(
        user,
        Case.type.in_(FOLLOW_UP_TYPES),
        Case.body_id.in_(list(since)),
        Case.created_by_id != user.id,
        _concerns(user),
        join=_new_since(earliest),
    )
    published = dict(
        (case_id, moment) for case_id, moment in _released_at([c for c in fresh if c.decision_id is not None])
    )
    for case in fresh:
        seen = max(case.created_at, published.get(case.id) or case.created_at)
        if seen <= since[case.body_id]:
            continue
        lines.append(
            NewsLine(
                body_id=case.body_id,
                at=seen,
                kind=TYPE_LABELS[case.type].capitalize(),
                text=_("Nieuw: %(ref)s %(title)s", ref=case.reference, title=case.title),
                url=url_for("cases.case", case_id=case.id),
                detail=_("gereed op %(date)s", date=show_date(case.due_date)) if case.due_date else "",
            )
        )
    day = today()
    late = _visible_cases(
        user,
        still_open(*FOLLOW_UP_TYPES),
        Case.body_id.in_(list(since)),
        _concerns(user),
        Case.due_date < day,
        Case.due_date >= to_local(earliest).date() - timedelta(days=1),
        # In the order of the index on due_date: by id, SQLite walked every case to spare itself a sort.
        order_by=(Case.due_date, Case.id),
    )
    for case in late:
        assert case.due_date is not None
        if case.state not in WORKFLOWS[case.type].overdue_in:
            continue
        overdue_from = local_to_utc(case.due_date + timedelta(days=1), time(0))
        if overdue_from <= since[case.body_id]:
            continue
        lines.append(
            NewsLine(
                body_id=case.body_id,
                at=overdue_from,
                kind=TYPE_LABELS[case.type].capitalize(),
                text=_("Over de datum: %(ref)s %(title)s", ref=case.reference, title=case.title),
                url=url_for("cases.case", case_id=case.id),
                detail=_("had gereed moeten zijn op %(date)s", date=show_date(case.due_date)),
            )
        )
    return lines


def _new_since(earliest: datetime) -> tuple[Any, Any]:
    """The join that keeps the cases recorded, or released with their besluitenlijst, after ``earliest``.
    As one condition (``created_at > … OR released > …``) no index could serve it, and the home page
    walked every action of ten years (35 ms of its 80 ms of SQL on the large data set); as a union, with
    the planner's statistics (``core.planner``), SQLite starts from the few that are new (2.6 ms)."""
    released = (
        select(Decision.id)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Meeting.besluitenlijst_published_at > earliest)
    )
    new = union(
        select(Case.id.label("case_id")).where(Case.created_at > earliest),
        select(Case.id).where(Case.decision_id.in_(released)),
    ).subquery("new_cases")
    return new, new.c.case_id == Case.id


def _released_at(cases: list[Case]) -> list[tuple[int, datetime | None]]:
    if not cases:
        return []
    from core.extensions import db

    return [
        (case_id, moment)
        for case_id, moment in db.session.execute(
            select(Case.id, Meeting.besluitenlijst_published_at)
            .join(Decision, Decision.id == Case.decision_id)
            .join(Meeting, Meeting.id == Decision.meeting_id)
            .where(Case.id.in_([c.id for c in cases]))
        )
    ]


def postponements_asked(user: User) -> list[Case]:
    """For the secretariat: the postponements asked in its bodies, waiting for an answer."""
    body_ids = bodies_where(user, Action.MANAGE)
    if not body_ids:
        return []
    return _visible_cases(
        user,
        Case.body_id.in_(body_ids),
        Case.requested_due_date.is_not(None),
        order_by=(Case.requested_due_date, Case.id),
    )
