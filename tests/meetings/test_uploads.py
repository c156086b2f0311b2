"""An upload is checked before it is stored: a zip bomb is refused before any of it is unpacked."""

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

from core import sandbox
from core.extensions import db
from meetings import storage
from meetings.models import Body, Document, Meeting
from tests.conftest import in_app
from tests.meetings.hostile import docx_bomb, odt_mimetype_bomb

SEC = "secretariaat@ezk.test"
MB = 1024 * 1024


def _published_meeting(app: Any) -> int:
    """The demo's BO-Brainport of March 2023: its agenda is out, so members of both sides see it."""
    with in_app(app):
        bo = db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()
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
        assert not storage.path_for(hashlib.sha256(content).hexdigest()).exists(), "no file kept"
    assert children == []
