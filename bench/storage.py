"""Benchmark: what does keeping documents in the database cost, next to files on disk?

    make bench-storage        (or: python -m bench.storage [MB] [ROUNDS])

For a file of MB megabytes (default 10; random bytes behind a PDF header, which compress no more than
a real PDF), ROUNDS times (default 5) with a new file each time, it measures:

* storage: ``meetings.storage.store`` and a commit, then reading it back in pieces as a download does
  (``open_pieces``); on SQLite, and on PostgreSQL when one answers (``tools.throwaway``);
* the file system, as ``meetings.storage`` kept files before the move (write aside, rename; read in
  1 MB pieces), without and with fsync, in the same temporary folder;
* a whole request: the upload form (multipart, every check, the audit record) and the download,
  through the test client.

It prints the median seconds and MB/s of each; it measures, it does not judge.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def content_of(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 9)


def median(runs: list[float]) -> float:
    return statistics.median(runs)


def file_system(folder: Path, contents: list[bytes], *, fsync: bool) -> tuple[list[float], list[float]]:
    """The old storage: ``<folder>/<2 hex>/<sha256>``, written aside and renamed; read in pieces."""
    writes, reads = [], []
    for content in contents:
        started = time.perf_counter()
        digest = hashlib.sha256(content).hexdigest()
        target = folder / digest[:2] / digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            if fsync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temporary, target)
        writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        with target.open("rb") as source:
            while source.read(MB):
                pass
        reads.append(time.perf_counter() - started)
    return writes, reads


def _app(url: str, folder: Path) -> Any:
    from tools import throwaway

    app = throwaway.app_on(url, folder, MAX_DOCUMENT_BYTES=64 * MB, WTF_CSRF_ENABLED=False)
    throwaway.migrate_with_demo(app, by="bench")
    return app


def database(app: Any, contents: list[bytes]) -> tuple[list[float], list[float], list[float]]:
    from core.extensions import db
    from meetings import storage

    writes, reads, whole = [], [], []
    for content in contents:
        with app.app_context():
            started = time.perf_counter()
            digest = storage.store(content)
            db.session.commit()
            writes.append(time.perf_counter() - started)
            db.session.remove()
        with app.app_context():
            started = time.perf_counter()
            opened = storage.open_pieces(digest)
            assert opened is not None
            size, pieces = opened
            assert sum(len(piece) for piece in pieces) == size == len(content)
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert storage.read(digest) == content
            whole.append(time.perf_counter() - started)
            db.session.remove()
    return writes, reads, whole


def requests(app: Any, contents: list[bytes]) -> tuple[list[float], list[float]]:
    """Upload through the form and download through the link, as the secretariat and a member do."""
    from sqlalchemy import select

    from core.extensions import db
    from meetings.models import AgendaItem, Document, Meeting

    with app.app_context():
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")).one()
        item = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.title.like("Talent%"))
        ).one()
        meeting_id, item_id = meeting.id, item.id
        db.session.remove()
    secretariat, member = app.test_client(), app.test_client()
    for client, email in ((secretariat, "secretariaat@ezk.test"), (member, "economie@noord-brabant.test")):
        client.post("/auth/login", data={"email": email, "password": "regiotafel-demo"})
    uploads, downloads = [], []
    for n, content in enumerate(contents):
        started = time.perf_counter()
        response = secretariat.post(
            f"/vergaderingen/{meeting_id}/documenten/nieuw?agendapunt={item_id}",
            data={"file": [(io.BytesIO(content), f"bench-{n}.pdf")], "title": f"Bench {n}"},
            content_type="multipart/form-data",
        )
        uploads.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        response.request.environ["wsgi.input"].close()
        with app.app_context():
            digest = hashlib.sha256(content).hexdigest()
            document_id = db.session.scalars(select(Document.id).where(Document.sha256 == digest)).one()
            db.session.remove()
        started = time.perf_counter()
        response = member.get(f"/documenten/{document_id}/download")
        received = response.data
        downloads.append(time.perf_counter() - started)
        response.close()
        assert received == content
    return uploads, downloads


def main(megabytes: int = 10, rounds: int = 5) -> int:
    from tools import throwaway

    size = megabytes * MB
    rows: list[tuple[str, str, list[float]]] = []

    def add(where: str, what: str, measure: Callable[[], tuple[list[float], ...]], names: tuple[str, ...]) -> None:
        for name, runs in zip(names, measure(), strict=True):
            rows.append((where, f"{what}: {name}", runs))

    kinds = ["sqlite"] + (["postgresql"] if throwaway.postgres_reachable() else [])
    with tempfile.TemporaryDirectory(prefix="regiotafel-bench-") as tmp:
        folder = Path(tmp)
        for fsync in (False, True):
            label = "file system" + (" + fsync" if fsync else "")
            add(
                label,
                "storage",
                lambda fsync=fsync: file_system(
                    folder / "documents", [content_of(size) for _ in range(rounds)], fsync=fsync
                ),
                ("write", "read"),
            )
        for kind in kinds:
            with throwaway.database(kind, folder) as url:
                app = _app(url, folder)
                add(
                    kind,
                    "storage",
                    lambda app=app: database(app, [content_of(size) for _ in range(rounds)]),
                    ("write+commit", "read in pieces", "read at once"),
                )
                add(
                    kind,
                    "request",
                    lambda app=app: requests(app, [content_of(size) for _ in range(rounds)]),
                    ("upload", "download"),
                )
                from core.extensions import db

                with app.app_context():
                    db.engine.dispose()
    print(f"{megabytes} MB per file, median of {rounds} rounds")
    print(f"{'where':<22} {'what':<30} {'seconds':>8} {'MB/s':>8}")
    for where, what, runs in rows:
        seconds = median(runs)
        print(f"{where:<22} {what:<30} {seconds:>8.3f} {megabytes / seconds:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*(int(a) for a in sys.argv[1:3])))
