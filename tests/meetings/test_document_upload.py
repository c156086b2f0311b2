"""Several documents at once: a title per file (by default the file's name without its extension), every
file checked before any is stored, and a refused form that keeps what was typed and says that the files
must be chosen again."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from demo.pdf import text_pdf
from meetings import storage
from meetings.models import AgendaItem, AgendaItemKind, Document, Meeting
from meetings.services import agenda
from tests.conftest import in_app, new_meeting, user

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
EINDHOVEN = "economie@eindhoven.test"


def meeting_with_items(app: Any) -> tuple[int, int, int]:
    """A published meeting with an item the province brought in and one of Eindhoven's."""
    with in_app(app):
        meeting = new_meeting(date(2031, 10, 7), location="Eindhoven")
        province = agenda.add_agenda_item(
            user(SEC),
            meeting,
            title="Netcongestie",
            kind=AgendaItemKind.TER_BESPREKING,
            organisation_id=user(REGIO).organisation_id,
        )
        city = agenda.add_agenda_item(
            user(SEC),
            meeting,
            title="Stikstof",
            kind=AgendaItemKind.TER_BESPREKING,
            organisation_id=user(EINDHOVEN).organisation_id,
        )
        db.session.flush()
        agenda.publish_agenda(user(SEC), meeting)
        return meeting.id, province.id, city.id


def upload(client: Any, meeting_id: int, item_id: int, files: list[tuple[bytes, str]], **fields: Any) -> Any:
    return client.post_form(
        f"/vergaderingen/{meeting_id}/documenten/nieuw?agendapunt={item_id}",
        {**fields, "file": [(io.BytesIO(content), name) for content, name in files]},
        content_type="multipart/form-data",
    )


def documents_of(app: Any, item_id: int) -> list[tuple[str, str, Audience]]:
    with in_app(app):
        return [
            (d.title, d.filename, d.audience)
            for d in db.session.scalars(
                select(Document).where(Document.agenda_item_id == item_id).order_by(Document.id)
            )
        ]


def pdf(text: str) -> bytes:
    return text_pdf(text, [f"Inhoud van {text}."])


def test_several_files_at_once_each_with_its_title_or_its_name(app, clients):
    meeting_id, item_id, _other = meeting_with_items(app)
    sec = clients(SEC)
    response = upload(
        sec,
        meeting_id,
        item_id,
        [
            (pdf("Annotatie"), "annotatie.pdf"),
            (pdf("Kaart"), "Kaart netcapaciteit 2026.pdf"),
            (pdf("Brief"), "brief.pdf"),
        ],
        title="Annotatie voor de bewindspersonen\n\nKamerbrief netcongestie\n",
        audience="rijk",
    )
    assert response.status_code == 302
    assert documents_of(app, item_id) == [
        ("Annotatie voor de bewindspersonen", "annotatie.pdf", Audience.RIJK),
        ("Kaart netcapaciteit 2026", "Kaart netcapaciteit 2026.pdf", Audience.RIJK),
        ("Kamerbrief netcongestie", "brief.pdf", Audience.RIJK),
    ]
    page = sec.get(f"/agendapunten/{item_id}").get_data(as_text=True)
    assert "3 documenten toegevoegd: Annotatie voor de bewindspersonen, Kaart netcapaciteit 2026" in page


def test_one_bad_file_stores_none_and_the_form_keeps_what_was_typed(app, clients):
    meeting_id, item_id, _other = meeting_with_items(app)
    sec = clients(SEC)
    with in_app(app):
        before = (
            db.session.scalar(select(func.count(Document.id))),
            db.session.scalar(select(func.count(AuditRecord.id))),
        )
    good = pdf("Uniek stuk voor deze test 7f3a")
    response = upload(
        sec,
        meeting_id,
        item_id,
        [(good, "goed.pdf"), (b"MZ\x90\x00 geen pdf", "virus.pdf")],
        title="Goed stuk\nSlecht stuk",
        audience="rijk",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="file-fout">([^<]*)</p>', page)
    assert error and error.group(1).startswith("virus.pdf: De inhoud van dit bestand past niet bij de extensie .pdf")
    assert "Kies het bestand of de bestanden opnieuw" in re.sub(r"\s+", " ", page)
    assert re.search(r'<textarea[^>]*name="title"[^>]*>\s*Goed stuk\nSlecht stuk</textarea>', page)
    assert re.search(r'<option selected value="rijk">|<option value="rijk" selected>', page)
    with in_app(app):
        after = (
            db.session.scalar(select(func.count(Document.id))),
            db.session.scalar(select(func.count(AuditRecord.id))),
        )
        assert after == before
        assert not storage.is_stored(hashlib.sha256(good).hexdigest()), "no file kept either"


def test_titles_and_files_must_fit(app, clients):
    meeting_id, item_id, _other = meeting_with_items(app)
    sec = clients(SEC)
    response = upload(sec, meeting_id, item_id, [(pdf("Een"), "een.pdf")], title="Een\nTwee")
    assert response.status_code == 400 and "U gaf 2 titels voor 1 bestand" in response.get_data(as_text=True)
    limit = app.config["MAX_UPLOAD_FILES"]
    response = upload(sec, meeting_id, item_id, [(pdf(f"Stuk {n}"), f"stuk-{n}.pdf") for n in range(limit + 1)])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Kies hoogstens {limit} bestanden tegelijk; u koos er {limit + 1}." in page
    assert documents_of(app, item_id) == []


def test_a_member_adds_several_to_the_item_of_its_organisation_only(app, clients):
    meeting_id, province_item, city_item = meeting_with_items(app)
    regio = clients(REGIO)
    files = [(pdf("Inzet"), "inzet provincie.pdf"), (pdf("Kaart"), "kaart.pdf")]
    assert upload(regio, meeting_id, province_item, files).status_code == 302
    assert [t for t, _f, _a in documents_of(app, province_item)] == ["inzet provincie", "kaart"]
    assert upload(regio, meeting_id, city_item, files).status_code == 403
    assert documents_of(app, city_item) == []
    with in_app(app):
        hidden = new_meeting(date(2032, 3, 9), location="Den Haag", audience=Audience.RIJK)
        db.session.flush()
        hidden_id = hidden.id
        hidden_item = agenda.add_agenda_item(user(SEC), hidden, title="Intern", kind=AgendaItemKind.HAMERSTUK)
        db.session.flush()
        hidden_item_id = hidden_item.id
    assert upload(regio, hidden_id, hidden_item_id, files).status_code == 404


def test_the_service_titles_by_name_and_refuses_a_long_title(app):
    with in_app(app):
        meeting = db.session.scalars(select(Meeting).where(Meeting.agenda_published_at.is_not(None))).first()
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).first()
        made = agenda.add_documents(
            user(SEC),
            meeting,
            files=[storage.Upload("C:\\\\Stukken\\\\Verslag werkbezoek.pdf", pdf("Verslag"), title="  ")],
            agenda_item=item,
        )
        assert [d.title for d in made] == ["Verslag werkbezoek"]
        with pytest.raises(DomainError) as refused:
            agenda.add_documents(
                user(SEC), meeting, files=[storage.Upload("a.pdf", pdf("A"), title="x" * 201)], agenda_item=item
            )
        assert refused.value.field == "title"
