"""The secretariat's cycle, end to end through the web, for the secretariat and a member of each side."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from core.dates import AMSTERDAM
from core.extensions import db
from tests.conftest import in_app
from tests.meetings.flow import Flow


@pytest.fixture
def flow(app, clients, clock):
    return Flow(app, clients, clock)


def text(response):
    return response.get_data(as_text=True)


def test_the_secretariat_runs_a_cycle_from_requests_to_adopted_besluitenlijst(flow, clock):
    flow.until("handle_comments")

    refused = flow.adopt()
    assert refused.status_code == 302
    page = text(flow.sec.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))
    assert "De reactietermijn loopt nog" in page and "vastgesteld op" not in page.lower()

    flow.later(clock, datetime.combine(flow.deadline + timedelta(days=1), time(9), tzinfo=AMSTERDAM))
    flow.ok(flow.adopt())
    page = text(flow.rijk.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))
    assert "Vastgesteld op" in page
    assert "met de netbeheerder" in page  # the accepted comment changed the text

    # From now on a decision changes only by a new decision.
    edit = flow.sec.post_form(f"/besluiten/{flow.ids['decision_grid']}/bewerken", {"text": "Anders.", "audience": ""})
    assert edit.status_code == 400
    assert "alleen door een nieuw besluit" in text(edit)
    with in_app(flow.app):
        from meetings.models import Decision

        assert db.session.get(Decision, flow.ids["decision_grid"]).text.endswith("met de netbeheerder.")


def test_agenda_requests_of_both_sides_become_numbered_agenda_items(flow):
    flow.until("compose")
    page = text(flow.sec.get(f"/vergaderingen/{flow.ids['meeting']}"))
    first, grid, talent = (page.index(t) for t in ("Opening en vaststelling", "Netcapaciteit in de", "Talent voor de"))
    assert first < grid < talent
    for request in ("request_rijk", "request_regio"):
        case_page = text(flow.regio.get(f"/zaken/{flow.ids[request]}"))
        assert "geagendeerd" in case_page


def test_members_see_nothing_of_an_agenda_before_it_is_published(flow):
    flow.until("compose")
    for client in (flow.rijk, flow.regio):
        assert client.get(f"/agendapunten/{flow.ids['item_grid']}").status_code == 404
        assert client.get(f"/documenten/{flow.ids['doc_overleg']}/download").status_code == 404
        meeting = text(client.get(f"/vergaderingen/{flow.ids['meeting']}"))
        assert "Notitie netcapaciteit" not in meeting
        assert "nog niet gepubliceerd" in meeting
    assert flow.sec.get(f"/agendapunten/{flow.ids['item_grid']}").status_code == 200


def test_members_of_each_side_see_the_published_agenda_and_only_their_sides_documents(flow):
    flow.until("publish_agenda")
    for client in (flow.rijk, flow.regio):
        page = text(client.get(f"/vergaderingen/{flow.ids['meeting']}"))
        assert "Netcapaciteit in de testregio" in page and "Talent voor de maakindustrie" in page
        download = client.get(f"/documenten/{flow.ids['doc_overleg']}/download")
        assert download.status_code == 200 and download.data.startswith(b"%PDF-")
        download.close()
    rijk_doc = flow.rijk.get(f"/documenten/{flow.ids['doc_rijk']}/download")
    assert rijk_doc.status_code == 200
    rijk_doc.close()
    assert flow.regio.get(f"/documenten/{flow.ids['doc_rijk']}/download").status_code == 404
    assert "Annotatie voor de minister" not in text(flow.regio.get(f"/agendapunten/{flow.ids['item_grid']}"))
    assert "Annotatie voor de minister" in text(flow.rijk.get(f"/agendapunten/{flow.ids['item_grid']}"))


def test_a_non_member_sees_nothing_of_the_body(flow):
    flow.until("publish_agenda")
    for path in (
        f"/overleggen/{flow.slug}",
        f"/cycli/{flow.ids['cycle']}",
        f"/vergaderingen/{flow.ids['meeting']}",
        f"/agendapunten/{flow.ids['item_grid']}",
        f"/documenten/{flow.ids['doc_overleg']}/download",
        f"/zaken/{flow.ids['request_regio']}",
    ):
        assert flow.outsider.get(path).status_code == 404, path
    assert "BO Testregio" not in text(flow.outsider.get("/overleggen"))


def test_the_submitting_organisation_adds_documents_to_its_own_item_only(flow):
    flow.until("publish_agenda")
    flow.upload(flow.ids["item_talent"], "Inbreng Eindhoven", "overleg", client=flow.regio)
    refused = flow.regio.post_form(
        f"/vergaderingen/{flow.ids['meeting']}/documenten/nieuw?agendapunt={flow.ids['item_grid']}",
        {"title": "Niet van ons"},
    )
    assert refused.status_code == 403


def test_a_concept_besluitenlijst_is_seen_by_the_secretariat_only(flow):
    flow.until("meeting")
    for client in (flow.rijk, flow.regio):
        assert client.get(f"/besluiten/{flow.ids['decision_grid']}").status_code == 404
        page = text(client.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))
        assert "besluit over item_grid" not in page
        assert "besluit over item_grid" not in text(client.get("/besluiten"))
    assert "besluit over item_grid" in text(flow.sec.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))


def test_members_comment_per_decision_and_see_only_their_own_organisations_comments(flow):
    flow.until("comments")
    grid = text(flow.regio.get(f"/besluiten/{flow.ids['decision_grid']}"))
    assert "Rijk: graag de netbeheerder noemen." not in grid
    assert "Regio: graag de onderwijsinstellingen" in text(flow.regio.get(f"/besluiten/{flow.ids['decision_talent']}"))
    assert "Rijk: graag de netbeheerder noemen." in text(flow.rijk.get(f"/besluiten/{flow.ids['decision_grid']}"))
    secretariat = text(flow.sec.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))
    assert "Rijk: graag" in secretariat and "Regio: graag" in secretariat
    assert flow.sec.get(f"/reacties/{flow.ids['comment_rijk']}/verwerken").status_code == 200
    assert flow.regio.get(f"/reacties/{flow.ids['comment_rijk']}/verwerken").status_code == 404


def test_adoption_waits_for_every_comment_to_be_settled(flow, clock):
    flow.until("comments")
    flow.later(clock, datetime.combine(flow.deadline + timedelta(days=1), time(9), tzinfo=AMSTERDAM))
    flow.adopt()
    page = text(flow.sec.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))
    assert "reacties open" in page
    flow.handle_comments()
    flow.ok(flow.adopt())


def test_comments_after_the_deadline_are_refused(flow, clock):
    flow.until("publish_besluitenlijst")
    flow.later(clock, datetime.combine(flow.deadline + timedelta(days=1), time(9), tzinfo=AMSTERDAM))
    response = flow.regio.post_form(f"/besluiten/{flow.ids['decision_talent']}", {"text": "Te laat."})
    assert response.status_code == 400
    assert "reactietermijn is verstreken" in text(response)


def test_attendance_and_the_action_item_appear_on_the_pages(flow):
    flow.until("publish_besluitenlijst")
    meeting = text(flow.regio.get(f"/vergaderingen/{flow.ids['meeting']}"))
    assert "vervangen door Directeur economie Eindhoven" in meeting
    besluitenlijst = text(flow.regio.get(f"/vergaderingen/{flow.ids['meeting']}/besluitenlijst"))
    assert "Aanpak talent uitwerken" in besluitenlijst
    assert "Aanpak talent uitwerken" in text(flow.regio.get("/acties"))


def test_the_decisions_page_filters_by_body_theme_meeting_and_status(flow, clock):
    flow.until("handle_comments")
    with in_app(flow.app):
        from sqlalchemy import select

        from meetings.models import Body

        body_id = db.session.scalars(select(Body.id).where(Body.slug == flow.slug)).one()
    page = text(flow.regio.get(f"/besluiten?body={body_id}"))
    assert "besluit over item_grid" in page and "BO Testregio" in page
    assert "De agenda wordt ongewijzigd vastgesteld" not in page  # BO-Brainport's, filtered out
    assert "besluit over item_grid" not in text(flow.regio.get(f"/besluiten?body={body_id}&status=vastgesteld"))
    flow.later(clock, datetime.combine(flow.deadline + timedelta(days=1), time(9), tzinfo=AMSTERDAM))
    flow.ok(flow.adopt())
    vastgesteld = text(flow.regio.get(f"/besluiten?body={body_id}&status=vastgesteld"))
    assert "besluit over item_grid" in vastgesteld
    assert f"/agendapunten/{flow.ids['item_grid']}" in vastgesteld
    assert f"/documenten/{flow.ids['doc_overleg']}/download" in vastgesteld
    assert f"/documenten/{flow.ids['doc_rijk']}/download" not in vastgesteld
    meeting_filter = text(flow.regio.get(f"/besluiten?meeting={flow.ids['meeting']}"))
    assert meeting_filter.count("/besluiten/") >= 2
