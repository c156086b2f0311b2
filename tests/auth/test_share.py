"""An item never reaches further than what it belongs to: the meeting, its agenda item, its decision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItemKind
from meetings.services import agenda, decisions
from tests.conftest import in_app, meeting_held, new_meeting, user

SEC = "secretariaat@ezk.test"


def rijk_meeting():
    return new_meeting(date(date.today().year + 4, 3, 10), audience=Audience.RIJK)


@pytest.mark.parametrize("audience", [Audience.OVERLEG, Audience.OPENBAAR])
def test_an_item_for_the_whole_table_cannot_go_on_a_rijk_only_meeting(app, audience):
    with in_app(app):
        meeting = rijk_meeting()
        with pytest.raises(DomainError) as refused:
            agenda.add_agenda_item(
                user(SEC), meeting, title="Open punt", kind=AgendaItemKind.TER_BESPREKING, audience=audience
            )
        assert refused.value.field == "audience"
        assert "ruimer zichtbaar" in refused.value.message
        # Without an audience it takes the meeting's; Rijk or named Rijk people are fine.
        assert (
            agenda.add_agenda_item(user(SEC), meeting, title="Eigen punt", kind=AgendaItemKind.TER_BESPREKING).audience
            is Audience.RIJK
        )
        named = agenda.add_agenda_item(
            user(SEC),
            meeting,
            title="Vertrouwelijk punt",
            kind=AgendaItemKind.TER_BESPREKING,
            audience=Audience.VERTROUWELIJK,
            shared_with=[user("beleid@ezk.test").id],
        )
        assert named.audience is Audience.VERTROUWELIJK


def test_a_vertrouwelijk_item_on_a_rijk_meeting_cannot_name_someone_of_the_regio(app):
    with in_app(app):
        meeting = rijk_meeting()
        with pytest.raises(DomainError) as refused:
            agenda.add_agenda_item(
                user(SEC),
                meeting,
                title="Gedeeld punt",
                kind=AgendaItemKind.TER_BESPREKING,
                audience=Audience.VERTROUWELIJK,
                shared_with=[user("economie@noord-brabant.test").id],
            )
        assert refused.value.field == "audience"


def test_a_decision_cannot_reach_further_than_its_agenda_item_nor_an_item_narrow_below_its_decisions(app, clock):
    with in_app(app):
        meeting = new_meeting(date(date.today().year + 4, 10, 10))
        rijk_item = agenda.add_agenda_item(
            user(SEC), meeting, title="Rijkspunt", kind=AgendaItemKind.TER_BESPREKING, audience=Audience.RIJK
        )
        agenda.publish_agenda(user(SEC), meeting)
        db.session.flush()
        meeting_held(clock, meeting)
        with pytest.raises(DomainError, match="niet ruimer zichtbaar"):
            decisions.add_decision(user(SEC), rijk_item, text="Besluit voor iedereen", audience=Audience.OVERLEG)
        open_item = agenda.add_agenda_item(user(SEC), meeting, title="Open punt", kind=AgendaItemKind.TER_BESPREKING)
        db.session.flush()
        decisions.add_decision(user(SEC), open_item, text="Besluit voor iedereen")
        db.session.flush()
        with pytest.raises(DomainError) as refused:
            agenda.update_agenda_item(
                user(SEC), open_item, title="Open punt", kind=AgendaItemKind.TER_BESPREKING, audience=Audience.RIJK
            )
        assert refused.value.field == "audience"


def test_the_form_says_so_next_to_the_field_and_stores_nothing(app, clients):
    web = clients(SEC)
    with in_app(app):
        meeting_id = rijk_meeting().id
        db.session.commit()
        before = db.session.scalar(select(func.count(AuditRecord.id)))
    response = web.post_form(
        f"/vergaderingen/{meeting_id}/agendapunten/nieuw",
        {"title": "Open punt", "kind": "ter_bespreking", "audience": "overleg"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:1000]
    assert 'id="audience-fout"' in page and "ruimer zichtbaar" in page
    with in_app(app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before
