"""Taking a body's actions and commitments away: the table behind the .xlsx and CSV download."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.models import User
from auth.policy import visible
from cases.engine import is_overdue, workflow_of
from cases.services.cases import follow_up_overview
from cases.workflows import TYPE_LABELS
from core.dates import today
from core.extensions import db
from core.labels import label
from core.spreadsheet import Column, Table
from meetings.models import Body, Decision
from meetings.services.numbering import numberings

ACTION_COLUMNS = (
    Column(_l("Kenmerk"), 10),
    Column(_l("Soort"), 12),
    Column(_l("Titel"), 50, wrap=True),
    Column(_l("Eigenaar"), 30),
    Column(_l("Uitvoerder"), 24),
    Column(_l("Datum gereed"), 14),
    Column(_l("Status"), 16),
    Column(_l("Te laat"), 9),
    Column(_l("Herkomst"), 30, wrap=True),
    Column(_l("Besluit"), 30, wrap=True),
    Column(_l("Zichtbaarheid"), 22),
    Column(_l("Toelichting"), 50, wrap=True),
)


def actions_table(user: User, body: Body, *, include_closed: bool = False) -> Table:
    """The body's actions and commitments as the overview page lists them, for this reader only."""
    cases = [case for row in follow_up_overview(user, body, include_closed=include_closed) for case in row.cases]
    decisions = _decisions_seen(user, {case.decision_id for case in cases if case.decision_id is not None})
    rows = [
        [
            case.reference,
            TYPE_LABELS[case.type],
            case.title,
            case.owner_organisation.name,
            case.assignee.name if case.assignee is not None else None,
            case.due_date,
            workflow_of(case).label(case.state),
            is_overdue(case),
            case.source,
            decisions.get(case.decision_id) if case.decision_id is not None else None,
            label(case.audience),
            case.description or None,
        ]
        for case in cases
    ]
    return Table(sheet=_("Acties"), columns=ACTION_COLUMNS, rows=rows)


def actions_filename(body: Body) -> str:
    """``acties-bo-brainport-2026-11-23`` (without extension)."""
    return f"acties-{body.slug}-{today().isoformat()}"


def _decisions_seen(user: User, decision_ids: set[int]) -> dict[int, str]:
    """The number and meeting of each decision the reader may see, as the reader numbers it; a
    decision the reader may not see is left out, so the action names no hidden decision."""
    if not decision_ids:
        return {}
    found = list(
        db.session.scalars(
            select(Decision)
            .where(Decision.id.in_(decision_ids), visible(user, Decision))
            .options(joinedload(Decision.meeting))
        )
    )
    numbers = numberings(user, {d.meeting_id for d in found})
    shown = {}
    for decision in found:
        number = numbers[decision.meeting_id].decision(decision)
        if number:  # unnumbered: its agenda item is hidden from this reader
            shown[decision.id] = f"{number} ({decision.meeting.title})"
    return shown
