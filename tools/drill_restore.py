"""The restore drill: a backup made while people write, restored into a fresh database, nothing lost.

    make drill-restore        (or: python -m tools.drill_restore [sqlite] [postgresql])

Per database (SQLite always; PostgreSQL when one answers on 127.0.0.1:5432, see ``tools.throwaway``):

1. a fresh database with the demo;
2. a writer thread uploads documents through the services (each its own transaction, with its audit
   record), as fast as it can, and notes each one the moment its commit returned;
3. meanwhile ``flask backup create`` runs in a process of its own;
4. the writer stops; ``flask backup restore`` puts the backup into another fresh database, which
   verifies the parts, the rows per table and the audit chain against the manifest;
5. the drill checks what the restore cannot know: every upload acknowledged before the backup began
   is there, with the bytes that were uploaded; the uploads that are there are exactly the first n
   acknowledged (a snapshot, not a mix); no document without its content or its audit record.

It prints its figures and exits 1 when anything is lost or differs. Every step has a time limit.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import throwaway

ROOT = Path(__file__).resolve().parent.parent
#: The longest a backup or a restore may take here; the demo's database needs a few seconds.
STEP_SECONDS = 180
#: How long the writer writes before the backup starts, and after it ended.
WARM_SECONDS = 1.0
SECRETARIAT = "secretariaat@ezk.test"


@dataclass
class Write:
    """One upload the writer was told succeeded."""

    number: int
    sha256: str
    acknowledged: float


@dataclass
class Figures:
    kind: str
    backup_bytes: int = 0
    #: What the command says it took, and its process from start to exit (Python and the app's imports
    #: take a few seconds of that on a busy machine).
    backup_seconds: float = 0.0
    backup_process_seconds: float = 0.0
    restore_seconds: float = 0.0
    restore_process_seconds: float = 0.0
    rows: int = 0
    tables: int = 0
    documents: int = 0
    audit_records: int = 0
    writes: int = 0
    writes_during_backup: int = 0
    writes_in_backup: int = 0
    problems: list[str] = field(default_factory=list)


def _content(number: int) -> bytes:
    """A document of about 64 KB that compresses no more than a real PDF, different every time."""
    return f"%PDF-1.4\n% drill {number}\n".encode() + os.urandom(64 * 1024)


class Writer(threading.Thread):
    """Uploads documents through ``agenda.add_document`` until stopped, one transaction each."""

    def __init__(self, app: Any) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.done: list[Write] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from sqlalchemy import select

        from auth.models import User
        from core.acting import origin
        from core.extensions import db
        from meetings.models import Meeting
        from meetings.services import agenda

        number = 0
        try:
            while not self.stop.is_set():
                number += 1
                content = _content(number)
                with self.app.app_context(), origin("drill"):
                    actor = db.session.scalars(select(User).where(User.email == SECRETARIAT)).one()
                    meeting = db.session.scalars(
                        select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")
                    ).one()
                    agenda.add_document(
                        actor, meeting, title=f"Drill {number}", filename=f"drill-{number}.pdf", content=content
                    )
                    db.session.commit()
                    db.session.remove()
                self.done.append(Write(number, hashlib.sha256(content).hexdigest(), time.monotonic()))
        except BaseException as exc:  # reported by the drill, which then fails
            self.error = exc


def _flask(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "REGIOTAFEL_ENV": "test", "FLASK_APP": "wsgi"}
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=STEP_SECONDS
    )


def _seconds(output: str) -> float:
    """The seconds a backup command reports ("… in 1.2 s.")."""
    found = re.findall(r" in (\d+(?:\.\d+)?) s\.", output)
    return float(found[-1]) if found else float("nan")


def drill(kind: str, folder: Path) -> Figures:
    from sqlalchemy import func, select

    from audit.models import AuditRecord
    from core.backup import counts
    from core.extensions import db
    from meetings.models import Document, StoredFile

    figures = Figures(kind)
    backup = folder / f"{kind}.backup"
    with throwaway.database(kind, folder) as source_url:
        source = throwaway.app_on(source_url, folder)
        throwaway.migrate_with_demo(source, by="drill")
        writer = Writer(source)
        writer.start()
        try:
            time.sleep(WARM_SECONDS)
            began = time.monotonic()
            made = _flask(source_url, "backup", "create", "--output", str(backup))
            ended = time.monotonic()
            time.sleep(WARM_SECONDS)
        finally:
            writer.stop.set()
            writer.join(timeout=STEP_SECONDS)
            with source.app_context():
                db.engine.dispose()
        figures.backup_process_seconds = ended - began
        figures.backup_seconds = _seconds(made.stdout)
        figures.writes = len(writer.done)
        figures.writes_during_backup = sum(1 for w in writer.done if began <= w.acknowledged <= ended)
        if writer.error is not None:
            figures.problems.append(f"the writer failed: {writer.error!r}")
        if made.returncode != 0:
            figures.problems.append(f"backup create failed: {made.stdout}{made.stderr}"[-3000:])
            return figures
        figures.backup_bytes = backup.stat().st_size

    with throwaway.database(kind, folder) as target_url:
        started = time.monotonic()
        restored = _flask(target_url, "backup", "restore", str(backup))
        figures.restore_process_seconds = time.monotonic() - started
        figures.restore_seconds = _seconds(restored.stdout)
        if restored.returncode != 0:
            figures.problems.append(f"backup restore failed: {restored.stdout}{restored.stderr}"[-3000:])
            return figures
        target = throwaway.app_on(target_url, folder)
        try:
            with target.app_context():
                with db.engine.connect() as connection:
                    found = counts(connection)
                figures.rows, figures.tables = sum(found.values()), len(found)
                figures.documents, figures.audit_records = found["documents"], found["audit_records"]
                drilled = {
                    title: digest
                    for title, digest in db.session.execute(
                        select(Document.title, StoredFile.sha256)
                        .outerjoin(StoredFile, StoredFile.sha256 == Document.sha256)
                        .where(Document.title.like("Drill %"))
                    )
                }
                without_content = db.session.scalar(
                    select(func.count(Document.id)).where(
                        ~select(StoredFile.sha256).where(StoredFile.sha256 == Document.sha256).exists()
                    )
                )
                recorded = set(
                    db.session.scalars(
                        select(AuditRecord.object_id).where(
                            AuditRecord.object_type == "documents", AuditRecord.action == "create"
                        )
                    )
                )
                document_ids = set(db.session.scalars(select(Document.id)))
                db.session.remove()
        finally:
            with target.app_context():
                db.engine.dispose()

    figures.writes_in_backup = len(drilled)
    acknowledged_before = [w for w in writer.done if w.acknowledged < began]
    lost = [w.number for w in acknowledged_before if f"Drill {w.number}" not in drilled]
    if lost:
        figures.problems.append(f"{len(lost)} uploads acknowledged before the backup began are missing: {lost[:10]}")
    prefix = {f"Drill {w.number}": w.sha256 for w in writer.done[: len(drilled)]}
    if drilled != prefix:
        figures.problems.append("the uploads in the backup are not the first ones acknowledged, with their bytes")
    if without_content:
        figures.problems.append(f"{without_content} documents without their content")
    if document_ids - recorded:
        figures.problems.append(f"documents without their audit record: {sorted(document_ids - recorded)[:10]}")
    return figures


def main(kinds: list[str]) -> int:
    results = throwaway.drill_each(kinds, drill)
    print(
        f"{'database':<11} {'backup MB':>9} {'backup s':>12} {'restore s':>12} {'tables':>6} {'rows':>7} "
        f"{'documents':>9} {'audit':>6} {'writes':>6} {'during':>6} {'in backup':>9}  result"
    )
    for f in results:
        print(
            f"{f.kind:<11} {f.backup_bytes / 1024 / 1024:>9.1f} "
            f"{_pair(f.backup_seconds, f.backup_process_seconds):>12} "
            f"{_pair(f.restore_seconds, f.restore_process_seconds):>12} "
            f"{f.tables:>6} {f.rows:>7} {f.documents:>9} {f.audit_records:>6} {f.writes:>6} "
            f"{f.writes_during_backup:>6} {f.writes_in_backup:>9}  {'ok' if not f.problems else 'LOST'}"
        )
        for problem in f.problems:
            print(f"  {f.kind}: {problem}", file=sys.stderr)
    print("seconds: what the command took (its whole process, with Python's start); writes: uploads acknowledged,")
    print("during: acknowledged while the backup ran, in backup: uploads the restored database holds")
    return 1 if any(f.problems for f in results) else 0


def _pair(own: float, process: float) -> str:
    return f"{own:.1f} ({process:.1f})"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
