"""An upload is checked and stored, and the request returns; the text is read later. A zip bomb is
refused before any of it is unpacked. A document without text is found by its title and says why.
Nobody learns anything of a document they may not see."""

from __future__ import annotations

import hashlib
import io
import re
import resource
import zipfile
import zlib
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from core import sandbox
from core.extensions import db
from demo.pdf import text_pdf
from meetings import storage
from meetings.jobs.documents import read_texts
from meetings.models import Document, Meeting, TextStatus
from tests.conftest import find_body, in_app
from tests.meetings.hostile import docx_bomb, odt_mimetype_bomb, shared_stream_pdf

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
MB = 1024 * 1024


def _published_meeting(app: Any) -> int:
    """The demo's BO-Brainport of March 2023: its agenda is out, so members of both sides see it."""
    with in_app(app):
        bo = find_body()
        return db.session.scalars(
            select(Meeting.id)
            .where(Meeting.body_id == bo.id, Meeting.agenda_published_at.is_not(None))
            .order_by(Meeting.starts_at)
        ).first()


def _upload(client: Any, meeting_id: int, title: str, filename: str, content: bytes, audience: str = "") -> Any:
    return client.post_form(
        f"/vergaderingen/{meeting_id}/documenten/nieuw",
        {"title": title, "audience": audience, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _document(app: Any, title: str) -> Document | None:
    with in_app(app):
        return db.session.scalars(
            select(Document).where(Document.title == title).options(undefer(Document.text_content))
        ).one_or_none()


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _found(client: Any, query: str, document_id: int) -> bool:
    return f"/documenten/{document_id}/download" in _text(client.get("/zoeken", query_string={"q": query}))


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every limited child started, by its arguments."""
    started: list[tuple[Any, ...]] = []
    real = sandbox.run

    def recorded(*args: Any) -> sandbox.Result:
        started.append(args)
        return real(*args)

    monkeypatch.setattr(sandbox, "run", recorded)
    return started


def test_the_upload_returns_without_reading_and_a_heavy_pdf_is_kept_without_text_found_by_its_title(
    app, clients, children, monkeypatch
):
    sec, meeting_id = clients(SEC), _published_meeting(app)
    response = _upload(sec, meeting_id, "Doorrekening netcongestie Brainport", "doorrekening.pdf", shared_stream_pdf())
    assert response.status_code == 302
    assert children == [], "the upload request read nothing"
    document = _document(app, "Doorrekening netcongestie Brainport")
    assert document is not None and document.text_status is TextStatus.WACHT
    assert _found(sec, "netcongestie doorrekening", document.id), "the title is found at once"
    page = _text(sec.get(f"/vergaderingen/{meeting_id}"))
    assert "Doorrekening netcongestie Brainport" in page
    assert "Tekst nog niet doorzoekbaar: de tekst wordt nog gelezen." in page

    monkeypatch.setitem(app.config, "DOCUMENT_TEXT_CPU_SECONDS", 2)
    with in_app(app):
        assert read_texts("test", everything=True) == {TextStatus.TE_ZWAAR: 1}
    assert len(children) == 1
    document = _document(app, "Doorrekening netcongestie Brainport")
    assert document.text_status is TextStatus.TE_ZWAAR and document.text_content is None
    page = _text(sec.get(f"/vergaderingen/{meeting_id}"))
    assert "Tekst niet doorzoekbaar: het bestand was te zwaar om te lezen." in page
    assert _found(sec, "doorrekening", document.id), "still found by its title"


class Inflated:
    """Counts what zipfile unpacks, to show that a bomb is refused before any of it is."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bytes = 0
        real = zlib.decompressobj
        counter = self

        class Counting:
            def __init__(self, *args: Any) -> None:
                self._inner = real(*args)

            def decompress(self, data: bytes, max_length: int = 0) -> bytes:
                out = self._inner.decompress(data, max_length)
                counter.bytes += len(out)
                return out

            def __getattr__(self, name: str) -> Any:
                return getattr(self._inner, name)

        monkeypatch.setattr(zlib, "decompressobj", Counting)


@pytest.mark.parametrize(
    ("filename", "bomb"),
    [("verslag.odt", odt_mimetype_bomb), ("verslag.docx", docx_bomb)],
    ids=["odt-mimetype-400MB", "docx-document.xml-300MB"],
)
def test_a_zip_bomb_is_refused_next_to_the_file_field_before_any_of_it_is_unpacked(
    app, clients, children, monkeypatch, filename, bomb
):
    content = bomb()
    assert len(content) < 512 * 1024, "small enough to pass the size check"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert max(info.file_size for info in archive.infolist()) >= 300 * MB
    sec, meeting_id = clients(SEC), _published_meeting(app)
    with in_app(app):
        before = db.session.scalar(select(func.count(Document.id)))
    inflated = Inflated(monkeypatch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    response = _upload(sec, meeting_id, "Verslag met zipbom", filename, content)

    assert response.status_code == 400
    error = re.search(r'<p class="error" id="file-fout">([^<]*)</p>', response.get_data(as_text=True))
    assert error, "the message stands next to the file field"
    assert "Dit bestand pakt uit tot meer dan Regiotafel veilig kan lezen (zoals een zipbom)" in error.group(1)
    assert inflated.bytes == 0, "nothing was unpacked"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak < 100 * MB
    with in_app(app):
        assert db.session.scalar(select(func.count(Document.id))) == before
        assert not storage.is_stored(hashlib.sha256(content).hexdigest()), "no file kept"
    assert children == []


def test_a_regio_member_never_learns_a_rijk_documents_title_or_text(app, clients, monkeypatch):
    sec, rijk, regio = clients(SEC), clients(RIJK), clients(REGIO)
    meeting_id = _published_meeting(app)
    pdf = text_pdf("Pelikaanoverleg", ["De inzet van het Rijk voor het tulpenbollenfonds is 40 miljoen."])
    assert _upload(sec, meeting_id, "Pelikaanoverleg Rijk", "ruimte.pdf", pdf, "rijk").status_code == 302
    heavy = shared_stream_pdf()
    assert _upload(sec, meeting_id, "Zwaar kraanvogelstuk", "zwaar.pdf", heavy, "rijk").status_code == 302
    shared, heavy_doc = _document(app, "Pelikaanoverleg Rijk"), _document(app, "Zwaar kraanvogelstuk")

    def regio_learns_nothing() -> None:
        for query in ("pelikaanoverleg", "tulpenbollenfonds", "kraanvogelstuk"):
            page = _text(regio.get("/zoeken", query_string={"q": query}))
            assert "Pelikaanoverleg" not in page and "Zwaar kraanvogelstuk" not in page, query
            assert f"/documenten/{shared.id}/" not in page and f"/documenten/{heavy_doc.id}/" not in page
        meeting = _text(regio.get(f"/vergaderingen/{meeting_id}"))
        assert "Pelikaanoverleg" not in meeting and "Zwaar kraanvogelstuk" not in meeting
        assert "te zwaar" not in meeting and "nog gelezen" not in meeting
        assert regio.get(f"/documenten/{shared.id}/download").status_code == 404

    regio_learns_nothing()
    assert _found(rijk, "pelikaanoverleg", shared.id)
    monkeypatch.setitem(app.config, "DOCUMENT_TEXT_CPU_SECONDS", 2)
    with in_app(app):
        assert read_texts("test", everything=True) == {TextStatus.GELEZEN: 1, TextStatus.TE_ZWAAR: 1}
    regio_learns_nothing()
    assert _found(rijk, "tulpenbollenfonds", shared.id), "a Rijk member finds it by its text"
    assert _found(rijk, "kraanvogelstuk", heavy_doc.id), "and the heavy one by its title"
    assert "Tekst niet doorzoekbaar: het bestand was te zwaar om te lezen." in _text(
        rijk.get(f"/vergaderingen/{meeting_id}")
    )
