"""Two secretaries at two computers edit the same agenda item. The one who saves second is told, next to
the form, who changed it and what it says now; nothing of theirs was saved, and their input is still in
the form, so that saving again applies it."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from playwright.sync_api import expect

from auth.models import Role
from core.acting import SYSTEM
from core.extensions import db
from meetings.models import AgendaItem, AgendaItemKind
from meetings.services import agenda
from tests.browser import axe
from tests.browser.conftest import LiveServer
from tests.browser.helpers import flash, main, sign_in
from tests.conftest import account, find_body, new_meeting, user

SECRETARIAAT = "secretariaat@ezk.test"
SECOND = "tweede.secretaris@ezk.test"
PASSWORD = "kraanvogel-boven-de-vijver"


def _set_up(live_server: LiveServer) -> int:
    """A concept agenda of its own, in a year no other test uses, and a second secretary of BO-Brainport."""

    def make() -> int:
        from auth.services import provision_password
        from meetings.services.bodies import set_member_role

        sec = user(SECRETARIAAT)
        second = account(SECOND, "Tweede secretaris", sec.organisation_id)
        provision_password(SYSTEM, second, password=PASSWORD)
        set_member_role(user("beheer@regiotafel.test"), find_body(), user_id=second.id, role=Role.SECRETARIAAT)
        meeting = new_meeting(date(2081, 3, 5), start_time=time(10), end_time=time(12))
        item = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESPREKING)
        db.session.flush()
        return int(item.id)

    return int(live_server.query(make))


def test_the_second_secretary_to_save_is_told_what_the_first_changed(
    new_context: Any, live_server: LiveServer, request: Any
) -> None:
    item_id = _set_up(live_server)
    first, second = new_context().new_page(), new_context().new_page()
    sign_in(first, SECRETARIAAT)
    sign_in(second, SECOND, PASSWORD)
    for page in (first, second):
        page.goto(f"/agendapunten/{item_id}/bewerken")

    first.get_by_label("Titel").fill("Netcapaciteit: de campussen eerst")
    first.get_by_role("button", name="Opslaan").click()
    expect(flash(first)).to_contain_text("Agendapunt bijgewerkt")

    second.get_by_label("Titel").fill("Netcapaciteit volgens de regio")
    second.get_by_label("Toelichting").fill("Graag ook de bedrijventerreinen.")
    second.get_by_role("button", name="Opslaan").click()

    notice = main(second).get_by_role("alert")
    expect(notice).to_contain_text("Iemand anders heeft dit intussen gewijzigd")
    expect(notice).to_contain_text("Secretariaat BO-Brainport")
    expect(notice).to_contain_text("Netcapaciteit: de campussen eerst")
    expect(second.get_by_label("Titel")).to_have_value("Netcapaciteit volgens de regio")
    expect(second.get_by_label("Toelichting")).to_have_value("Graag ook de bedrijventerreinen.")
    axe.check(second, request, "agendapunt wijzigen (wijzigingsconflict)", role="secretariaat")
    title = live_server.query(lambda: db.session.get(AgendaItem, item_id).title)
    assert title == "Netcapaciteit: de campussen eerst"

    # Having seen the other change, the second secretary saves the kept input after all.
    second.get_by_role("button", name="Opslaan").click()
    expect(flash(second)).to_contain_text("Agendapunt bijgewerkt")
    title = live_server.query(lambda: db.session.get(AgendaItem, item_id).title)
    assert title == "Netcapaciteit volgens de regio"
