"""A case's state is one its workflow declares, and what the services count as open, waiting or on
the dashboard follows the declarations (``cases.workflows``), not a copy of them."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import update

from auth.models import Organisation
from cases import engine
from cases.models import Case, CaseType
from cases.services import dashboard as numbers
from cases.services.cases import requests_to_handle
from cases.workflows import WORKFLOWS, ActiepuntState, AgendaverzoekState, NotaState, Progress
from core.dates import today
from core.extensions import db
from tests.cases.test_engine import SEC, new_request
from tests.conftest import find_body, in_app, new_action, user


def _counts(organisation_id: int) -> dict[str, int]:
    """The dashboard's numbers per status for one owner organisation, as the secretariat sees them."""
    name = db.session.get(Organisation, organisation_id).name
    rows = numbers.status_by_organisation(user(SEC), find_body(), today())
    return next(dict(row.counts) for row in rows if row.name == name)


# --- an undeclared state is refused -----------------------------------------------------------------


@pytest.mark.parametrize("type_first", [True, False])
def test_a_new_case_in_a_state_of_another_workflow_is_refused(app, type_first):
    with in_app(app):
        # "open" is an actiepunt's state, not a nota's; the order the fields are given in does not matter.
        fields = {"type": CaseType.NOTA, "state": "open"} if type_first else {"state": "open", "type": CaseType.NOTA}
        with pytest.raises(ValueError, match="not a state of the nota workflow"):
            Case(**fields)
        assert Case(type=CaseType.ACTIEPUNT, state="open").state == ActiepuntState.OPEN


def test_a_case_refuses_to_move_to_a_state_its_workflow_does_not_declare(app):
    with in_app(app):
        action = new_action()
        for state in ("ter_parafering", "opne", ""):
            with pytest.raises(ValueError, match="actiepunt workflow"):
                action.state = state
        assert action.state == ActiepuntState.OPEN


def test_a_stored_state_no_workflow_declares_is_an_error_not_counted_as_open(app):
    """A row written around the model (a repair by hand, an old import) does not silently count as
    "open" on the dashboard: the numbers refuse to guess."""
    with in_app(app):
        action = new_action()
        db.session.execute(update(Case).where(Case.id == action.id).values(state="zwevend"))
        db.session.expire(action)
        with pytest.raises(ValueError, match="'zwevend' is not a state of the actiepunt workflow"):
            numbers.status_by_organisation(user(SEC), find_body(), today())
        with pytest.raises(ValueError, match="zwevend"):
            engine.workflow_of(action).label(action.state)


def test_a_declaration_that_names_an_undeclared_state_is_refused():
    actiepunt = WORKFLOWS[CaseType.ACTIEPUNT]
    with pytest.raises(ValueError, match="undeclared states"):
        dataclasses.replace(actiepunt, closed=frozenset({"afgerond", "klaar"}))
    with pytest.raises(ValueError, match="undeclared states"):
        dataclasses.replace(actiepunt, overdue_in=frozenset({NotaState.CONCEPT}))
    without_label = {s: label for s, label in actiepunt.states.items() if s is not ActiepuntState.GEREED}
    with pytest.raises(ValueError, match="no label"):
        dataclasses.replace(actiepunt, states=without_label)
    with pytest.raises(ValueError, match="dashboard"):
        dataclasses.replace(actiepunt, progress={ActiepuntState.OPEN: Progress.OPEN})


def test_each_workflow_types_its_states_with_an_enum_of_its_own():
    assert WORKFLOWS[CaseType.NOTA].state("concept") is NotaState.CONCEPT
    assert WORKFLOWS[CaseType.ACTIEPUNT].state("open") is ActiepuntState.OPEN
    with pytest.raises(ValueError):
        WORKFLOWS[CaseType.NOTA].state("open")
    states = [set(w.State) for w in WORKFLOWS.values()]
    assert all(w.State is not v.State for w in WORKFLOWS.values() for v in WORKFLOWS.values() if w is not v)
    assert all(s == set(w.states) for s, w in zip(states, WORKFLOWS.values(), strict=True))


# --- the services read the declarations ---------------------------------------------------------------


def test_the_dashboard_counts_each_state_where_its_declaration_puts_it(app, monkeypatch):
    with in_app(app):
        action = new_action(title="Gereed gemeld, nog niet afgerond")
        engine.fire(user(SEC), action, "gereed_melden")
        before = _counts(action.owner_organisation_id)
        declared = WORKFLOWS[CaseType.ACTIEPUNT]
        # Declare that "gereed gemeld" counts as done: the dashboard follows without another change.
        moved = dataclasses.replace(declared, progress={**declared.progress, ActiepuntState.GEREED: Progress.AFGEROND})
        monkeypatch.setitem(WORKFLOWS, CaseType.ACTIEPUNT, moved)
        after = _counts(action.owner_organisation_id)
    gereed = before[Progress.GEREED]
    assert gereed >= 1
    assert after[Progress.GEREED] == 0
    assert after[Progress.AFGEROND] == before[Progress.AFGEROND] + gereed


def test_the_secretariats_waiting_requests_are_those_their_workflow_has_not_closed(app, monkeypatch):
    with in_app(app):
        request = new_request()
        engine.fire(user(SEC), request, "in_behandeling")
        assert request in requests_to_handle(user(SEC))
        declared = WORKFLOWS[CaseType.AGENDAVERZOEK]
        closing = dataclasses.replace(declared, closed=declared.closed | {AgendaverzoekState.IN_BEHANDELING})
        monkeypatch.setitem(WORKFLOWS, CaseType.AGENDAVERZOEK, closing)
        assert request not in requests_to_handle(user(SEC))
