"""The index follows every write in the same transaction, and ``flask search reindex`` rebuilds it."""

from __future__ import annotations

import io

from sqlalchemy import delete, func, select, text

from core.extensions import db
from demo.pdf import text_pdf
from meetings.jobs.documents import read_texts
from meetings.models import AgendaItem, AgendaItemKind, Decision, Document, Meeting, Theme
from search.models import FTS_TABLE, EntryKind, SearchEntry
from tests.conftest import find_body, in_app, meeting_held, user
from tests.search.conftest import found

SEC = "secretariaat@ezk.test"


def _upcoming() -> Meeting:
    bo = find_body()
    return db.session.scalars(
        select(Meeting).where(Meeting.body_id == bo.id, Meeting.agenda_published_at.is_(None))
    ).one()


def test_an_agenda_item_is_found_right_after_it_is_added_changed_and_not_after_it_is_removed(app):
    from meetings.services import agenda

    with in_app(app):
        sec = user(SEC)
        item = agenda.add_agenda_item(
            sec, _upcoming(), title="Waterstofnetwerk Zuidoost-Brabant", kind=AgendaItemKind.TER_BESPREKING
        )
        db.session.flush()
        key = ("meetings.agenda_item", item.id)
        assert found(sec, "waterstofnetwerken") == [key]
        agenda.update_agenda_item(
            sec, item, title="Warmtenet Eindhoven", kind=AgendaItemKind.TER_BESPREKING, description="Restwarmte."
        )
        db.session.flush()
        assert found(sec, "waterstofnetwerk") == []
        assert found(sec, "warmtenetten") == [key]
        assert found(sec, "restwarmte") == [key]
        agenda.remove_agenda_item(sec, item)
        db.session.flush()
        assert found(sec, "warmtenet") == []
        assert (
            db.session.scalar(
                select(func.count()).where(SearchEntry.object_type == "agenda_items", SearchEntry.object_id == item.id)
            )
            == 0
        )


def test_a_decision_is_found_right_after_it_is_recorded_and_gone_after_it_is_removed(app, clock):
    from meetings.services import agenda, decisions

    with in_app(app):
        sec = user(SEC)
        meeting = _upcoming()
        agenda.publish_agenda(sec, meeting)
        meeting_held(clock, meeting)
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).first()
        decision = decisions.add_decision(sec, item, text="Het BO stemt in met de kwartiermaker voor batterijopslag.")
        db.session.flush()
        key = ("meetings.decision", decision.id)
        assert key in found(sec, "kwartiermakers", kind=EntryKind.BESLUIT)
        decisions.update_decision(sec, decision, text="Het BO vraagt een verkenning naar buurtbatterijen.")
        db.session.flush()
        assert key not in found(sec, "kwartiermaker")
        assert key in found(sec, "buurtbatterij")
        decisions.remove_decision(sec, decision)
        db.session.flush()
        assert found(sec, "buurtbatterij") == []


def test_a_new_theme_on_an_agenda_item_carries_over_to_its_decisions(app):
    from meetings.services import agenda

    with in_app(app):
        sec = user(SEC)
        talent = db.session.scalars(select(Theme).where(Theme.name == "Talent")).one()
        netcapaciteit = db.session.scalars(select(Theme).where(Theme.name == "Netcapaciteit")).one()
        decision = db.session.scalars(
            select(Decision)
            .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
            .where(AgendaItem.theme_id == talent.id)
        ).first()
        item = db.session.get(AgendaItem, decision.agenda_item_id)
        decision_keys = {
            ("meetings.decision", i)
            for i in db.session.scalars(select(Decision.id).where(Decision.agenda_item_id == item.id))
        }
        assert decision_keys <= set(found(sec, theme_id=talent.id, kind=EntryKind.BESLUIT))
        agenda.update_agenda_item(
            sec, item, title=item.title, kind=item.kind, description=item.description, theme_id=netcapaciteit.id
        )
        db.session.flush()
        assert decision_keys <= set(found(sec, theme_id=netcapaciteit.id, kind=EntryKind.BESLUIT))
        assert not decision_keys & set(found(sec, theme_id=talent.id, kind=EntryKind.BESLUIT))


def test_an_uploaded_pdf_is_found_by_its_text(app, clients):
    sec = clients(SEC)
    with in_app(app):
        meeting = _upcoming()
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).first()
        meeting_id, item_id = meeting.id, item.id
    pdf = text_pdf("Verkenning", ["De provincie onderzoekt zonneparken langs de snelwegen."])
    response = sec.post_form(
        f"/vergaderingen/{meeting_id}/documenten/nieuw?agendapunt={item_id}",
        {"title": "Verkenning energie", "file": (io.BytesIO(pdf), "verkenning.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    with in_app(app):
        read_texts("test", everything=True)  # the scheduler's round after the upload
    page = sec.get("/zoeken", query_string={"q": "zonnepark"}).get_data(as_text=True)
    with in_app(app):
        document = db.session.scalars(select(Document).where(Document.title == "Verkenning energie")).one()
    assert f"/documenten/{document.id}/download" in page
    assert "<mark>zonneparken</mark>" in page


def test_reindex_rebuilds_the_index_and_reads_texts_still_missing(app):
    with in_app(app):
        before = db.session.scalar(select(func.count(SearchEntry.id)))
        sec = user(SEC)
        talent = found(sec, "talenten")
        annotation = db.session.scalars(
            select(Document).where(Document.title == "Annotatie voor de bewindspersonen")
        ).one()
        annotation.text_content = None
        db.session.flush()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text(f"DELETE FROM {FTS_TABLE}"))
        db.session.execute(delete(SearchEntry))
        assert found(sec, "talenten") == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"{before} items" in result.output and "1 documenten" in result.output
    with in_app(app):
        assert sorted(found(user(SEC), "talenten")) == sorted(talent)  # ties may come in another order
        # The annotation's text came back from its file: "inzet" is only in the PDF.
        document = db.session.scalars(
            select(Document).where(Document.title == "Annotatie voor de bewindspersonen")
        ).one()
        assert "Voorgestelde inzet" in (document.text_content or "")
        assert ("meetings.document_download", document.id) in found(user(SEC), "bewindspersonen afstemming")
