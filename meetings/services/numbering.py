"""Numbers as each reader sees them.

An agenda item's number is its place among the items the reader may see, and a decision's number is
its item's number and its place among that item's decisions the reader may see. The stored positions
would leave gaps where something is hidden, and a gap tells that it exists. (The Woo package numbers
as the official agenda does: a publication says where it withholds something.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from flask import g, has_app_context
from sqlalchemy import select

from auth.policy import visible
from core.extensions import db
from meetings.models import AgendaItem, Decision


@dataclass
class Numbering:
    """Numbers by id: an agenda item's (1, 2, …) and a decision's ("2.1"); "" for one the reader does not see."""

    items: dict[int, int] = field(default_factory=dict)
    decisions: dict[int, str] = field(default_factory=dict)

    def item(self, item: AgendaItem) -> str:
        return str(self.items.get(item.id, ""))

    def decision(self, decision: Decision) -> str:
        return self.decisions.get(decision.id, "")


def numbering(user: Any, meeting_id: int) -> Numbering:
    """The numbers of one meeting's items and decisions for ``user`` (cached for the request)."""
    return numberings(user, [meeting_id])[meeting_id]


def numbers_for(user: Any, meeting_ids: Iterable[int]) -> Numbering:
    """One ``Numbering`` for the items and decisions of several meetings (their ids never clash): what a
    view passes its template, so that the template looks numbers up and never queries them."""
    merged = Numbering()
    for numbers in numberings(user, set(meeting_ids)).values():
        merged.items.update(numbers.items)
        merged.decisions.update(numbers.decisions)
    return merged


def numberings(user: Any, meeting_ids: Iterable[int]) -> dict[int, Numbering]:
    """The numbers of several meetings at once, in two queries (a list of decisions across meetings)."""
    cache: dict[tuple[int, int], Numbering] = g.setdefault("regiotafel_numbering", {}) if has_app_context() else {}
    reader = getattr(user, "id", 0)
    wanted = {m for m in meeting_ids if (reader, m) not in cache}
    if wanted:
        found = {m: Numbering() for m in wanted}
        seen: dict[int, Any] = {}
        for item_id, meeting_id in db.session.execute(
            select(AgendaItem.id, AgendaItem.meeting_id)
            .where(AgendaItem.meeting_id.in_(wanted), visible(user, AgendaItem))
            .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
        ):
            found[meeting_id].items[item_id] = next(seen.setdefault(meeting_id, count(1)))
        counters: dict[int, Any] = {}
        for decision_id, item_id, meeting_id in db.session.execute(
            select(Decision.id, Decision.agenda_item_id, Decision.meeting_id)
            .where(Decision.meeting_id.in_(wanted), visible(user, Decision))
            .order_by(Decision.agenda_item_id, Decision.sequence, Decision.id)
        ):
            items = found[meeting_id].items
            if item_id in items:
                number = next(counters.setdefault(item_id, count(1)))
                found[meeting_id].decisions[decision_id] = f"{items[item_id]}.{number}"
        cache.update({(reader, m): numbers for m, numbers in found.items()})
    return {m: cache[(reader, m)] for m in meeting_ids}
