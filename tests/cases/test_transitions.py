"""Every transition of every case type, allowed and refused, per role and side.

The expectations below are written out from the rules (DESIGN.md, "Workflows", and the issue that
asked for these tests), not read from ``cases/workflows.py``: which states each type has, from which
states each step may be taken and where it leads, who may take it, and who sees the case at all. A
wrong declaration therefore fails here.

Each test builds one case in one situation (a follow-up, request or dossier is put in its state
directly; a nota is walked along a real parafenroute with the engine, so that its guards hold) and
lets one person try one step:

* who cannot see the case gets ``NotVisible``, whatever the step;
* a step from a state that is not among its sources is an ``InvalidTransition``;
* who may take it moves the case to the step's target, with a line in its history;
* who may take it while the nota's guard holds it back gets an ``InvalidTransition``;
* anyone else gets ``NotPermitted``;

and every refusal leaves the case as it was.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cases import engine
from cases.models import Case, CaseEvent, CaseType, RouteStep, StepStatus
from cases.services.cases import create_follow_up, create_nota, submit_agenda_request
from cases.services.dossiers import create_dossier
from cases.services.nota import add_route_step, edit_nota
from cases.workflows import WORKFLOWS
from core.acting import SYSTEM, Actor, service
from core.dates import now, today
from core.db import Audience
from core.errors import DomainError, InvalidTransition, NotPermitted, NotVisible
from core.extensions import db
from meetings.models import AgendaItemKind
from tests.conftest import find_body, in_app, new_meeting, user

# --- the people (demo data) -----------------------------------------------------------------------

SECRETARIAAT = "secretariaat@ezk.test"  # secretariaat of BO-Brainport, rijk (EZK)
BELEID_EZK = "beleid@ezk.test"  # deelnemer, rijk (EZK)
BELEID_OCW = "beleid@ocw.test"  # deelnemer, rijk (OCW)
BELEID_IENW = "beleid@ienw.test"  # waarnemer, rijk (IenW)
BRABANT = "economie@noord-brabant.test"  # deelnemer, regio (provincie Noord-Brabant)
EINDHOVEN = "economie@eindhoven.test"  # deelnemer, regio (gemeente Eindhoven)
BRAINPORT = "directie@brainportdevelopment.test"  # deelnemer, regio (Brainport Development)
AUDITOR_EZK = "auditor@ezk.test"  # auditor, rijk (EZK)
AUDITOR_BRABANT = "auditor@noord-brabant.test"  # auditor, regio (provincie Noord-Brabant)
BEHEER = "beheer@regiotafel.test"  # beheerder, no membership of BO-Brainport
GELDERLAND = "economie@gelderland.test"  # regio, member of another body only
DIRECTEUR = "directeur.top@ezk.test"  # waarnemer, rijk (EZK)
DG = "dg.bi@ezk.test"  # waarnemer, rijk (EZK)
MINISTER = "minister@ezk.test"  # deelnemer, rijk (EZK)

PERSONAS = (
    SECRETARIAAT,
    BELEID_EZK,
    BELEID_OCW,
    BELEID_IENW,
    BRABANT,
    EINDHOVEN,
    BRAINPORT,
    AUDITOR_EZK,
    AUDITOR_BRABANT,
    BEHEER,
    GELDERLAND,
    DIRECTEUR,
    DG,
    MINISTER,
)

#: Who sees an item of each audience of BO-Brainport: its members, as far as their side is admitted.
RIJK_MEMBERS = frozenset({SECRETARIAAT, BELEID_EZK, BELEID_OCW, BELEID_IENW, AUDITOR_EZK, DIRECTEUR, DG, MINISTER})
REGIO_MEMBERS = frozenset({BRABANT, EINDHOVEN, BRAINPORT, AUDITOR_BRABANT})
BO_MEMBERS = RIJK_MEMBERS | REGIO_MEMBERS
NOBODY: frozenset[str] = frozenset()

# --- the workflows, as the rules give them ---------------------------------------------------------


class Reason(enum.Enum):
    #: The rules ask for a reason: rejecting, moving to a later cycle, reopening, letting lapse,
    #: returning a nota, and (README) reporting a commitment (partly) met.
    REQUIRED = "required"
    NONE = "none"  # a plain step: it must go without one


#: The target of a step that leaves the case where it stands (asking for a postponement, answering it).
STAYS = "="


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str
    reason: Reason = Reason.NONE

    def leads_from(self, state: str) -> str:
        return state if self.target == STAYS else self.target


def step(sources: str, target: str, reason: Reason = Reason.NONE) -> Step:
    return Step(frozenset(sources.split()), target, reason)


R = Reason.REQUIRED

STATES: dict[CaseType, tuple[str, ...]] = {
    CaseType.AGENDAVERZOEK: ("ingediend", "in_behandeling", "doorgeschoven", "geagendeerd", "afgewezen"),
    CaseType.ACTIEPUNT: ("open", "in_uitvoering", "gereed", "afgerond", "vervallen"),
    CaseType.TOEZEGGING: ("openstaand", "deels_voldaan", "voldaan", "vervallen"),
    CaseType.NOTA: ("concept", "ter_parafering", "ter_beslissing", "besloten", "afgewezen"),
    CaseType.DOSSIER: ("lopend", "afgesloten"),
}

#: States in which a case is finished (``closed_at`` is set).
CLOSED: dict[CaseType, frozenset[str]] = {
    CaseType.AGENDAVERZOEK: frozenset({"geagendeerd", "afgewezen"}),
    CaseType.ACTIEPUNT: frozenset({"afgerond", "vervallen"}),
    CaseType.TOEZEGGING: frozenset({"voldaan", "vervallen"}),
    CaseType.NOTA: frozenset({"besloten", "afgewezen"}),
    CaseType.DOSSIER: frozenset({"afgesloten"}),
}

STEPS: dict[CaseType, dict[str, Step]] = {
    CaseType.AGENDAVERZOEK: {
        "in_behandeling": step("ingediend doorgeschoven", "in_behandeling"),
        "agenderen": step("ingediend in_behandeling doorgeschoven", "geagendeerd"),
        "afwijzen": step("ingediend in_behandeling doorgeschoven", "afgewezen", R),
        "doorschuiven": step("ingediend in_behandeling doorgeschoven", "doorgeschoven", R),
    },
    CaseType.ACTIEPUNT: {
        "starten": step("open", "in_uitvoering"),
        "gereed_melden": step("open in_uitvoering", "gereed"),
        "afronden": step("gereed", "afgerond"),
        "heropenen": step("gereed", "in_uitvoering", R),
        "laten_vervallen": step("open in_uitvoering gereed", "vervallen", R),
        # Uitstel (issue 16): the owner asks for a later date with a reason, while the work is still to
        # be delivered; the secretariat grants it, or refuses it with a reason. The state stays.
        "uitstel_aanvragen": step("open in_uitvoering", STAYS, R),
        "uitstel_verlenen": step("open in_uitvoering", STAYS),
        "uitstel_weigeren": step("open in_uitvoering", STAYS, R),
    },
    CaseType.TOEZEGGING: {
        "deels_voldaan": step("openstaand", "deels_voldaan", R),
        "voldaan": step("openstaand deels_voldaan", "voldaan", R),
        "heropenen": step("voldaan", "deels_voldaan", R),
        "laten_vervallen": step("openstaand deels_voldaan", "vervallen", R),
        "uitstel_aanvragen": step("openstaand deels_voldaan", STAYS, R),
        "uitstel_verlenen": step("openstaand deels_voldaan", STAYS),
        "uitstel_weigeren": step("openstaand deels_voldaan", STAYS, R),
    },
    CaseType.NOTA: {
        "aanbieden": step("concept", "ter_parafering"),
        "voorleggen": step("concept", "ter_beslissing"),
        "paraferen": step("ter_parafering", "ter_parafering"),
        "laatste_paraaf": step("ter_parafering", "ter_beslissing"),
        "terugsturen": step("ter_parafering", "concept", R),
        "besluiten": step("ter_beslissing", "besloten"),
        "afwijzen": step("ter_beslissing", "afgewezen", R),
        "terugsturen_beslisser": step("ter_beslissing", "concept", R),
        "terugnemen": step("ter_parafering ter_beslissing", "concept", R),
    },
    CaseType.DOSSIER: {
        "afsluiten": step("lopend", "afgesloten"),
        "heropenen": step("afgesloten", "lopend", R),
    },
}

# --- building cases -------------------------------------------------------------------------------


def organisation_of(email: str) -> int:
    return user(email).organisation_id


@service
def place(actor: Actor, case: Case, state: str) -> None:
    """Put a case in a state directly: the engine's checks are under test here, not the way there."""
    case.state = state
    case.closed_at = now() if state in CLOSED[case.type] else None


def asked_date() -> Any:
    return today() + timedelta(days=45)


@service
def ask_postponement(actor: Actor, case: Case) -> None:
    """A postponement asked for, directly (the way there is tested as a step of its own)."""
    case.requested_due_date = asked_date()


def with_postponement_asked(build: Callable[[], Case]) -> Callable[[], Case]:
    def asked() -> Case:
        case = build()
        db.session.flush()
        ask_postponement(SYSTEM, case)
        return case

    return asked


#: What a step asks for beyond a reason.
DETAILS: dict[str, Callable[[], dict[str, Any]]] = {"uitstel_aanvragen": lambda: {"due_date": asked_date()}}


def agenda_request(requester: str) -> Callable[[], Case]:
    def build() -> Case:
        return submit_agenda_request(
            user(requester),
            find_body(),
            title="Bereikbaarheid van de campus",
            description="Graag bespreken.",
            requested_kind=AgendaItemKind.TER_BESPREKING,
        )

    return build


def follow_up(
    case_type: CaseType,
    owner: str,
    audience: Audience,
    shared_with: tuple[str, ...] = (),
    assignee: str | None = None,
) -> Callable[[], Case]:
    """An actiepunt or toezegging that the secretariat records for ``owner``'s organisation."""

    def build() -> Case:
        return create_follow_up(
            user(SECRETARIAAT),
            find_body(),
            case_type=case_type,
            title="Verkenning laadinfrastructuur",
            owner_organisation_id=organisation_of(owner),
            due_date=today() + timedelta(days=20),
            audience=audience,
            shared_with=[user(email).id for email in shared_with] or None,
            assignee_id=user(assignee).id if assignee else None,
        )

    return build


def dossier(audience: Audience) -> Callable[[], Case]:
    def build() -> Case:
        return create_dossier(user(SECRETARIAAT), find_body(), title="Netcapaciteit", audience=audience)

    return build


def nota(
    author: str, parafen: tuple[str, ...], beslisser: str | None, walk: tuple[tuple[str, str], ...] = ()
) -> Callable[[], Case]:
    """A nota of ``author`` (seen by the author's side) with this route, walked along ``walk``:
    (who, step) pairs fired with the engine."""

    def build() -> Case:
        writer = user(author)
        case = create_nota(writer, find_body(), title="Nota Brainport", kenmerk=None, description="Advies: akkoord.")
        for email in parafen:
            add_route_step(writer, case, user_id=user(email).id, capacity="paraaf")
        if beslisser is not None:
            add_route_step(writer, case, user_id=user(beslisser).id, capacity="beslisser", decides=True)
        for email, name in walk:
            engine.fire(user(email), case, name, reason="Gezien.")
        return case

    return build


def later_cycle() -> None:
    """A BO-Brainport cycle after the next one, for a request to move to."""
    new_meeting(today() + timedelta(days=230), location="Eindhoven")


#: What an allowed step needs beyond the case itself.
PREPARE: dict[tuple[CaseType, str], Callable[[], None]] = {
    (CaseType.AGENDAVERZOEK, "doorschuiven"): later_cycle,
}

# --- the situations and who may do what in them -----------------------------------------------------


@dataclass(frozen=True)
class Situation:
    case_type: CaseType
    #: Which case: whose, for whom (and for a nota: how far along its route).
    label: str
    state: str
    build: Callable[[], Case]
    #: Who sees the case.
    sees: frozenset[str]
    #: Per step: who may take it (a subset of ``sees``).
    may: dict[str, frozenset[str]]
    #: Steps whose guard holds them back in this situation (for whoever may take them).
    blocked: frozenset[str] = field(default_factory=frozenset)

    def make(self) -> Case:
        case = self.build()
        if case.state != self.state:
            place(SYSTEM, case, self.state)
        db.session.flush()
        assert case.state == self.state
        return case

    def __str__(self) -> str:
        return f"{self.case_type.value}/{self.label}/{self.state}"


def each_state(
    case_type: CaseType,
    label: str,
    build: Callable[[], Case],
    sees: frozenset[str],
    may: dict[str, frozenset[str]],
    blocked: frozenset[str] = frozenset(),
    states: tuple[str, ...] | None = None,
) -> list[Situation]:
    return [Situation(case_type, label, state, build, sees, may, blocked) for state in states or STATES[case_type]]


#: Without a postponement asked, there is none to grant or refuse; with one asked, no second one.
NOTHING_ASKED = frozenset({"uitstel_verlenen", "uitstel_weigeren"})
ALREADY_ASKED = frozenset({"uitstel_aanvragen"})


SITUATIONS: list[Situation] = []

# agendaverzoek: every step by the body's secretariat alone; the whole table sees a request.
ONLY_SECRETARIAAT = frozenset({SECRETARIAAT})
for label, requester in (("van-provincie", BRABANT), ("van-ezk", BELEID_EZK)):
    SITUATIONS += each_state(
        CaseType.AGENDAVERZOEK,
        label,
        agenda_request(requester),
        BO_MEMBERS,
        {
            "in_behandeling": ONLY_SECRETARIAAT,
            "agenderen": ONLY_SECRETARIAAT,
            "afwijzen": ONLY_SECRETARIAAT,
            "doorschuiven": ONLY_SECRETARIAAT,
        },
    )


def with_and_without_uitstel(
    case_type: CaseType,
    label: str,
    build: Callable[[], Case],
    sees: frozenset[str],
    may: dict[str, frozenset[str]],
    open_states: tuple[str, ...],
) -> list[Situation]:
    """An action or commitment in each state with no uitstel asked, and in each of ``open_states``
    (where uitstel can be asked) with uitstel asked."""
    asked = with_postponement_asked(build)
    return [
        *each_state(case_type, label, build, sees, may, NOTHING_ASKED),
        *each_state(case_type, f"{label}-uitstel-gevraagd", asked, sees, may, ALREADY_ASKED, open_states),
    ]


def follow_up_may(owner: str, owners: set[str], **reports: frozenset[str]) -> dict[str, frozenset[str]]:
    """Who may take each step of an action or commitment of ``owner``: its own ``reports``; the
    secretariat alone reopens it, lets it lapse and answers uitstel; only the owner's participants
    (``owners``) ask for uitstel, the secretariat too where it is the owner's (EZK's)."""
    return {
        **reports,
        "heropenen": ONLY_SECRETARIAAT,
        "laten_vervallen": ONLY_SECRETARIAAT,
        "uitstel_aanvragen": frozenset(owners | ({SECRETARIAAT} if owner in {BELEID_EZK, MINISTER} else set())),
        "uitstel_verlenen": ONLY_SECRETARIAAT,
        "uitstel_weigeren": ONLY_SECRETARIAAT,
    }


# actiepunt: the owning organisation's participants (deelnemer, secretariaat) start it and report it
# done; the secretariat alone confirms, reopens and lets it lapse. Auditors and waarnemers of the
# owner only read.
for label, owner, audience, shared, sees, owners in (
    ("provincie-overleg", BRABANT, Audience.OVERLEG, (), BO_MEMBERS, {BRABANT}),
    ("ezk-rijk", BELEID_EZK, Audience.RIJK, (), RIJK_MEMBERS, {BELEID_EZK, MINISTER}),
    # For the rijk only, though the province owns it: a regio user never sees a rijk case.
    ("provincie-rijk", BRABANT, Audience.RIJK, (), RIJK_MEMBERS, set()),
    # Vertrouwelijk, and the owner is not named: who cannot see it cannot report on it.
    (
        "eindhoven-vertrouwelijk",
        EINDHOVEN,
        Audience.VERTROUWELIJK,
        (BELEID_OCW,),
        frozenset({SECRETARIAAT, BELEID_OCW}),
        set(),
    ),
):
    owner_side = frozenset({SECRETARIAAT, *owners})
    may = follow_up_may(owner, owners, starten=owner_side, gereed_melden=owner_side, afronden=ONLY_SECRETARIAAT)
    build = follow_up(CaseType.ACTIEPUNT, owner, audience, shared)
    SITUATIONS += with_and_without_uitstel(CaseType.ACTIEPUNT, label, build, sees, may, ("open", "in_uitvoering"))

# toezegging: the owner's participants and the secretariat report it (partly) met; the secretariat
# alone reopens it and lets it lapse. Being its assignee (uitvoerder) gives a waarnemer no step.
for label, owner, audience, assignee, sees, owners in (
    ("ezk-rijk-uitvoerder-waarnemer", MINISTER, Audience.RIJK, DIRECTEUR, RIJK_MEMBERS, {BELEID_EZK, MINISTER}),
    ("provincie-overleg", BRABANT, Audience.OVERLEG, None, BO_MEMBERS, {BRABANT}),
):
    owner_side = frozenset({SECRETARIAAT, *owners})
    may = follow_up_may(owner, owners, deels_voldaan=owner_side, voldaan=owner_side)
    build = follow_up(CaseType.TOEZEGGING, owner, audience, assignee=assignee)
    SITUATIONS += with_and_without_uitstel(
        CaseType.TOEZEGGING, label, build, sees, may, ("openstaand", "deels_voldaan")
    )

# dossier: the secretariat closes and reopens it.
for label, audience, sees in (("overleg", Audience.OVERLEG, BO_MEMBERS), ("rijk", Audience.RIJK, RIJK_MEMBERS)):
    SITUATIONS += each_state(
        CaseType.DOSSIER,
        label,
        dossier(audience),
        sees,
        {"afsluiten": ONLY_SECRETARIAAT, "heropenen": ONLY_SECRETARIAAT},
    )


# nota: the author offers, presents and takes back; the signatory whose turn it is initials or returns;
# the decision-maker decides. Nobody else, not the secretariat either. A nota stays on its author's side.
def nota_may(
    author: str, at_turn: str | None = None, beslisser: str | None = None, *, concept: bool = False
) -> dict[str, frozenset[str]]:
    turn = frozenset({at_turn}) if at_turn else NOBODY
    decides = frozenset({beslisser}) if beslisser else NOBODY
    writer = frozenset({author})
    return {
        "aanbieden": writer if concept else NOBODY,
        "voorleggen": writer if concept else NOBODY,
        "paraferen": turn,
        "laatste_paraaf": turn,
        "terugsturen": turn,
        "besluiten": decides,
        "afwijzen": decides,
        "terugsturen_beslisser": decides,
        "terugnemen": NOBODY if concept else writer,
    }


def nota_situations(
    side: str, author: str, first: str, last: str, beslisser: str, sees: frozenset[str], *, full: bool
) -> list[Situation]:
    """A nota of ``author`` with the parafen of ``first`` and ``last`` and ``beslisser`` deciding, at
    every point of its route (``full``: also the returns and the dead ends)."""
    route = (first, last)
    offered = ((author, "aanbieden"),)
    first_done = (*offered, (first, "paraferen"))
    to_decide = (*first_done, (last, "laatste_paraaf"))

    def at(
        name: str,
        state: str,
        walk: tuple[tuple[str, str], ...],
        may: dict[str, frozenset[str]],
        blocked: tuple[str, ...] = (),
        decides: str | None = beslisser,
    ) -> Situation:
        build = nota(author, route, decides, walk)
        return Situation(CaseType.NOTA, f"{side}-{name}", state, build, sees, may, blocked=frozenset(blocked))

    concept = nota_may(author, concept=True)
    situations = [
        at("nieuw", "concept", (), concept, ("voorleggen",)),  # no paraaf given yet
        # another paraaf follows the first: not yet the last paraaf
        at("eerste-paraaf", "ter_parafering", offered, nota_may(author, at_turn=first), ("laatste_paraaf",)),
        # this is the last one: no plain paraaf
        at("laatste-paraaf", "ter_parafering", first_done, nota_may(author, at_turn=last), ("paraferen",)),
        at("ter-beslissing", "ter_beslissing", to_decide, nota_may(author, beslisser=beslisser)),
        at("besloten", "besloten", (*to_decide, (beslisser, "besluiten")), nota_may(author)),
    ]
    if full:
        situations += [
            # nobody to decide
            at("zonder-beslisser", "concept", (), concept, ("aanbieden", "voorleggen"), decides=None),
            # every paraaf holds: on to the decision
            at("parafen-compleet", "concept", (*to_decide, (author, "terugnemen")), concept, ("aanbieden",)),
            # the returned paraaf is open again
            at("teruggestuurd", "concept", (*first_done, (last, "terugsturen")), concept, ("voorleggen",)),
            # the parafen still hold
            at(
                "teruggestuurd-door-beslisser",
                "concept",
                (*to_decide, (beslisser, "terugsturen_beslisser")),
                concept,
                ("aanbieden",),
            ),
            at("afgewezen", "afgewezen", (*to_decide, (beslisser, "afwijzen")), nota_may(author)),
        ]
    return situations


SITUATIONS += nota_situations("rijk", BELEID_EZK, DIRECTEUR, DG, MINISTER, RIJK_MEMBERS, full=True)
# The regio's nota has an auditor on its route: a turn, not a role, lets one initial.
SITUATIONS += nota_situations("regio", BRABANT, AUDITOR_BRABANT, EINDHOVEN, BRAINPORT, REGIO_MEMBERS, full=False)


class Outcome(enum.Enum):
    FIRES = "fires"
    BLOCKED = "blocked by its guard"
    NOT_PERMITTED = "not permitted"
    WRONG_STATE = "wrong state"
    NOT_VISIBLE = "not visible"


def expected(situation: Situation, name: str, email: str) -> Outcome:
    if email not in situation.sees:
        return Outcome.NOT_VISIBLE
    if situation.state not in STEPS[situation.case_type][name].sources:
        return Outcome.WRONG_STATE
    if email not in situation.may[name]:
        return Outcome.NOT_PERMITTED
    return Outcome.BLOCKED if name in situation.blocked else Outcome.FIRES


def _check_tables() -> None:
    for situation in SITUATIONS:
        assert set(situation.may) == set(STEPS[situation.case_type]), situation
        for name, people in situation.may.items():
            assert people <= situation.sees, (str(situation), name, "may fire what they cannot see")


_check_tables()


def _leaves(situation: Situation, name: str) -> bool:
    return situation.state in STEPS[situation.case_type][name].sources


#: Where the person matters (the step leaves the situation's state): one test per person.
CASES = [
    pytest.param(situation, name, email, id=f"{situation}/{name}/{email}")
    for situation in SITUATIONS
    for name in STEPS[situation.case_type]
    if _leaves(situation, name)
    for email in PERSONAS
]
#: Where the state alone refuses the step: one test per step, every person trying it in turn.
WRONG_STATE_CASES = [
    pytest.param(situation, name, id=f"{situation}/{name}")
    for situation in SITUATIONS
    for name in STEPS[situation.case_type]
    if not _leaves(situation, name)
]

# --- helpers ----------------------------------------------------------------------------------------


def snapshot(case: Case) -> tuple[Any, ...]:
    """What a refused step must leave alone, as the database has it."""
    row = db.session.execute(
        select(
            Case.state, Case.closed_at, Case.cycle_id, Case.agenda_item_id, Case.due_date, Case.requested_due_date
        ).where(Case.id == case.id)
    ).one()
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id))
    steps = db.session.execute(
        select(RouteStep.id, RouteStep.status, RouteStep.approved_version, RouteStep.comment)
        .where(RouteStep.case_id == case.id)
        .order_by(RouteStep.position)
    ).all()
    return tuple(row), events, [tuple(s) for s in steps]


def details_for(name: str) -> dict[str, Any] | None:
    return DETAILS[name]() if name in DETAILS else None


def reason_for(case_type: CaseType, name: str) -> str | None:
    return None if STEPS[case_type][name].reason is Reason.NONE else "Zo afgesproken in het overleg."


# --- the matrix ---------------------------------------------------------------------------------------


def test_the_tables_name_every_declared_state_and_step():
    """A step or state declared in the code but not in the rules above would go untested."""
    assert set(STEPS) == set(WORKFLOWS) == set(STATES)
    for case_type, workflow in WORKFLOWS.items():
        assert set(workflow.states) == set(STATES[case_type]), case_type
        assert {t.name for t in workflow.transitions} == set(STEPS[case_type]), case_type
        assert workflow.closed == CLOSED[case_type], case_type
        covered = {(s.case_type, s.state) for s in SITUATIONS}
        assert {(case_type, state) for state in STATES[case_type]} <= covered, case_type


def attempt(situation: Situation, case: Case, name: str, email: str) -> None:
    """Let ``email`` try step ``name`` on ``case`` and check the outcome the rules give."""
    outcome = expected(situation, name, email)
    step_ = STEPS[situation.case_type][name]
    actor = user(email)
    transition = WORKFLOWS[situation.case_type].transition(name)
    assert transition is not None, f"{name} is not declared"
    reason = reason_for(situation.case_type, name)
    available = {t.name for t in engine.available_transitions(actor, case)}

    if outcome is Outcome.FIRES:
        assert engine.may_fire(actor, case, transition), f"{email} should be allowed to {name}"
        assert name in available, f"{name} is not offered to {email}"
        if prepare := PREPARE.get((situation.case_type, name)):
            prepare()
        target = step_.leads_from(situation.state)
        event = engine.fire(actor, case, name, reason=reason, details=details_for(name))
        assert case.state == target
        assert (event.transition, event.from_state, event.to_state) == (name, situation.state, target)
        assert event.actor_id == actor.id and event.note == reason
        assert (case.closed_at is not None) is (target in CLOSED[situation.case_type])
        assert snapshot(case)[0][0] == target
        return

    before = snapshot(case)
    assert name not in available, f"{name} is offered to {email}"
    if outcome is Outcome.NOT_VISIBLE:
        assert not engine.may_fire(actor, case, transition), f"{email} cannot even see the case"
        error: type[DomainError] = NotVisible
    elif outcome is Outcome.WRONG_STATE:
        error = InvalidTransition
    elif outcome is Outcome.BLOCKED:
        assert engine.may_fire(actor, case, transition), f"{email} should be allowed to {name}"
        error = InvalidTransition
    else:
        assert not engine.may_fire(actor, case, transition), f"{email} should not be allowed to {name}"
        error = NotPermitted
    try:
        engine.fire(actor, case, name, reason=reason, details=details_for(name))
    except DomainError as refused:
        assert type(refused) is error, f"expected {outcome.value} ({error.__name__}), got {refused!r}"
        if outcome is Outcome.WRONG_STATE:
            assert "kan niet bij" in refused.message
    else:
        raise AssertionError(f"expected {outcome.value} ({error.__name__}), but {email} could {name}")
    assert case.state == situation.state
    assert snapshot(case) == before


@pytest.mark.parametrize(("situation", "name", "email"), CASES)
def test_each_person_may_take_each_step_as_the_rules_say(app, situation: Situation, name: str, email: str):
    with in_app(app):
        attempt(situation, situation.make(), name, email)


@pytest.mark.parametrize(("situation", "name"), WRONG_STATE_CASES)
def test_a_step_from_a_state_it_does_not_leave_is_refused_to_everyone(app, situation: Situation, name: str):
    """Whoever tries: ``InvalidTransition``, or ``NotVisible`` for who cannot see the case."""
    failures = []
    with in_app(app):
        case = situation.make()
        for email in PERSONAS:
            with db.session.begin_nested() as savepoint:
                try:
                    attempt(situation, case, name, email)
                except AssertionError as failed:
                    failures.append(f"{email}: {str(failed).splitlines()[0]}")
                savepoint.rollback()
    assert not failures, f"{situation}/{name}:\n" + "\n".join(failures)


# --- reasons --------------------------------------------------------------------------------------------


def _first_firing(case_type: CaseType, name: str) -> tuple[Situation, str]:
    for situation in SITUATIONS:
        if situation.case_type is not case_type:
            continue
        for email in PERSONAS:
            if expected(situation, name, email) is Outcome.FIRES:
                return situation, email
    raise AssertionError(f"no situation in which {case_type.value}/{name} fires")


REASON_CASES = [
    pytest.param(*_first_firing(case_type, name), name, id=f"{case_type.value}/{name}")
    for case_type, steps in STEPS.items()
    for name, s in steps.items()
    if s.reason is Reason.REQUIRED
]


@pytest.mark.parametrize(("situation", "email", "name"), REASON_CASES)
@pytest.mark.parametrize("reason", [None, "", "   \n"], ids=["none", "empty", "blank"])
def test_a_step_that_asks_for_a_reason_is_refused_without_one(app, situation, email, name, reason):
    with in_app(app):
        case = situation.make()
        before = snapshot(case)
        with pytest.raises(DomainError) as refused:
            engine.fire(user(email), case, name, reason=reason, details=details_for(name))
        assert type(refused.value) is DomainError and refused.value.field == "reason"
        assert case.state == situation.state and snapshot(case) == before


# --- the nota's guards ------------------------------------------------------------------------------------


def names_of(person: Any, case: Case) -> set[str]:
    return {t.name for t in engine.available_transitions(person, case)}


def _rijk_nota(*, beslisser: bool = True) -> Case:
    return nota(BELEID_EZK, (DIRECTEUR, DG), MINISTER if beslisser else None)()


def test_a_nota_without_a_decision_maker_can_be_neither_offered_nor_presented(app):
    with in_app(app):
        case = _rijk_nota(beslisser=False)
        author = user(BELEID_EZK)
        assert engine.available_transitions(author, case) == []
        for name in ("aanbieden", "voorleggen"):
            with pytest.raises(InvalidTransition, match="nog geen beslisser"):
                engine.fire(author, case, name)
        assert case.state == "concept"


def test_a_nota_is_presented_only_when_every_paraaf_holds(app):
    with in_app(app):
        case = _rijk_nota()
        author = user(BELEID_EZK)
        with pytest.raises(InvalidTransition, match="Niet alle parafen staan"):
            engine.fire(author, case, "voorleggen")
        assert names_of(author, case) == {"aanbieden"}

        engine.fire(author, case, "aanbieden")
        engine.fire(user(DIRECTEUR), case, "paraferen")
        engine.fire(author, case, "terugnemen", reason="Nog een alinea.")
        with pytest.raises(InvalidTransition, match="Niet alle parafen staan"):
            engine.fire(author, case, "voorleggen")  # the second paraaf is still open

        engine.fire(author, case, "aanbieden")
        engine.fire(user(DG), case, "laatste_paraaf")
        engine.fire(author, case, "terugnemen", reason="Nog een alinea.")
        assert names_of(author, case) == {"voorleggen"}
        with pytest.raises(InvalidTransition, match="Alle parafen staan al"):
            engine.fire(author, case, "aanbieden")

        # A new text voids the parafen: they are open again.
        edit_nota(author, case, title=case.title, kenmerk=None, description="Advies: akkoord, met een alinea.")
        with pytest.raises(InvalidTransition, match="Niet alle parafen staan"):
            engine.fire(author, case, "voorleggen")
        engine.fire(author, case, "aanbieden")
        assert engine.available_transitions(user(DIRECTEUR), case)


def test_the_guard_chooses_between_paraferen_and_the_last_paraaf(app):
    with in_app(app):
        case = _rijk_nota()
        author, directeur, dg, minister = (user(e) for e in (BELEID_EZK, DIRECTEUR, DG, MINISTER))
        engine.fire(author, case, "aanbieden")

        assert names_of(directeur, case) == {"paraferen", "terugsturen"}
        assert engine.available_transitions(dg, case) == engine.available_transitions(minister, case) == []
        with pytest.raises(InvalidTransition, match="volgen er nog meer"):
            engine.fire(directeur, case, "laatste_paraaf")
        engine.fire(directeur, case, "paraferen")
        assert case.state == "ter_parafering"

        assert names_of(dg, case) == {"laatste_paraaf", "terugsturen"}
        assert engine.available_transitions(directeur, case) == []
        with pytest.raises(InvalidTransition, match="laatste paraaf"):
            engine.fire(dg, case, "paraferen")
        engine.fire(dg, case, "laatste_paraaf")
        assert case.state == "ter_beslissing"

        assert names_of(minister, case) == {"besluiten", "afwijzen", "terugsturen_beslisser"}
        statuses = db.session.scalars(
            select(RouteStep.status).where(RouteStep.case_id == case.id).order_by(RouteStep.position)
        ).all()
        assert statuses == [StepStatus.AKKOORD, StepStatus.AKKOORD, StepStatus.OPEN]


def test_after_a_return_the_signatory_who_returned_it_is_at_turn_again(app):
    with in_app(app):
        case = _rijk_nota()
        author, directeur, dg = (user(e) for e in (BELEID_EZK, DIRECTEUR, DG))
        engine.fire(author, case, "aanbieden")
        engine.fire(directeur, case, "paraferen")
        engine.fire(dg, case, "terugsturen", reason="Financiële paragraaf ontbreekt.")
        assert case.state == "concept"
        engine.fire(author, case, "aanbieden")
        # The first paraaf still holds (the text did not change): the second is now the last.
        assert engine.available_transitions(directeur, case) == []
        assert names_of(dg, case) == {"laatste_paraaf", "terugsturen"}
