"""Follow-up planning for cases: the reminders a due date brings (``Workflow.reminders``), the
messages a step sends (``Transition.notifies``) and a new case sends (``created_notifies``), and
how each is written for its recipient when it goes out.

Every message is written at the moment it is sent, as its recipient may see things then: if the
recipient can no longer see the case, or the case moved on, it lapses instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from auth.models import User
from auth.policy import Action, can
from cases.engine import after_step, workflow_of
from cases.models import Case, CaseEvent, EventKind
from cases.services import people
from cases.workflows import NEW_TYPE, PEOPLE, THE_TYPE, TYPE_LABELS, WORKFLOWS, Reminder, Transition, Workflow
from core.dates import local_to_utc, now, show_date, to_local, today
from core.extensions import db
from core.labels import Labels
from core.web import absolute_url
from meetings.models import Decision, Meeting
from notify.registry import Lapsed, Mail, Planned, register_kind, register_planner
from notify.services import plan

#: Reminders go out at eight in the morning, Amsterdam time.
SEND_AT = time(8, 0)
#: Reminders are planned this far ahead, so the case page can show what is coming.
AHEAD = timedelta(days=7)
#: A message about a step or a new case that could not go out within this time is dropped.
FRESH_FOR = timedelta(days=3)

REMINDER, STEP, CREATED = "zaak-herinnering", "zaak-stap", "zaak-nieuw"


# --- planning -------------------------------------------------------------------------------------


def occurrences(reminder: Reminder, due: date, day: date) -> list[date]:
    """On which days ``reminder`` should go out for a due date ``due``, seen on ``day``: the one
    that is due now (if it still applies) and the ones within ``AHEAD``; never a whole backlog."""
    first = due + timedelta(days=reminder.days)
    horizon = day + AHEAD
    if reminder.every is None:
        if reminder.days < 0 and day > due:
            return []  # a reminder before the due date is of no use after it
        return [first] if first <= horizon else []
    if day < first:
        return [first] if first <= horizon else []
    latest = first + timedelta(days=((day - first).days // reminder.every) * reminder.every)
    following = latest + timedelta(days=reminder.every)
    return [latest] + ([following] if following <= horizon else [])


def reminders_for(
    case: Case, day: date, *, since: date | None = None, members: people.Members | None = None
) -> Iterator[Planned]:
    """The reminders ``case`` should have, seen on ``day``; none from before ``since``, the day its
    due date was set (a new action due in three days gets no reminder "a week before")."""
    workflow = workflow_of(case)
    if case.due_date is None or case.state not in workflow.overdue_in:
        return
    for reminder in workflow.reminders:
        days = [on for on in occurrences(reminder, case.due_date, day) if since is None or on >= since]
        if not days:
            continue
        for user_id in people.ids(reminder.to, case, members):
            for on in days:
                yield Planned(
                    # The due date is in the key: a new date brings its own reminders, also for
                    # days on which the old date had one.
                    key=f"zaak:{case.id}:{case.due_date.isoformat()}:{reminder.name}:{on.isoformat()}:{user_id}",
                    kind=REMINDER,
                    variant=reminder.name,
                    recipient_id=user_id,
                    subject_type="cases",
                    subject_id=case.id,
                    planned_for=case.due_date,
                    due_at=local_to_utc(on, SEND_AT),
                )


def _dates_set(case_ids: list[int]) -> dict[int, date]:
    """Per case, the day its due date was last set: its creation or its last new date."""
    set_on: dict[int, datetime] = {}
    for case_id, created in db.session.execute(select(Case.id, Case.created_at).where(Case.id.in_(case_ids))):
        set_on[case_id] = created
    for case_id, moved in db.session.execute(
        select(CaseEvent.case_id, func.max(CaseEvent.at))
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind == EventKind.TERMIJN)
        .group_by(CaseEvent.case_id)
    ):
        set_on[case_id] = moved
    return {case_id: to_local(moment).date() for case_id, moment in set_on.items()}


def plan_case(case: Case) -> None:
    """Plan what a case's due date brings now (after it was created, moved or stepped on). Nothing yet
    for one that waits for its decision's publication: the scheduler plans it once that is out."""
    if case.is_released():
        plan(reminders_for(case, today(), since=_dates_set([case.id]).get(case.id)))


def _cases_with_reminders() -> list[Case]:
    cases: list[Case] = []
    for workflow in WORKFLOWS.values():
        if workflow.reminders:
            cases += db.session.scalars(
                select(Case).where(
                    Case.type == workflow.case_type,
                    Case.state.in_(workflow.overdue_in),
                    Case.due_date.is_not(None),
                    Case.released_clause(),
                )
            )
    return cases


def _announced_on_publication(moment: datetime) -> Iterator[Planned]:
    """The scheduler's planner for what follows from a decision: it is announced when the besluitenlijst
    goes out (``case_created`` tells nobody before), once, with the publication as its moment."""
    since = moment - FRESH_FOR
    waiting = db.session.scalars(
        select(Case)
        .join(Decision, Decision.id == Case.decision_id)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Meeting.besluitenlijst_published_at >= since, Meeting.besluitenlijst_published_at <= moment)
        .options(joinedload(Case.decision).joinedload(Decision.meeting))
    )
    members = people.Members()
    for case in waiting:
        if case.state == workflow_of(case).initial:
            assert case.decision is not None and case.decision.meeting.besluitenlijst_published_at is not None
            yield from _announcement(case, case.decision.meeting.besluitenlijst_published_at, members)


def _due_reminders(moment: datetime) -> Iterator[Planned]:
    """The scheduler's planner: every open case's reminders, so nothing depends on a case having
    been touched (a member who joined later, a restart after days). A fixed number of queries."""
    day = to_local(moment).date()
    cases = _cases_with_reminders()
    if not cases:
        return
    members = people.Members()
    since = _dates_set([case.id for case in cases])
    for case in cases:
        yield from reminders_for(case, day, since=since.get(case.id), members=members)


def _announcement(case: Case, due_at: datetime, members: people.Members | None = None) -> Iterator[Planned]:
    """The messages that tell whom a new case concerns that it is there."""
    return _told(
        case,
        workflow_of(case).created_notifies,
        kind=CREATED,
        subject_type="cases",
        subject_id=case.id,
        actor_id=case.created_by_id,
        key=f"nieuw:{case.id}",
        due_at=due_at,
        members=members,
    )


def _told(
    case: Case,
    names: Iterable[str],
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    actor_id: int | None,
    key: str,
    due_at: datetime,
    members: people.Members | None = None,
) -> Iterator[Planned]:
    for name in names:
        for user_id in people.ids(name, case, members):
            if user_id == actor_id:
                continue  # nobody is told what they did themselves
            yield Planned(
                key=f"{key}:{name}:{user_id}",
                kind=kind,
                variant=name,
                recipient_id=user_id,
                subject_type=subject_type,
                subject_id=subject_id,
                due_at=due_at,
            )


def _tell(
    case: Case, names: Iterable[str], *, kind: str, subject_type: str, subject_id: int, actor_id: int | None, key: str
) -> None:
    plan(
        _told(
            case,
            names,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            actor_id=actor_id,
            key=key,
            due_at=now(),
        )
    )


@after_step
def _after_step(case: Case, event: CaseEvent, transition: Transition) -> None:
    _tell(
        case,
        transition.notifies,
        kind=STEP,
        subject_type="case_events",
        subject_id=event.id,
        actor_id=event.actor_id,
        key=f"stap:{event.id}",
    )
    plan_case(case)


def case_created(case: Case) -> None:
    """Tell whom a new case concerns, and plan its reminders (called by the creating services). One that
    follows from a decision on a concept besluitenlijst is told when that goes out."""
    if case.is_released():
        plan(_announcement(case, now()))
        plan_case(case)


# --- writing the messages -------------------------------------------------------------------------


def _load_case(case_id: int) -> Case | None:
    return db.session.get(
        Case,
        case_id,
        options=[joinedload(Case.body), joinedload(Case.owner_organisation), joinedload(Case.assignee)],
    )


def _facts(case: Case, workflow: Workflow) -> str:
    owner = case.owner_organisation.name
    if case.assignee is not None:
        owner += f" ({case.assignee.name})"
    lines = [
        f"  {TYPE_LABELS[case.type].capitalize()} {case.reference}: {case.title}",
        "  " + _("Overleg: %(body)s", body=case.body.name),
        "  " + _("Eigenaar: %(owner)s", owner=owner),
    ]
    if case.kenmerk:
        lines.append("  " + _("Kenmerk: %(kenmerk)s", kenmerk=case.kenmerk))
    if case.due_date:
        lines.append("  " + _("Gereed op: %(date)s", date=show_date(case.due_date)))
    lines.append("  " + _("Status: %(state)s", state=workflow.label(case.state)))
    return "\n".join(lines)


def _letter(recipient: User, lead: str, case: Case, because: str, extra: str = "") -> str:
    workflow = workflow_of(case)
    parts = [_("Beste %(name)s,", name=recipient.name), lead, _facts(case, workflow)]
    if extra:
        parts.append(extra)
    parts.append(_("Bekijken of bijwerken: %(url)s", url=absolute_url("cases.case", case_id=case.id)))
    parts.append("— Regiotafel\n" + _("U krijgt dit bericht omdat u %(because)s.", because=because))
    return "\n\n".join(parts)


#: Why someone gets a message about a case, to end the sentence "U krijgt dit bericht omdat u …".
_BECAUSE = Labels(
    {
        "uitvoerder": _l("de uitvoerder bent of werkt bij de eigenaar-organisatie"),
        "secretariaat": _l("het secretariaat van dit overleg voert"),
        "auteur": _l("de auteur van de nota bent"),
        "indiener": _l("het verzoek hebt ingediend"),
        "aan_de_beurt": _l("in de parafenroute staat"),
        "beslisser": _l("de beslisser van de nota bent"),
    }
)


def _readable_case(notification: Any, recipient: User, case_id: int) -> Case | Lapsed:
    case = _load_case(case_id)
    if case is None:
        return Lapsed("De zaak bestaat niet meer.")
    if not can(recipient, Action.VIEW, case):
        return Lapsed("De ontvanger kan de zaak niet (meer) zien.")
    return case


def compose_reminder(notification: Any, recipient: User) -> Mail | Lapsed:
    case = _readable_case(notification, recipient, notification.subject_id)
    if isinstance(case, Lapsed):
        return case
    workflow = workflow_of(case)
    reminder = next((r for r in workflow.reminders if r.name == notification.variant), None)
    if reminder is None:
        return Lapsed("Deze herinnering bestaat niet meer.")
    if case.state not in workflow.overdue_in:
        return Lapsed(f"De zaak is {workflow.label(case.state)}.")
    if case.due_date != notification.planned_for or case.due_date is None:
        return Lapsed("De datum is verplaatst.")
    if recipient.id not in people.ids(reminder.to, case):
        return Lapsed("De ontvanger is niet meer degene die dit aangaat.")
    day = today()
    planned_day = to_local(notification.due_at).date()
    if reminder.every is None and day > case.due_date:
        return Lapsed("De datum is al voorbij.")
    if reminder.every is not None and (day - planned_day).days >= reminder.every:
        return Lapsed("Ingehaald door een nieuwere herinnering.")
    kind = THE_TYPE[case.type]
    due = show_date(case.due_date)
    ref, title = case.reference, case.title
    if reminder.every is not None:
        late = (day - case.due_date).days
        subject = _("Over de datum: %(ref)s %(title)s", ref=ref, title=title)
        lead = ngettext(
            "%(kind)s hieronder had op %(due)s gereed moeten zijn en is dat nog niet (%(num)d dag over de "
            "datum). Wilt u nagaan hoe het ervoor staat?",
            "%(kind)s hieronder had op %(due)s gereed moeten zijn en is dat nog niet (%(num)d dagen over de "
            "datum). Wilt u nagaan hoe het ervoor staat?",
            late,
            kind=kind.capitalize(),
            due=due,
        )
    elif case.due_date == day:
        subject = _("Vandaag gereed: %(ref)s %(title)s", ref=ref, title=title)
        lead = _("Herinnering: %(kind)s hieronder moet vandaag, %(due)s, gereed zijn.", kind=kind, due=due)
    elif case.due_date - day <= timedelta(days=1):
        subject = _("Morgen gereed: %(ref)s %(title)s", ref=ref, title=title)
        lead = _("Herinnering: %(kind)s hieronder moet morgen, %(due)s, gereed zijn.", kind=kind, due=due)
    else:
        subject = _("Herinnering: %(ref)s %(title)s — gereed op %(due)s", ref=ref, title=title, due=due)
        lead = _("Herinnering: %(kind)s hieronder moet op %(due)s gereed zijn.", kind=kind, due=due)
    return Mail(subject=subject, text=_letter(recipient, lead, case, _BECAUSE[reminder.to]))


def compose_step(notification: Any, recipient: User) -> Mail | Lapsed:
    event = db.session.get(CaseEvent, notification.subject_id, options=[joinedload(CaseEvent.actor)])
    if event is None:
        return Lapsed("De stap bestaat niet meer.")
    case = _readable_case(notification, recipient, event.case_id)
    if isinstance(case, Lapsed):
        return case
    if now() - notification.due_at > FRESH_FOR:
        return Lapsed("Te oud om nog te versturen.")
    if notification.variant in ("aan_de_beurt", "beslisser") and (
        case.state != event.to_state or recipient.id not in people.ids(notification.variant, case)
    ):
        return Lapsed("De ontvanger is niet meer aan de beurt.")
    workflow = workflow_of(case)
    transition = workflow.transition(event.transition or "")
    step = transition.label if transition else (event.transition or "")
    who = event.actor.name if event.actor else _("Het systeem")
    state = workflow.label(case.state)
    lead = _(
        "%(who)s heeft een stap gezet bij %(kind)s hieronder (%(step)s): de status is nu '%(state)s'.",
        who=who,
        kind=THE_TYPE[case.type],
        step=str(step).lower(),
        state=state,
    )
    ref, title = case.reference, case.title
    if notification.variant == "aan_de_beurt":
        subject = _("Te paraferen: %(ref)s %(title)s", ref=ref, title=title)
        lead += " " + _("U bent aan de beurt om te paraferen, of de nota met een opmerking terug te sturen.")
    elif notification.variant == "beslisser":
        subject = _("Ter beslissing: %(ref)s %(title)s", ref=ref, title=title)
        lead += " " + _("De nota ligt bij u ter beslissing.")
    elif event.from_state == event.to_state:
        subject = f"{ref} {title}: {str(step).lower()}"  # a step that keeps the state (uitstel): say which
    else:
        subject = f"{ref} {title}: {state}"
    extra = _("Toelichting:") + f"\n{event.note}" if event.note else ""
    if event.due_date is not None and event.kind is EventKind.STAP:
        extra = "\n\n".join(
            part for part in (_("Gevraagde nieuwe datum: %(date)s", date=show_date(event.due_date)), extra) if part
        )
    return Mail(subject=subject, text=_letter(recipient, lead, case, _BECAUSE[notification.variant], extra))


def compose_created(notification: Any, recipient: User) -> Mail | Lapsed:
    case = _readable_case(notification, recipient, notification.subject_id)
    if isinstance(case, Lapsed):
        return case
    if now() - notification.due_at > FRESH_FOR:
        return Lapsed("Te oud om nog te versturen.")
    workflow = workflow_of(case)
    if case.state != workflow.initial:
        return Lapsed(f"De zaak is al {workflow.label(case.state)}.")
    kind, new = TYPE_LABELS[case.type], NEW_TYPE[case.type]
    ref, title = case.reference, case.title
    if notification.variant == "secretariaat":
        subject = _("%(new)s: %(ref)s %(title)s", new=new, ref=ref, title=title)
        lead = _("%(organisation)s heeft een %(kind)s ingediend.", organisation=case.owner_organisation.name, kind=kind)
    else:
        subject = _("%(new)s voor u: %(ref)s %(title)s", new=new, ref=ref, title=title)
        lead = _("Er is een %(kind)s vastgelegd waarvan u of uw organisatie de eigenaar is.", kind=kind)
    return Mail(subject=subject, text=_letter(recipient, lead, case, _BECAUSE[notification.variant]))


#: Whom a step is told to, as the outbox names it.
_TOLD = {
    "auteur": _l("aan de auteur"),
    "aan_de_beurt": _l("aan wie aan de beurt is"),
    "beslisser": _l("aan de beslisser"),
    "indiener": _l("aan de indiener"),
    "uitvoerder": _l("aan de uitvoerder"),
    "secretariaat": _l("aan het secretariaat"),
}


def register(app: Flask) -> None:
    assert set(_BECAUSE) == set(PEOPLE) == set(_TOLD), "every person a workflow may tell needs a reason why"
    reminders = {
        "week-vooraf": _l("een week vooraf"),
        "dag-vooraf": _l("een dag vooraf"),
        "escalatie": _l("over de datum"),
    }
    register_kind(app, REMINDER, compose_reminder, label=_l("Herinnering aan een datum"), variants=reminders)
    told = {name: _TOLD[name] for name in PEOPLE}
    register_kind(app, STEP, compose_step, label=_l("Stap in een zaak"), variants=told)
    register_kind(app, CREATED, compose_created, label=_l("Nieuwe zaak"), variants=told)
    register_planner(app, _due_reminders)
    register_planner(app, _announced_on_publication)
