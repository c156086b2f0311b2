"""Each reader sees the agenda numbered without gaps: a gap would tell of an item kept from them."""

from __future__ import annotations

import re
from datetime import timedelta

from core.dates import today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItemKind
from meetings.services import agenda, decisions
from tests.conftest import in_app, meeting_held, new_meeting, user


def _meeting_with_a_rijk_item_in_the_middle(app, clock) -> tuple[int, dict[str, int]]:
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        meeting = new_meeting(today() + timedelta(days=320), location="Eindhoven")
        ids = {}
        for title, audience in (
            ("Opening", Audience.OVERLEG),
            ("Rijksoverleg vooraf", Audience.RIJK),
            ("Netcapaciteit", Audience.OVERLEG),
        ):
            item = agenda.add_agenda_item(
                sec, meeting, title=title, kind=AgendaItemKind.TER_BESPREKING, audience=audience
            )
            db.session.flush()
            ids[title] = item.id
        agenda.publish_agenda(sec, meeting)
        meeting_held(clock, meeting)
        grid = db.session.get(agenda.AgendaItem, ids["Netcapaciteit"])
        ids["rijk besluit"] = decisions.add_decision(sec, grid, text="Rijksafspraak.", audience=Audience.RIJK).id
        db.session.flush()
        ids["besluit"] = decisions.add_decision(sec, grid, text="Gezamenlijke afspraak over netcapaciteit.").id
        db.session.flush()
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=20))
        return meeting.id, ids


def test_the_regio_reads_its_agenda_and_decisions_numbered_without_gaps(app, clients, clock):
    meeting_id, ids = _meeting_with_a_rijk_item_in_the_middle(app, clock)
    regio, rijk = clients("economie@noord-brabant.test"), clients("beleid@ezk.test")

    item_page = regio.get(f"/agendapunten/{ids['Netcapaciteit']}").get_data(as_text=True)
    assert "<h1>2. Netcapaciteit</h1>" in item_page
    assert "Besluit 2.1" in item_page and "2.2" not in item_page
    assert "<h1>3. Netcapaciteit</h1>" in rijk.get(f"/agendapunten/{ids['Netcapaciteit']}").get_data(as_text=True)

    lijst = regio.get(f"/vergaderingen/{meeting_id}/besluitenlijst").get_data(as_text=True)
    assert "2. Netcapaciteit" in lijst and "Besluit 2.1" in lijst
    assert "Rijksoverleg" not in lijst and "Rijksafspraak" not in lijst
    rijk_lijst = rijk.get(f"/vergaderingen/{meeting_id}/besluitenlijst").get_data(as_text=True)
    assert "Besluit 3.1" in rijk_lijst and "Besluit 3.2" in rijk_lijst

    meeting_page = regio.get(f"/vergaderingen/{meeting_id}").get_data(as_text=True)
    numbers = re.findall(r'<span class="agenda-number">(\d+)\.</span>', meeting_page)
    assert numbers == ["1", "2"]
    decision_page = regio.get(f"/besluiten/{ids['besluit']}").get_data(as_text=True)
    assert "<h1>Besluit 2.1</h1>" in decision_page and "2. Netcapaciteit</a>" in decision_page
