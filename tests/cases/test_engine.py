"""The case engine enforces each declared workflow: who may take which step, from which state."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from cases import engine
from cases.models import Case, CaseType
from cases.services import create_follow_up, submit_agenda_request
from cases.workflows import ACTIEPUNT, AGENDAVERZOEK, SAME_STATE, WORKFLOWS
from core.dates import today
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.extensions import db
from meetings.models import AgendaItemKind, Body, Cycle
from meetings.services import cycles
from tests.conftest import in_app, user

EVERYONE = [
    "secretariaat@ezk.test",
    "beleid@ezk.test",
    "beleid@ocw.test",
    "beleid@ienw.test",
    "economie@noord-brabant.test",
    "economie@eindhoven.test",
    "directie@brainportdevelopment.test",
    "auditor@ezk.test",
    "auditor@noord-brabant.test",
    "beheer@regiotafel.test",
]


def bo() -> Body:
    return db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()


def new_request() -> Case:
    case = submit_agenda_request(
        user("economie@noord-brabant.test"),
        bo(),
        title="Bereikbaarheid van de campus",
        description="Graag bespreken.",
        requested_kind=AgendaItemKind.TER_BESPREKING,
    )
    db.session.flush()
    return case


def new_action() -> Case:
    case = create_follow_up(
        user("secretariaat@ezk.test"),
        bo(),
        case_type=CaseType.ACTIEPUNT,
        title="Verkenning laadinfrastructuur",
        owner_organisation_id=user("economie@noord-brabant.test").organisation_id,
        due_date=today() + timedelta(days=20),
    )
    db.session.flush()
    return case


def later_cycle() -> Cycle:
    """A BO-Brainport cycle after the demo's next one, for requests to move to."""
    cycle = cycles.create_cycle(
        user("secretariaat@ezk.test"),
        bo(),
        meeting_date=today() + timedelta(days=230),
        start_time=time(10),
        end_time=time(12),
        location="Eindhoven",
        chair="Minister van EZK",
    )
    db.session.flush()
    return cycle


def expected_agendaverzoek(email: str) -> bool:
    return email == "secretariaat@ezk.test"


def expected_action(email: str, owner_step: bool, name: str = "") -> bool:
    if name == "uitstel_aanvragen":
        # Only the owner asks for a postponement; the secretariat moves the date itself.
        return email == "economie@noord-brabant.test"
    if email == "secretariaat@ezk.test":
        return True
    # The owner is the province: its deelnemer may report; its auditor only reads.
    return owner_step and email == "economie@noord-brabant.test"


@pytest.mark.parametrize("transition", AGENDAVERZOEK.transitions, ids=lambda t: t.name)
def test_only_the_secretariat_handles_agenda_requests(app, transition):
    with in_app(app):
        case = new_request()
        for email in EVERYONE:
            assert engine.may_fire(user(email), case, transition) is expected_agendaverzoek(email), email


@pytest.mark.parametrize("transition", ACTIEPUNT.transitions, ids=lambda t: t.name)
def test_the_owner_reports_on_an_action_and_the_secretariat_confirms(app, transition):
    with in_app(app):
        case = new_action()
        for email in EVERYONE:
            expected = expected_action(email, transition.owner, transition.name)
            assert engine.may_fire(user(email), case, transition) is expected, (email, transition.name)


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
    """The app (its views import ``cases.nota`` and ``cases.services``) has registered them all."""
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


@pytest.mark.parametrize("case_type", [CaseType.AGENDAVERZOEK, CaseType.ACTIEPUNT])
def test_every_transition_from_every_state_is_allowed_or_refused_as_declared(app, case_type):
    """Put a case in each state and try every step as the secretariat (who may fire all of them but the
    owner's request for a postponement, which the owner makes before the secretariat answers it)."""
    workflow = WORKFLOWS[case_type]
    with in_app(app):
        sec, owner = user("secretariaat@ezk.test"), user("economie@noord-brabant.test")
        asked = {"due_date": today() + timedelta(days=40)}
        later = later_cycle()
        assert later.id
        for state in workflow.states:
            for transition in workflow.transitions:
                case = new_request() if case_type is CaseType.AGENDAVERZOEK else new_action()
                case.state = state  # placed directly: the engine is under test, not the path here
                if state in transition.sources:
                    if transition.name == "uitstel_aanvragen":
                        engine.fire(owner, case, transition.name, reason="Later.", details=asked)
                    else:
                        if transition.name.startswith("uitstel_"):
                            engine.fire(owner, case, "uitstel_aanvragen", reason="Later.", details=asked)
                        engine.fire(sec, case, transition.name, reason="Omdat het moet.")
                    expected = state if transition.target == SAME_STATE else transition.target
                    assert case.state == expected
                else:
                    with pytest.raises(InvalidTransition, match="kan niet bij een"):
                        engine.fire(sec, case, transition.name, reason="Omdat het moet.")
                    assert case.state == state
        db.session.rollback()


def test_an_unknown_step_and_a_missing_reason_are_refused_clearly(app):
    with in_app(app):
        sec = user("secretariaat@ezk.test")
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
            engine.fire(user("economie@noord-brabant.test"), case, "agenderen")


def test_doorschuiven_needs_a_next_cycle_and_moves_the_request_there(app):
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        case = new_request()
        with pytest.raises(DomainError, match="nog geen volgende cyclus"):
            engine.fire(sec, case, "doorschuiven", reason="Volgende keer.")
        assert case.state == "ingediend"
        later = later_cycle()
        engine.fire(sec, case, "doorschuiven", reason="Volgende keer.")
        assert case.state == "doorgeschoven" and case.cycle_id == later.id
        engine.fire(sec, case, "agenderen")
        assert case.agenda_item_id is not None


def test_overdue_is_derived_from_the_due_date_and_the_state(app):
    with in_app(app):
        case = new_action()
        assert not engine.is_overdue(case)
        case.due_date = today() - timedelta(days=1)
        assert engine.is_overdue(case)
        case.state = "gereed"
        assert not engine.is_overdue(case)
        case.state = "afgerond"
        assert not engine.is_overdue(case)
        db.session.rollback()


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
    brabant, eindhoven = clients("economie@noord-brabant.test"), clients("economie@eindhoven.test")
    assert eindhoven.post_form(f"/zaken/{case_id}/stap/gereed_melden").status_code == 403
    assert brabant.post_form(f"/zaken/{case_id}/stap/gereed_melden").status_code == 302
    assert (
        brabant.post_form(f"/zaken/{case_id}/voortgang", {"text": "Rapport ligt bij de netbeheerder."}).status_code
        == 302
    )
    page = clients("secretariaat@ezk.test").get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "gereed gemeld" in page and "Rapport ligt bij de netbeheerder." in page and "Afronden" in page
