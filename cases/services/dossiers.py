"""Dossiers: a subject that runs across cycles ("Talent Brainport", "Netcapaciteit"), grouping its
agenda items, decisions and cases, with a timeline.

What a dossier holds is shown to each reader as far as the reader may see it: a link to a
Rijk-internal item is there for the Rijk and simply absent for the regio, never a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.models import User
from auth.policy import Action, can, ensure, visible
from auth.services import share
from cases.engine import workflow_of
from cases.models import Case, CaseEvent, CaseType, DossierLink, EventKind
from cases.workflows import TYPE_LABELS, WORKFLOWS
from core.acting import service
from core.dates import show_date
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.refs import ObjectRef
from core.removal import remove
from meetings.models import AgendaItem, Body, Decision, Meeting
from meetings.services.bodies import members_of


@service
def create_dossier(
    actor: User,
    body: Body,
    *,
    title: str,
    description: str = "",
    audience: Audience | None = None,
    shared_with: list[int] | None = None,
) -> Case:
    """The secretariat opens a dossier; by default the whole table sees it."""
    ensure(actor, Action.MANAGE, body)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Geef het dossier een naam."), field="title")
    dossier = Case(
        type=CaseType.DOSSIER,
        state=WORKFLOWS[CaseType.DOSSIER].initial,
        body_id=body.id,
        title=title,
        description=description or "",
        owner_organisation_id=actor.organisation_id,
        created_by_id=actor.id,
    )
    db.session.add(dossier)
    share(actor, dossier, audience or Audience.OVERLEG, shared_with)
    db.session.add(CaseEvent(case_id=dossier.id, kind=EventKind.AANGEMAAKT, actor_id=actor.id, to_state=dossier.state))
    return dossier


def _ensure_may_link(actor: User, dossier: Case) -> None:
    ensure(actor, Action.MANAGE, dossier)
    workflow = workflow_of(dossier)
    if not workflow.holds_items:
        raise DomainError(_("Alleen een dossier groepeert agendapunten, besluiten en zaken."))
    if dossier.state in workflow.closed:
        raise DomainError(_("Het dossier is afgesloten. Heropen het om iets toe te voegen."))


@service
def link(
    actor: User,
    dossier: Case,
    *,
    agenda_item_id: int | None = None,
    decision_id: int | None = None,
    case_id: int | None = None,
) -> DossierLink:
    """Add one agenda item, decision or case of the same body to the dossier."""
    _ensure_may_link(actor, dossier)
    chosen = [
        (field, ident)
        for field, ident in (("agenda_item_id", agenda_item_id), ("decision_id", decision_id), ("case_id", case_id))
        if ident is not None
    ]
    if len(chosen) != 1:
        raise DomainError(_("Kies één agendapunt, besluit of zaak om toe te voegen."), field="agenda_item_id")
    field, ident = chosen[0]
    model: type = {"agenda_item_id": AgendaItem, "decision_id": Decision, "case_id": Case}[field]
    target = db.session.get(model, ident)
    if target is None or not can(actor, Action.VIEW, target):
        raise DomainError(_("Kies een item uit de lijst."), field=field)
    if target.body_id != dossier.body_id:
        raise DomainError(_("Dit item hoort bij een ander overleg."), field=field)
    if field == "case_id" and ident == dossier.id:
        raise DomainError(_("Een dossier kan niet in zichzelf."), field=field)
    exists = db.session.scalar(
        select(DossierLink.id).where(DossierLink.dossier_id == dossier.id, getattr(DossierLink, field) == ident)
    )
    if exists:
        raise DomainError(_("Dit zit al in het dossier."), field=field)
    entry = DossierLink(dossier_id=dossier.id, body_id=dossier.body_id, added_by_id=actor.id, **{field: ident})
    db.session.add(entry)
    share(actor, entry, *_narrower(dossier, target))
    return entry


def _narrower(dossier: Case, target: Any) -> tuple[Audience, list[int] | None]:
    """Who may know that ``target`` is in ``dossier``: who may see both."""
    audiences = {dossier.audience, target.audience}
    if Audience.VERTROUWELIJK in audiences:
        both = [
            u.id for u in members_of(dossier.body_id) if can(u, Action.VIEW, dossier) and can(u, Action.VIEW, target)
        ]
        return Audience.VERTROUWELIJK, both
    for side in (Audience.RIJK, Audience.REGIO):
        if side in audiences:
            return side, None
    return (Audience.OPENBAAR if audiences == {Audience.OPENBAAR} else Audience.OVERLEG), None


@service
def unlink(actor: User, dossier: Case, *, link_id: int) -> None:
    _ensure_may_link(actor, dossier)
    entry = db.session.get(DossierLink, link_id)
    if entry is None or entry.dossier_id != dossier.id or not _link_visible(actor, entry):
        raise DomainError(_("Dit zit niet in het dossier."))
    remove(entry)


def _link_visible(user: User, entry: DossierLink) -> bool:
    target = (
        db.session.get(AgendaItem, entry.agenda_item_id)
        if entry.agenda_item_id
        else db.session.get(Decision, entry.decision_id)
        if entry.decision_id
        else db.session.get(Case, entry.case_id)
    )
    return target is not None and can(user, Action.VIEW, target)


# --- reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    #: What the entry is about (an agenda item, a decision or a case): the page links to it.
    subject: ObjectRef
    detail: str = ""
    #: The link to remove it by (for the secretariat), if it is a linked item rather than a step.
    link_id: int | None = None


def timeline(user: User, dossier: Case) -> list[TimelineEntry]:
    """What the dossier holds that ``user`` may see, with the steps of its cases, oldest first."""
    entries: list[TimelineEntry] = []
    links = DossierLink.dossier_id == dossier.id
    # An agenda item and a decision stand on the date of their meeting.
    of_meetings: tuple[tuple[Any, Any, str, Callable[[Any], str]], ...] = (
        (AgendaItem, DossierLink.agenda_item_id, "agendapunt", lambda item: item.title),
        (Decision, DossierLink.decision_id, "besluit", lambda decision: decision.text),
    )
    for model, linked, kind, title_of in of_meetings:
        for entry, subject, meeting in db.session.execute(
            select(DossierLink, model, Meeting)
            .join(model, linked == model.id)
            .join(Meeting, model.meeting_id == Meeting.id)
            .where(links, visible(user, model))
        ):
            entries.append(
                TimelineEntry(
                    at=meeting.starts_at,
                    kind=kind,
                    title=title_of(subject),
                    subject=ObjectRef.of(subject),
                    detail=meeting.title,
                    link_id=entry.id,
                )
            )
    linked_cases = {
        case.id: (entry, case)
        for entry, case in db.session.execute(
            select(DossierLink, Case).join(Case, DossierLink.case_id == Case.id).where(links, visible(user, Case))
        )
    }
    for entry, case in linked_cases.values():
        entries.append(
            TimelineEntry(
                at=case.created_at,
                kind=TYPE_LABELS[case.type],
                title=f"{case.reference} {case.title}",
                subject=ObjectRef.of(case),
                detail=f"status: {workflow_of(case).label(case.state)}",
                link_id=entry.id,
            )
        )
    if linked_cases:
        for event in db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id.in_(linked_cases), CaseEvent.kind == EventKind.STAP)
            .options(joinedload(CaseEvent.actor))
        ):
            case = linked_cases[event.case_id][1]
            assert event.to_state is not None  # a step always leads to a state
            entries.append(
                TimelineEntry(
                    at=event.at,
                    kind="stap",
                    title=f"{case.reference}: {workflow_of(case).label(event.to_state)}",
                    subject=ObjectRef.of(case),
                    detail=event.actor.name if event.actor else "",
                )
            )
    return sorted(entries, key=lambda e: e.at)


def dossiers_of(user: User, body: Body) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(visible(user, Case), Case.type == CaseType.DOSSIER, Case.body_id == body.id)
            .options(joinedload(Case.owner_organisation), joinedload(Case.assignee))  # what as_linked shows
            .order_by(Case.state, Case.title)
        )
    )


def dossiers_holding(
    user: User, *, agenda_item_id: int | None = None, decision_id: int | None = None, case_id: int | None = None
) -> list[Case]:
    """The dossiers (that ``user`` may see) one item belongs to."""
    if agenda_item_id is not None:
        condition = DossierLink.agenda_item_id == agenda_item_id
    elif decision_id is not None:
        condition = DossierLink.decision_id == decision_id
    else:
        condition = DossierLink.case_id == case_id
    return list(
        db.session.scalars(
            select(Case)
            .join(DossierLink, DossierLink.dossier_id == Case.id)
            .where(condition, visible(user, Case))
            .options(joinedload(Case.owner_organisation), joinedload(Case.assignee))  # what as_linked shows
            .order_by(Case.title)
        )
    )


def link_choices(user: User, dossier: Case) -> dict[str, list[tuple[int, str]]]:
    """What the secretariat can add: the body's visible agenda items, decisions and cases not yet in."""
    taken = db.session.execute(
        select(DossierLink.agenda_item_id, DossierLink.decision_id, DossierLink.case_id).where(
            DossierLink.dossier_id == dossier.id
        )
    ).all()
    items_in = {row[0] for row in taken if row[0]}
    decisions_in = {row[1] for row in taken if row[1]}
    cases_in = {row[2] for row in taken if row[2]} | {dossier.id}

    def of_meetings(model: Any, order: Any, text_of: Callable[[Any], str], taken: set[int]) -> list[tuple[int, str]]:
        """The body's agenda items or decisions not yet in the dossier, by their meeting's date, latest first."""
        return [
            (subject.id, f"{show_date(meeting.starts_at, 'dd-MM-yyyy')} · {text_of(subject)}")
            for subject, meeting in db.session.execute(
                select(model, Meeting)
                .join(Meeting, model.meeting_id == Meeting.id)
                .where(visible(user, model), model.body_id == dossier.body_id)
                .order_by(Meeting.starts_at.desc(), order)
            )
            if subject.id not in taken
        ]

    items = of_meetings(AgendaItem, AgendaItem.position, lambda item: item.title, items_in)
    decisions = of_meetings(Decision, Decision.sequence, lambda decision: _short(decision.text), decisions_in)
    cases = [
        (case.id, f"{case.reference} {case.title}")
        for case in db.session.scalars(
            select(Case)
            .where(visible(user, Case), Case.body_id == dossier.body_id, Case.type != CaseType.DOSSIER)
            .order_by(Case.id.desc())
        )
        if case.id not in cases_in
    ]
    return {"agenda_item_id": items, "decision_id": decisions, "case_id": cases}


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
