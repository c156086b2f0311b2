"""Meetings that tests build for themselves, in the state a test asks for."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cases.models import CaseType
from cases.services.cases import create_follow_up
from core.dates import today
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItemKind, Body
from meetings.services import agenda, decisions
from tests.conftest import meeting_held, new_meeting, user

SEC = "secretariaat@ezk.test"
#: Owner of every item and action the builder makes: a regio organisation.
OWNER = "economie@noord-brabant.test"


def meeting_with_items(
    year: int,
    *,
    clock: Any = None,
    items: int = 0,
    publish: bool = True,
    decide: bool = True,
    release: bool = True,
) -> int:
    """A BO-Brainport meeting in October of ``year`` with ``items`` plain items, every fifth one
    Rijk-only, each with two documents, two decisions and an action; without items, one hamerstuk.
    It goes as far as asked: agenda published, decisions taken, besluitenlijst out for comments.
    Decisions are taken after the meeting: give the ``clock`` fixture, which is then left there."""
    sec, owner = user(SEC), user(OWNER).organisation_id
    meeting = new_meeting(date(year, 10, 6), location="Brainport Industries Campus, Eindhoven")
    for n in range(items):
        item = agenda.add_agenda_item(
            sec,
            meeting,
            title=f"Punt {n}",
            kind=AgendaItemKind.TER_BESLUITVORMING,
            organisation_id=owner,
            audience=Audience.RIJK if n % 5 == 0 else None,
        )
        db.session.flush()
        for d in range(2):
            agenda.add_document(
                sec,
                meeting,
                agenda_item=item,
                title=f"Stuk {n}.{d}",
                filename=f"stuk-{n}-{d}.pdf",
                content=text_pdf(f"Stuk {n}.{d}", ["Inhoud."]),
            )
    if not items:
        agenda.add_agenda_item(sec, meeting, title="Opening", kind=AgendaItemKind.HAMERSTUK)
    db.session.flush()
    if not publish:
        return meeting.id
    agenda.publish_agenda(sec, meeting)
    db.session.flush()
    if not decide:
        return meeting.id
    assert clock is not None, "decisions are taken on the meeting's day: pass the clock fixture"
    meeting_held(clock, meeting)
    for item in agenda.agenda_of(sec, meeting).items:
        first = decisions.add_decision(sec, item, text=f"Besluit bij {item.title}.")
        decisions.add_decision(sec, item, text=f"Tweede besluit bij {item.title}.")
        db.session.flush()
        create_follow_up(
            sec,
            db.session.get(Body, meeting.body_id),
            case_type=CaseType.ACTIEPUNT,
            title=f"Actie {item.title}",
            decision=first,
            owner_organisation_id=owner,
            due_date=date(year, 12, 1),
        )
    if release:
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=10))
    return meeting.id
