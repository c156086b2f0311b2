"""Dossiers: the secretariat groups a subject's agenda items, decisions and cases across cycles; the
timeline shows each reader what that reader may see, and not a trace of the rest."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, select

from cases.models import Case, CaseType, DossierLink
from cases.services import dossiers
from core.errors import DomainError
from core.extensions import db
from meetings.models import AgendaItem, AgendaItemKind, Body, Decision
from meetings.services import agenda
from tests.cases.people import EINDHOVEN, REGIO, REGIO_AUDITOR, RIJK
from tests.conftest import in_app, new_meeting, user

SECRETARIAAT = "secretariaat@ezk.test"
OUTSIDER = "economie@gelderland.test"  # a member of the ROM overleg only

TALENT_2023 = "Talent: aanpak voor de arbeidsmarktvraag in de Brainportregio"
ANNOTATIE = "Annotatie voor de bewindspersonen opstellen"

_TIMELINE = re.compile(r'<ol class="timeline">(.*?)</ol>', re.DOTALL)
_ENTRY = re.compile(
    r'<li>\s*<time datetime="([^"]+)">[^<]*</time>\s*<span class="tag">([^<]+)</span>\s*<a href="([^"]+)">([^<]*)</a>'
)


# --- helpers --------------------------------------------------------------------------------------


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def ok(response: Any, status: int = 302) -> Any:
    assert response.status_code == status, text(response)[:3000]
    return response


def timeline(page: str) -> list[tuple[datetime, str, str, str]]:
    """The dossier page's timeline: (moment, kind, link, title) per line, as shown."""
    match = _TIMELINE.search(page)
    if match is None:
        assert "Het dossier is nog leeg." in page
        return []
    block = match.group(1)
    entries = [
        (datetime.fromisoformat(at), kind, href, html.unescape(title))
        for at, kind, href, title in _ENTRY.findall(block)
    ]
    assert len(entries) == block.count("<li>"), "a timeline line that the test cannot read"
    return entries


def case_id(title: str, case_type: CaseType | None = None) -> int:
    query = select(Case.id).where(Case.title == title)
    if case_type is not None:
        query = query.where(Case.type == case_type)
    return db.session.scalars(query).one()


def item_id(title: str) -> int:
    return db.session.scalars(select(AgendaItem.id).where(AgendaItem.title == title)).one()


@pytest.fixture
def demo(app) -> dict[str, int]:
    """The demo's ids this module works with."""
    with in_app(app):
        talent_item = item_id(TALENT_2023)
        return {
            "talent_dossier": case_id("Talent Brainport", CaseType.DOSSIER),
            "talent_item": talent_item,
            "talent_decision": db.session.scalars(
                select(Decision.id).where(Decision.agenda_item_id == talent_item)
            ).one(),
            "talent_request": case_id(TALENT_2023, CaseType.AGENDAVERZOEK),
            "talent_action": case_id("Gedragen aanpak talent uitwerken met de kennis- en onderwijsinstellingen"),
            "annotatie": case_id(ANNOTATIE),
            "mainport_item": item_id("Doorontwikkeling van de mainportstatus van Brainport-Eindhoven"),
            "schaalsprong_item": item_id("Ruimtelijke schaalsprong: de Brainportdeal"),
            "rom_item": item_id("Evaluatiekader voor de vijfjaarlijkse evaluatie van de ROM's"),
            "rom_action": case_id("Opdracht voor de ROM-evaluatie uitzetten"),
        }


def links_of(app, dossier_id: int) -> list[tuple[int | None, int | None, int | None]]:
    with in_app(app):
        return [
            tuple(row)
            for row in db.session.execute(
                select(DossierLink.agenda_item_id, DossierLink.decision_id, DossierLink.case_id)
                .where(DossierLink.dossier_id == dossier_id)
                .order_by(DossierLink.id)
            )
        ]


def open_dossier(client: Any, title: str, audience: str = "") -> int:
    response = ok(
        client.post_form(
            "/overleggen/bo-brainport/dossiers/nieuw",
            {"title": title, "description": "Volgt het onderwerp over de cycli heen.", "audience": audience},
        )
    )
    match = re.search(r"/zaken/(\d+)$", response.location)
    assert match, response.location
    return int(match.group(1))


def link(client: Any, dossier_id: int, **chosen: int) -> Any:
    return client.post_form(f"/zaken/{dossier_id}/dossier", {key: str(value) for key, value in chosen.items()})


# --- the secretariat builds a dossier -------------------------------------------------------------


def test_the_secretariat_opens_a_dossier_and_its_timeline_lists_everything_in_date_order(app, clients, demo):
    sec = clients(SECRETARIAAT)
    dossier = open_dossier(sec, "Talentaanpak Brainportregio")
    assert timeline(text(sec.get(f"/zaken/{dossier}"))) == []

    # Linked in an order that is not the order of events.
    ok(link(sec, dossier, case_id=demo["talent_action"]))
    ok(link(sec, dossier, decision_id=demo["talent_decision"]))
    ok(link(sec, dossier, agenda_item_id=demo["talent_item"]))
    ok(link(sec, dossier, case_id=demo["talent_request"]))
    assert len(links_of(app, dossier)) == 4

    for client in (sec, clients(EINDHOVEN)):
        entries = timeline(text(ok(client.get(f"/zaken/{dossier}"), 200)))
        moments = [at for at, *_ in entries]
        assert moments == sorted(moments)
        assert [(kind, href) for _at, kind, href, _title in entries] == [
            ("agendaverzoek", f"/zaken/{demo['talent_request']}"),  # submitted 25 January 2023
            ("stap", f"/zaken/{demo['talent_request']}"),  # put on the agenda, 6 February 2023
            ("agendapunt", f"/agendapunten/{demo['talent_item']}"),  # the meeting of 14 March 2023
            ("besluit", f"/besluiten/{demo['talent_decision']}"),
            ("actiepunt", f"/zaken/{demo['talent_action']}"),  # recorded two months ago
            ("stap", f"/zaken/{demo['talent_action']}"),  # started since
        ]
        assert entries[1][3] == f"AV-{demo['talent_request']}: geagendeerd"
        assert entries[5][3] == f"AP-{demo['talent_action']}: in uitvoering"

    # The linked case's page says which dossier holds it.
    action_page = text(sec.get(f"/zaken/{demo['talent_action']}"))
    assert f'<a href="/zaken/{dossier}">Talentaanpak Brainportregio</a>' in action_page


def test_the_secretariat_takes_an_item_out_of_the_dossier(app, clients, demo):
    sec = clients(SECRETARIAAT)
    dossier = demo["talent_dossier"]
    with in_app(app):
        link_id = db.session.scalars(
            select(DossierLink.id).where(
                DossierLink.dossier_id == dossier, DossierLink.agenda_item_id == demo["talent_item"]
            )
        ).one()
    ok(sec.post_form(f"/zaken/{dossier}/dossier/{link_id}/weg"))
    assert (demo["talent_item"], None, None) not in links_of(app, dossier)
    hrefs = [href for _at, _kind, href, _title in timeline(text(sec.get(f"/zaken/{dossier}")))]
    assert f"/agendapunten/{demo['talent_item']}" not in hrefs
    assert f"/besluiten/{demo['talent_decision']}" in hrefs


# --- what each reader sees ------------------------------------------------------------------------


def test_a_rijk_only_case_in_an_overleg_dossier_is_seen_by_the_rijk_and_leaves_no_trace_for_the_regio(
    app, clients, demo
):
    sec, rijk, regio = clients(SECRETARIAAT), clients(RIJK), clients(REGIO)
    dossier, annotatie = demo["talent_dossier"], demo["annotatie"]
    regio_before = text(ok(regio.get(f"/zaken/{dossier}"), 200))
    shown_before = timeline(regio_before)
    assert shown_before, "the demo's Talent Brainport dossier is empty for the regio"

    ok(link(sec, dossier, case_id=annotatie))
    ok(rijk.post_form(f"/zaken/{annotatie}/stap/starten", {"reason": ""}))  # a step, for the timeline

    rijk_page = text(rijk.get(f"/zaken/{dossier}"))
    rijk_hrefs = [(kind, href) for _at, kind, href, _title in timeline(rijk_page)]
    assert ("actiepunt", f"/zaken/{annotatie}") in rijk_hrefs
    assert ("stap", f"/zaken/{annotatie}") in rijk_hrefs
    assert ANNOTATIE in rijk_page

    regio_page = text(ok(regio.get(f"/zaken/{dossier}"), 200))
    assert ANNOTATIE not in regio_page and "Annotatie" not in regio_page
    assert re.search(rf"\bAP-{annotatie}\b", regio_page) is None
    assert f"/zaken/{annotatie}" not in regio_page
    # Not even the number of lines tells: the regio's timeline is exactly what it was.
    assert timeline(regio_page) == shown_before
    assert regio_page.count("<li") == regio_before.count("<li")
    assert regio.get(f"/zaken/{annotatie}").status_code == 404

    # The dossier's audit history: the regio member may not read it at all, the regio's auditor
    # reads it without the Rijk's case in it.
    refused = regio.get(f"/geschiedenis/cases/{dossier}")
    assert refused.status_code == 403
    assert ANNOTATIE not in text(refused)
    history = text(ok(clients(REGIO_AUDITOR).get(f"/geschiedenis/cases/{dossier}"), 200))
    assert "Annotatie" not in history
    assert re.search(rf"\bAP-{annotatie}\b", history) is None
    assert "Annotatie" not in text(clients(REGIO_AUDITOR).get(f"/zaken/{dossier}"))


def test_the_history_of_a_link_to_a_rijk_only_case_is_a_404_for_the_regio(app, clients, demo, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the error page, as in production
    ok(link(clients(SECRETARIAAT), demo["talent_dossier"], case_id=demo["annotatie"]))
    with in_app(app):
        link_id = db.session.scalars(select(DossierLink.id).where(DossierLink.case_id == demo["annotatie"])).one()
    auditor = clients(REGIO_AUDITOR)
    assert auditor.get("/geschiedenis/dossier_links/999999").status_code == 404
    assert auditor.get(f"/geschiedenis/dossier_links/{link_id}").status_code == 404


# --- who may link, and what ----------------------------------------------------------------------


def test_only_the_secretariat_links_and_unlinks(app, clients, demo):
    dossier = demo["talent_dossier"]
    with in_app(app):
        link_id = db.session.scalars(select(DossierLink.id).where(DossierLink.dossier_id == dossier)).first()
    before = links_of(app, dossier)
    for email, status in [(RIJK, 403), (REGIO, 403), (REGIO_AUDITOR, 403), (OUTSIDER, 404)]:
        client = clients(email)
        assert link(client, dossier, agenda_item_id=demo["mainport_item"]).status_code == status, email
        assert client.post_form(f"/zaken/{dossier}/dossier/{link_id}/weg").status_code == status, email
        if status == 403:
            assert "Aan het dossier toevoegen" not in text(client.get(f"/zaken/{dossier}"))
    assert links_of(app, dossier) == before

    sec = clients(SECRETARIAAT)
    assert "Aan het dossier toevoegen" in text(sec.get(f"/zaken/{dossier}"))
    ok(link(sec, dossier, agenda_item_id=demo["mainport_item"]))
    assert links_of(app, dossier) == [*before, (demo["mainport_item"], None, None)]


def test_a_rijk_only_dossier_does_not_exist_for_the_regio(app, clients, demo):
    sec = clients(SECRETARIAAT)
    dossier = open_dossier(sec, "Kamerbrief mainportstatus (Rijk-intern)", audience="rijk")
    ok(link(sec, dossier, agenda_item_id=demo["mainport_item"]))
    regio = clients(REGIO)
    assert regio.get(f"/zaken/{dossier}").status_code == 404
    assert link(regio, dossier, agenda_item_id=demo["talent_item"]).status_code == 404
    assert "Kamerbrief mainportstatus" not in text(regio.get("/overleggen/bo-brainport"))
    assert "Kamerbrief mainportstatus" in text(clients(RIJK).get("/overleggen/bo-brainport"))


def test_a_closed_dossier_refuses_new_links_with_a_clear_message(app, clients, demo):
    sec = clients(SECRETARIAAT)
    dossier = demo["talent_dossier"]
    ok(sec.post_form(f"/zaken/{dossier}/stap/afsluiten", {"reason": ""}))
    page = text(sec.get(f"/zaken/{dossier}"))
    assert "Aan het dossier toevoegen" not in page and "uit het dossier" not in page
    before = links_of(app, dossier)

    refused = link(sec, dossier, agenda_item_id=demo["mainport_item"])
    assert refused.status_code == 302
    assert "Het dossier is afgesloten. Heropen het om iets toe te voegen." in text(sec.get(refused.location))
    with in_app(app):
        link_id = db.session.scalars(select(DossierLink.id).where(DossierLink.dossier_id == dossier)).first()
    refused = sec.post_form(f"/zaken/{dossier}/dossier/{link_id}/weg")
    assert "Het dossier is afgesloten." in text(sec.get(refused.location))
    assert links_of(app, dossier) == before

    ok(sec.post_form(f"/zaken/{dossier}/stap/heropenen", {"reason": "De talentaanpak loopt door in 2025."}))
    ok(link(sec, dossier, agenda_item_id=demo["mainport_item"]))
    assert links_of(app, dossier) == [*before, (demo["mainport_item"], None, None)]


def test_an_item_of_another_body_cannot_be_linked(app, clients, demo):
    sec = clients(SECRETARIAAT)
    dossier = demo["talent_dossier"]
    before = links_of(app, dossier)
    assert "Evaluatiekader voor de vijfjaarlijkse" not in text(sec.get(f"/zaken/{dossier}"))  # not offered
    for field, ident in (("agenda_item_id", demo["rom_item"]), ("case_id", demo["rom_action"])):
        refused = link(sec, dossier, **{field: ident})
        assert refused.status_code == 400, field
        assert f'id="{field}-fout"' in text(refused), field
    assert links_of(app, dossier) == before

    with in_app(app):
        talent = db.session.get(Case, dossier)
        for field, ident in (("agenda_item_id", demo["rom_item"]), ("case_id", demo["rom_action"])):
            with pytest.raises(DomainError, match=re.escape("Dit item hoort bij een ander overleg.")) as refusal:
                dossiers.link(user(SECRETARIAAT), talent, **{field: ident})
            assert refusal.value.field == field
        db.session.rollback()
    assert links_of(app, dossier) == before


def test_an_item_is_linked_to_a_dossier_once(app, clients, demo):
    sec = clients(SECRETARIAAT)
    dossier = open_dossier(sec, "Netcapaciteit")
    ok(link(sec, dossier, agenda_item_id=demo["mainport_item"]))
    ok(link(sec, dossier, case_id=demo["talent_action"]))
    before = links_of(app, dossier)

    assert link(sec, dossier, agenda_item_id=demo["mainport_item"]).status_code == 400
    assert link(sec, dossier, case_id=demo["talent_action"]).status_code == 400
    assert link(sec, dossier, case_id=dossier).status_code == 400
    assert links_of(app, dossier) == before

    with in_app(app):
        netcapaciteit = db.session.get(Case, dossier)
        secretariaat = user(SECRETARIAAT)
        with pytest.raises(DomainError, match=re.escape("Dit zit al in het dossier.")):
            dossiers.link(secretariaat, netcapaciteit, agenda_item_id=demo["mainport_item"])
        with pytest.raises(DomainError, match=re.escape("Dit zit al in het dossier.")):
            dossiers.link(secretariaat, netcapaciteit, case_id=demo["talent_action"])
        with pytest.raises(DomainError, match=re.escape("Een dossier kan niet in zichzelf.")):
            dossiers.link(secretariaat, netcapaciteit, case_id=dossier)
        with pytest.raises(DomainError, match="Kies één agendapunt, besluit of zaak"):
            dossiers.link(
                secretariaat, netcapaciteit, agenda_item_id=demo["talent_item"], decision_id=demo["talent_decision"]
            )
        db.session.rollback()
    assert links_of(app, dossier) == before


# --- agenda item pages ----------------------------------------------------------------------------


def test_an_agenda_item_page_shows_the_dossiers_it_is_in_as_far_as_the_reader_sees_them(app, clients, demo):
    eindhoven, rijk = clients(EINDHOVEN), clients(RIJK)
    talent = text(ok(eindhoven.get(f"/agendapunten/{demo['talent_item']}"), 200))
    assert "<h2>In dossier</h2>" in talent
    assert f'href="/zaken/{demo["talent_dossier"]}"' in talent and "Talent Brainport" in talent
    assert "<h2>In dossier</h2>" not in text(eindhoven.get(f"/agendapunten/{demo['schaalsprong_item']}"))

    sec = clients(SECRETARIAAT)
    dossier = open_dossier(sec, "Kamerbrief mainportstatus (Rijk-intern)", audience="rijk")
    ok(link(sec, dossier, agenda_item_id=demo["mainport_item"]))
    for client, sees in ((rijk, True), (eindhoven, False), (clients(REGIO), False)):
        page = text(ok(client.get(f"/agendapunten/{demo['mainport_item']}"), 200))
        assert ("<h2>In dossier</h2>" in page) is sees
        assert ("Kamerbrief mainportstatus" in page) is sees


def test_an_item_in_the_secretariats_dossier_shows_it_to_a_member_of_another_organisation(app, clients):
    """Nothing else on the province's page names the dossier's owner (the secretariat's ministry): the
    page once loaded it lazily and failed (raise_on_sql), as the access matrix found."""
    with in_app(app):
        sec = user(SECRETARIAAT)
        meeting = new_meeting(date(2031, 3, 11))
        item = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESPREKING)
        agenda.publish_agenda(sec, meeting)
        body = db.session.get(Body, meeting.body_id)
        dossier = dossiers.create_dossier(sec, body, title="Schaalsprong en netcapaciteit")
        db.session.flush()
        dossiers.link(sec, dossier, agenda_item_id=item.id)
        item_id = item.id
    page = text(ok(clients(REGIO).get(f"/agendapunten/{item_id}"), 200))
    assert "<h2>In dossier</h2>" in page and "Schaalsprong en netcapaciteit" in page


def test_the_body_page_lists_its_dossiers_and_only_the_secretariat_opens_one(clients, demo):
    page = text(clients(REGIO).get("/overleggen/bo-brainport"))
    assert f'href="/zaken/{demo["talent_dossier"]}"' in page
    assert "Dossier openen" not in page
    assert "Dossier openen" in text(clients(SECRETARIAAT).get("/overleggen/bo-brainport"))
    assert clients(RIJK).get("/overleggen/bo-brainport/dossiers/nieuw").status_code == 403


def test_the_dossiers_of_a_body_come_with_the_organisation_their_lines_name(app, clients, demo):
    """The leak hunter's 500 (seed 20261207): the body page named each dossier's organisation through a
    relationship that may not load on its own; it loaded only when the request had met that
    organisation before. The list now brings it along."""
    sec = clients(SECRETARIAAT)
    open_dossier(sec, "Dossier Brainportdeal")
    with in_app(app):
        db.session.expunge_all()
        body = db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()
        found = dossiers.dossiers_of(user(SECRETARIAAT), body)
        assert found and all("owner_organisation" not in inspect(case).unloaded for case in found)
