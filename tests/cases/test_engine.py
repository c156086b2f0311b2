"""The case engine enforces each workflow: who may take which step, from which state, to which.

The expected workflows are written out below, step by step, from README.md's *Cases* table and
DESIGN.md's *Workflows*, not read from ``cases/workflows.py``: the declaration is what is under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from cases import engine
from cases.models import Case, CaseType
from cases.services.cases import submit_agenda_request
from cases.services.dossiers import create_dossier
from cases.workflows import SAME_STATE, WORKFLOWS
from core.dates import today
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.extensions import db
from meetings.models import AgendaItemKind, Cycle
from tests.cases.people import OWNER, SEC
from tests.conftest import find_body, in_app, new_action, new_meeting, user

EVERYONE = [
    SEC,
    "beleid@ezk.test",
    "beleid@ocw.test",
    "beleid@ienw.test",
    OWNER,
    "economie@eindhoven.test",
    "directie@brainportdevelopment.test",
    "auditor@ezk.test",
    "auditor@noord-brabant.test",
    "beheer@regiotafel.test",
]


# --- the workflows as README.md describes them ------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step: from which states, to which (``STAYS``: where it stands), taken by whom, held back by
    which guard, asking for which fields, and with which effect besides the change of state.

    Who: ``secretariaat`` (the body's secretariat), ``eigenaar`` (the participants of the organisation
    that owns the case), or a person of the case: ``auteur``, ``aan_de_beurt``, ``beslisser``."""

    sources: frozenset[str]
    target: str
    by: frozenset[str]
    guard: str | None = None
    requires: frozenset[str] = frozenset()
    effect: str | None = None


STAYS = "(blijft)"


def step(sources: str, target: str, by: str, guard: str = "", requires: str = "", effect: str = "") -> Step:
    return Step(
        frozenset(sources.split()),
        target,
        frozenset(by.split()),
        guard or None,
        frozenset(requires.split()),
        effect or None,
    )


@dataclass(frozen=True)
class Flow:
    states: tuple[str, ...]  # the first is where a case starts
    closed: frozenset[str]
    steps: dict[str, Step]
    #: Where a passed due date makes the case overdue (the owner still has to deliver).
    overdue_in: frozenset[str] = frozenset()


def uitstel(open_states: str) -> dict[str, Step]:
    """The owner asks for a later date (with a reason and the date), once at a time; the secretariat
    grants it or refuses it (with a reason); the case stays where it stands."""
    return {
        "uitstel_aanvragen": step(
            open_states, STAYS, "eigenaar", "geen_uitstel_gevraagd", "reason due_date", "uitstel_gevraagd"
        ),
        "uitstel_verlenen": step(open_states, STAYS, "secretariaat", "uitstel_gevraagd", "", "uitstel_verleend"),
        "uitstel_weigeren": step(open_states, STAYS, "secretariaat", "uitstel_gevraagd", "reason", "uitstel_geweigerd"),
    }


EXPECTED: dict[CaseType, Flow] = {
    # ingediend → in behandeling → geagendeerd | afgewezen (reason) | doorgeschoven (reason; to the next
    # cycle); the secretariat; agenderen turns the request into an agenda item.
    CaseType.AGENDAVERZOEK: Flow(
        states=("ingediend", "in_behandeling", "doorgeschoven", "geagendeerd", "afgewezen"),
        closed=frozenset({"geagendeerd", "afgewezen"}),
        steps={
            "in_behandeling": step("ingediend doorgeschoven", "in_behandeling", "secretariaat"),
            "agenderen": step(
                "ingediend in_behandeling doorgeschoven", "geagendeerd", "secretariaat", effect="put_on_agenda"
            ),
            "afwijzen": step("ingediend in_behandeling doorgeschoven", "afgewezen", "secretariaat", requires="reason"),
            "doorschuiven": step(
                "ingediend in_behandeling doorgeschoven",
                "doorgeschoven",
                "secretariaat",
                requires="reason",
                effect="move_to_next_cycle",
            ),
        },
    ),
    # open → in uitvoering → gereed gemeld → afgerond | vervallen (reason): the owner starts and reports
    # gereed; the secretariat confirms, reopens (reason) or lets it lapse; uitstel.
    CaseType.ACTIEPUNT: Flow(
        states=("open", "in_uitvoering", "gereed", "afgerond", "vervallen"),
        closed=frozenset({"afgerond", "vervallen"}),
        overdue_in=frozenset({"open", "in_uitvoering"}),
        steps={
            "starten": step("open", "in_uitvoering", "secretariaat eigenaar"),
            "gereed_melden": step("open in_uitvoering", "gereed", "secretariaat eigenaar"),
            "afronden": step("gereed", "afgerond", "secretariaat"),
            "heropenen": step("gereed", "in_uitvoering", "secretariaat", requires="reason"),
            "laten_vervallen": step("open in_uitvoering gereed", "vervallen", "secretariaat", requires="reason"),
            **uitstel("open in_uitvoering"),
        },
    ),
    # openstaand → deels voldaan → voldaan | vervallen: the owner or the secretariat reports (with how);
    # the secretariat reopens (reason) or lets it lapse; uitstel.
    CaseType.TOEZEGGING: Flow(
        states=("openstaand", "deels_voldaan", "voldaan", "vervallen"),
        closed=frozenset({"voldaan", "vervallen"}),
        overdue_in=frozenset({"openstaand", "deels_voldaan"}),
        steps={
            "deels_voldaan": step("openstaand", "deels_voldaan", "secretariaat eigenaar", requires="reason"),
            "voldaan": step("openstaand deels_voldaan", "voldaan", "secretariaat eigenaar", requires="reason"),
            "heropenen": step("voldaan", "deels_voldaan", "secretariaat", requires="reason"),
            "laten_vervallen": step("openstaand deels_voldaan", "vervallen", "secretariaat", requires="reason"),
            **uitstel("openstaand deels_voldaan"),
        },
    ),
    # concept → ter parafering → ter beslissing → besloten | afgewezen: the author offers it; each
    # signatory in turn initials it or returns it with a comment; the decision-maker decides last.
    CaseType.NOTA: Flow(
        states=("concept", "ter_parafering", "ter_beslissing", "besloten", "afgewezen"),
        closed=frozenset({"besloten", "afgewezen"}),
        steps={
            "aanbieden": step("concept", "ter_parafering", "auteur", "parafen_open"),
            "voorleggen": step("concept", "ter_beslissing", "auteur", "parafen_compleet"),
            "paraferen": step("ter_parafering", "ter_parafering", "aan_de_beurt", "niet_laatste_paraaf", "", "paraaf"),
            "laatste_paraaf": step("ter_parafering", "ter_beslissing", "aan_de_beurt", "laatste_paraaf", "", "paraaf"),
            "terugsturen": step("ter_parafering", "concept", "aan_de_beurt", "", "reason", "paraaf_geweigerd"),
            "besluiten": step("ter_beslissing", "besloten", "beslisser", effect="beslissing"),
            "afwijzen": step("ter_beslissing", "afgewezen", "beslisser", requires="reason", effect="beslissing"),
            "terugsturen_beslisser": step("ter_beslissing", "concept", "beslisser", "", "reason", "paraaf_geweigerd"),
            "terugnemen": step("ter_parafering ter_beslissing", "concept", "auteur", requires="reason"),
        },
    ),
    # lopend ⇄ afgesloten: the secretariat.
    CaseType.DOSSIER: Flow(
        states=("lopend", "afgesloten"),
        closed=frozenset({"afgesloten"}),
        steps={
            "afsluiten": step("lopend", "afgesloten", "secretariaat"),
            "heropenen": step("afgesloten", "lopend", "secretariaat", requires="reason"),
        },
    ),
}


def declared(case_type: CaseType) -> Flow:
    """The declaration in ``cases.workflows``, in the terms of the table above."""
    workflow = WORKFLOWS[case_type]

    def by(t) -> frozenset[str]:
        who = {role.value for role in t.roles} | ({"eigenaar"} if t.owner else set()) | {t.person} - {None}
        return frozenset(who | ({f"zijde:{side.value}" for side in t.sides} if t.sides else set()))

    return Flow(
        states=tuple(workflow.states),
        closed=workflow.closed,
        overdue_in=workflow.overdue_in,
        steps={
            t.name: Step(
                t.sources,
                STAYS if t.target == SAME_STATE else t.target,
                by(t),
                t.guard,
                frozenset(t.requires),
                t.effect,
            )
            for t in workflow.transitions
        },
    )


@pytest.mark.parametrize("case_type", list(CaseType), ids=str)
def test_each_workflow_is_declared_as_the_readme_describes_it(case_type):
    assert set(EXPECTED) == set(CaseType), "a case type without a workflow written out here"
    expected, got = EXPECTED[case_type], declared(case_type)
    assert got.states == expected.states
    assert WORKFLOWS[case_type].initial == expected.states[0]
    assert (got.closed, got.overdue_in) == (expected.closed, expected.overdue_in)
    assert set(got.steps) == set(expected.steps)
    for name, step_ in expected.steps.items():
        assert got.steps[name] == step_, name


# --- the engine holds to them -----------------------------------------------------------------------


def new_request() -> Case:
    case = submit_agenda_request(
        user(OWNER),
        find_body(),
        title="Bereikbaarheid van de campus",
        description="Graag bespreken.",
        requested_kind=AgendaItemKind.TER_BESPREKING,
    )
    db.session.flush()
    return case


def new_dossier() -> Case:
    case = create_dossier(user(SEC), find_body(), title="Laadinfrastructuur")
    db.session.flush()
    return case


NEW = {
    CaseType.AGENDAVERZOEK: new_request,
    CaseType.ACTIEPUNT: new_action,
    CaseType.TOEZEGGING: lambda: new_action(case_type=CaseType.TOEZEGGING),
    CaseType.DOSSIER: new_dossier,
}


def later_cycle() -> Cycle:
    """A BO-Brainport cycle after the demo's next one, for requests to move to."""
    return new_meeting(today() + timedelta(days=230), location="Eindhoven").cycle


def may_take(email: str, step_: Step) -> bool:
    """Who may take a step of a case of BO-Brainport owned by the province: its secretariat where the
    secretariat takes it, the province's deelnemer where the owner does (its auditor only reads)."""
    return (email == SEC and "secretariaat" in step_.by) or (email == OWNER and "eigenaar" in step_.by)


STEPS_BY_ROLE = [
    (case_type, name)
    for case_type in (CaseType.AGENDAVERZOEK, CaseType.ACTIEPUNT, CaseType.TOEZEGGING, CaseType.DOSSIER)
    for name in EXPECTED[case_type].steps
]


@pytest.mark.parametrize(("case_type", "name"), STEPS_BY_ROLE, ids=lambda v: str(v))
def test_each_step_is_for_the_secretariat_or_the_owner_as_written(app, case_type, name):
    expected = EXPECTED[case_type].steps[name]
    with in_app(app):
        case = NEW[case_type]()
        transition = WORKFLOWS[case_type].transition(name)
        assert transition is not None, f"{case_type}: no step {name!r}"
        for email in EVERYONE:
            assert engine.may_fire(user(email), case, transition) is may_take(email, expected), email


def test_the_declared_workflows_are_consistent():
    for workflow in WORKFLOWS.values():
        assert workflow.initial in workflow.states
        for transition in workflow.transitions:
            assert transition.sources <= set(workflow.states), transition.name
            assert transition.target in workflow.states or transition.target == SAME_STATE, transition.name
            assert transition.roles or transition.owner or transition.person, f"{transition.name}: nobody may fire it"
            assert {"reason", "due_date"} >= set(transition.requires), transition.name
            assert set(transition.requires) - {"reason"} <= set(transition.asks), transition.name
        reachable = {workflow.initial} | {t.target for t in workflow.transitions if t.target != SAME_STATE}
        assert reachable == set(workflow.states), workflow.case_type


def test_every_effect_guard_and_person_a_workflow_names_exists(app):
    """The app (its views import ``cases.services.nota`` and ``cases.services.cases``) has registered them all."""
    from cases.workflows import PEOPLE

    effects, guards = engine.declared_names()
    for workflow in WORKFLOWS.values():
        assert set(workflow.created_notifies) <= set(PEOPLE), workflow.case_type
        assert {r.to for r in workflow.reminders} <= set(PEOPLE), workflow.case_type
        assert workflow.overdue_in <= set(workflow.states) - workflow.closed, workflow.case_type
        for transition in workflow.transitions:
            assert transition.effect is None or transition.effect in effects, transition.name
            assert transition.guard is None or transition.guard in guards, transition.name
            assert transition.person is None or transition.person in PEOPLE, transition.name
            assert set(transition.notifies) <= set(PEOPLE), transition.name


@pytest.mark.parametrize("case_type", list(NEW), ids=str)
def test_every_step_from_every_state_leads_where_written_or_is_refused(app, case_type):
    """Put a case in each state and try every step as the secretariat (the owner asks for a
    postponement before the secretariat answers it): from a state the table names the step leads to its
    target; from any other it is refused and the case stays."""
    flow = EXPECTED[case_type]
    with in_app(app):
        sec, owner = user(SEC), user(OWNER)
        asked = {"due_date": today() + timedelta(days=40)}
        assert later_cycle().id  # somewhere for doorschuiven to move a request to
        for state in flow.states:
            for name, step_ in flow.steps.items():
                case = NEW[case_type]()
                case.state = state  # placed directly: the engine is under test, not the path here
                if state in step_.sources:
                    if name.startswith("uitstel_"):
                        engine.fire(owner, case, "uitstel_aanvragen", reason="Later.", details=asked)
                    if name != "uitstel_aanvragen":
                        engine.fire(sec, case, name, reason="Omdat het moet.")
                    assert case.state == (state if step_.target == STAYS else step_.target), (state, name)
                else:
                    with pytest.raises(InvalidTransition, match="kan niet bij een"):
                        engine.fire(sec, case, name, reason="Omdat het moet.")
                    assert case.state == state
        db.session.rollback()


def test_overdue_is_derived_from_the_due_date_and_the_states_written(app):
    for case_type in (CaseType.ACTIEPUNT, CaseType.TOEZEGGING):
        flow = EXPECTED[case_type]
        with in_app(app):
            case = new_action(case_type=case_type)
            for state in flow.states:
                case.state = state
                case.due_date = today() + timedelta(days=1)
                assert not engine.is_overdue(case), (case_type, state)
                case.due_date = today() - timedelta(days=1)
                assert engine.is_overdue(case) is (state in flow.overdue_in), (case_type, state)
            db.session.rollback()


def test_an_unknown_step_and_a_missing_reason_are_refused_clearly(app):
    with in_app(app):
        sec = user(SEC)
        case = new_request()
        with pytest.raises(InvalidTransition, match="kent de stap 'verbranden' niet"):
            engine.fire(sec, case, "verbranden")
        with pytest.raises(DomainError, match="Geef een reden"):
            engine.fire(sec, case, "afwijzen", reason="   ")
        assert case.state == "ingediend"


def test_a_member_may_not_fire_the_secretariats_steps(app):
    with in_app(app):
        case = new_request()
        with pytest.raises(NotPermitted, match="U mag 'Agenderen' niet doen"):
            engine.fire(user(OWNER), case, "agenderen")


def test_doorschuiven_needs_a_next_cycle_and_moves_the_request_there(app):
    with in_app(app):
        sec = user(SEC)
        case = new_request()
        with pytest.raises(DomainError, match="nog geen volgende cyclus"):
            engine.fire(sec, case, "doorschuiven", reason="Volgende keer.")
        assert case.state == "ingediend"
        later = later_cycle()
        engine.fire(sec, case, "doorschuiven", reason="Volgende keer.")
        assert case.state == "doorgeschoven" and case.cycle_id == later.id
        engine.fire(sec, case, "agenderen")
        assert case.agenda_item_id is not None


def test_agenda_requests_close_at_their_milestone_for_members(app, clock):
    from datetime import datetime

    from core.dates import AMSTERDAM
    from meetings.models import Milestone, MilestoneKind

    with in_app(app):
        closes = db.session.scalars(
            select(Milestone.due_date)
            .where(Milestone.kind == MilestoneKind.AGENDAVERZOEKEN_SLUITEN, Milestone.due_date >= today())
            .order_by(Milestone.due_date)
        ).first()
    clock(datetime.combine(closes, time(17), tzinfo=AMSTERDAM))
    with in_app(app):
        new_request()  # the last day still counts
    clock(datetime.combine(closes + timedelta(days=1), time(9), tzinfo=AMSTERDAM))
    with in_app(app), pytest.raises(DomainError, match="Agendaverzoeken voor de cyclus"):
        new_request()


def test_the_owner_reports_done_through_the_web_and_another_member_is_refused(app, clients):
    with in_app(app):
        case_id = new_action().id
    brabant, eindhoven = clients(OWNER), clients("economie@eindhoven.test")
    assert eindhoven.post_form(f"/zaken/{case_id}/stap/gereed_melden").status_code == 403
    assert brabant.post_form(f"/zaken/{case_id}/stap/gereed_melden").status_code == 302
    assert (
        brabant.post_form(f"/zaken/{case_id}/voortgang", {"text": "Rapport ligt bij de netbeheerder."}).status_code
        == 302
    )
    page = clients("secretariaat@ezk.test").get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "gereed gemeld" in page and "Rapport ligt bij de netbeheerder." in page and "Afronden" in page
