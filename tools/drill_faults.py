"""The faults drill: the database unreachable, the documents' storage full and SMTP down, against a real
gunicorn and scheduler on a throwaway PostgreSQL database; nothing lost, never a 500.

    make drill-faults        (or: python -m tools.drill_faults)

1. A fresh PostgreSQL database with the demo and a meeting of today. gunicorn (2 sync workers, as
   production) and ``flask scheduler run`` reach it through a TCP relay in this process
   (``tools.relay``): the network between the app and its database, which the drill cuts for real
   without root and without touching the server.
2. *SMTP down*, from the start: the mail server's port is closed while the first two faults run, so
   every scheduler round fails to send what is due.
3. *The database unreachable* for ``DRILL_OUTAGE_SECONDS`` (30): the relay closes every open connection
   and refuses new ones. Meanwhile a reader asks the pages of a meeting, a decision, a case, the start
   page and search, and ``/healthz``, about twice a second; the secretariat keeps saving agenda items
   through the form it opened before (so the posts reach the app). Every page must be the Dutch 503
   page, ``/healthz`` 503, no write acknowledged. Then the relay lets connections through again and the
   drill measures how long until every page and ``/healthz`` answer 200 and a write is acknowledged,
   *without restarting anything*: gunicorn's master, its workers and the scheduler must be the same
   processes as before.
4. *The documents' storage full*: documents live in the database, so a full disk is PostgreSQL refusing
   the bytes. The drill cannot fill the server's disk (no root, and the server is shared), so it makes
   the real server refuse them with the real error: a trigger on ``stored_files`` raises SQLSTATE 53100
   (``disk_full``, *could not extend file*) for any file over 64 KB, the error a full disk gives on that
   INSERT. An upload of a small and a large file must come back with the Dutch message at the file field
   and record nothing (neither document, nor the small file's bytes, nor an audit record); with the
   trigger gone the same upload goes through, and its document downloads.
5. *SMTP back*: a local SMTP server starts on the port; every message due must be sent, each received
   exactly once (by Message-ID), none marked failed.
6. The checks of every drill: every acknowledged write in the database, nothing half-written,
   PostgreSQL's amcheck, ``flask audit verify``; and no response of 500 or more except the 503s.

It prints a table per fault and exits 1 on any loss or any 500. Every wait has a time limit.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import throwaway
from tools.drilling import (
    DATABASE_PREFIX,
    ROOT,
    SECRETARIAT,
    Browser,
    Client,
    Sink,
    Write,
    acknowledged_found,
    agenda_target,
    audit_verify,
    due_left,
    free_port,
    half_written,
    ids,
    meeting_today,
    messages_sent_once,
    production_env,
    say,
    start_scheduler,
    start_web,
    stop,
    stored_markers,
    unhandled,
    wait_healthy,
)
from tools.relay import Relay, relayed_url, target_of

OUTAGE_SECONDS = float(os.environ.get("DRILL_OUTAGE_SECONDS", "30"))
#: How long the app may take to answer again once the database is back, and the scheduler to send.
RECOVER_SECONDS = 60
LEASE_SECONDS = 3
UNAVAILABLE = "Even niet beschikbaar"
FULL = "De opslag van Regiotafel is vol"
#: Files over this size the "full" database refuses (the small one of the upload goes in first).
ROOM_BYTES = 64 * 1024
DISK_FULL = f"""
CREATE FUNCTION drill_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF octet_length(NEW.content) > {ROOM_BYTES} THEN
        RAISE EXCEPTION 'could not extend file "base/drill": No space left on device (drill-faults)'
            USING ERRCODE = 'disk_full';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER drill_disk_full BEFORE INSERT ON stored_files FOR EACH ROW EXECUTE FUNCTION drill_disk_full();
"""
ROOM_AGAIN = "DROP TRIGGER drill_disk_full ON stored_files; DROP FUNCTION drill_disk_full();"


@dataclass
class Fault:
    """One fault's figures: one row of the table."""

    name: str
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: int = 0
    found: int = 0
    recover_seconds: float | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Responses of 500 or more other than the 503 the app means to give."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)


# --- the database unreachable -----------------------------------------------------------------------


class Reader(threading.Thread):
    """Asks ``pages`` in turn, about twice a second, and keeps (moment, page, status, Dutch 503 page)."""

    def __init__(self, base: str, pages: list[str]) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(base, timeout=20)
        self.pages = pages
        self.stop = threading.Event()
        self.seen: list[tuple[float, str, int, bool]] = []

    def run(self) -> None:
        self.browser.sign_in(SECRETARIAT)
        while not self.stop.is_set():
            for page in self.pages:
                try:
                    status, _location, body = self.browser.request(page)
                except OSError:
                    status, body = 0, ""
                self.seen.append((time.monotonic(), page, status, UNAVAILABLE in body or page == "/healthz"))
            self.stop.wait(0.5)


def database_unreachable(base: str, relay: Relay, pages: list[str], writer: Client) -> Fault:
    """Cut the relay for OUTAGE_SECONDS with a reader and a writer at work; restore it and time the
    recovery."""
    fault = Fault(f"database unreachable {OUTAGE_SECONDS:.0f} s")
    reader = Reader(base, pages)
    reader.start()
    time.sleep(3)  # a few rounds with the database there
    cut = time.monotonic()
    relay.cut()
    time.sleep(OUTAGE_SECONDS)
    restored = time.monotonic()
    relay.restore()
    deadline = restored + RECOVER_SECONDS
    back: float | None = None
    while time.monotonic() < deadline:
        answered = [s for at, _p, s, _d in reader.seen if at > time.monotonic() - 1.5]
        acknowledged = [w for w in writer.writes if w.at > restored and w.outcome == "ok"]
        round_ok = len(answered) >= len(pages) and all(s == 200 for s in answered[-len(pages) :])
        if round_ok and acknowledged:
            back = max(min(w.at for w in acknowledged), reader.seen[-len(pages)][0]) - restored
            break
        time.sleep(0.5)
    time.sleep(2)
    reader.stop.set()
    reader.join(timeout=30)
    fault.recover_seconds = back
    if back is None:
        fault.problems.append(f"not every page answered 200 and no write was acknowledged within {RECOVER_SECONDS} s")

    during = [(p, s, dutch) for at, p, s, dutch in reader.seen if cut + 0.5 < at < restored]
    fault.requests = len(reader.seen)
    fault.statuses = Counter(s for _at, _p, s, _d in reader.seen)
    wrong = Counter(f"{p} {s}" for p, s, _d in during if s != 503)
    if wrong:
        fault.problems.append(f"pages during the outage that were no 503: {dict(wrong)}")
    if any(s == 503 and not dutch for _p, s, dutch in during):
        fault.problems.append("a 503 during the outage without the Dutch page")
    if not during:
        fault.problems.append("no page was asked during the outage")
    fault.notes += [
        f"{s} at {p} ({at - cut:.1f} s after the cut)" for at, p, s, _d in reader.seen if s >= 500 and s != 503
    ]
    fault.notes.append(f"{len(during)} pages asked during the outage, {sum(1 for _p, s, _d in during if s == 503)} 503")
    writes = [w for w in writer.writes if cut + 0.5 < w.at < restored]
    told = Counter(w.status for w in writes)
    fault.notes.append(f"{len(writes)} writes posted during the outage: answers {dict(told)}")
    if any(w.outcome == "ok" for w in writes):
        fault.problems.append("a write was acknowledged while the database was unreachable")
    return fault


# --- the documents' storage full --------------------------------------------------------------------


def storage_full(base: str, url: str, folder: Path, meeting_id: int) -> Fault:
    """An upload the database refuses with disk_full: the Dutch message at the field, nothing recorded;
    with room again the same upload goes through and downloads."""
    import psycopg

    fault = Fault("documents' storage full")
    browser = Browser(base)
    browser.sign_in(SECRETARIAT)
    page = f"/vergaderingen/{meeting_id}/documenten/nieuw"
    marker = f"drill-opslag-{os.getpid()}"
    files = {
        "file": [
            (f"{marker}-klein.pdf", b"%PDF-1.4\n" + os.urandom(4 * 1024)),
            (f"{marker}-groot.pdf", b"%PDF-1.4\n" + os.urandom(512 * 1024)),
        ]
    }
    libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)

    def upload() -> tuple[int, str, str]:
        form = next(f for f in browser.forms(page) if f.action == page and "file" in f.files)
        fault.requests += 2
        answer = browser.request(page, form.values, files=files)
        fault.statuses[answer[0]] += 1
        return answer

    def recorded() -> tuple[int, int, int]:
        """Documents, stored files and the records of their creation (the scheduler may meanwhile record
        that it read a document's text: an update, not counted)."""
        with psycopg.connect(libpq) as connection:
            row = connection.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM stored_files),"
                " (SELECT count(*) FROM audit_records WHERE object_type IN ('documents', 'stored_files')"
                " AND action = 'create')"
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(DISK_FULL)
    try:
        before = recorded()
        status, _location, body = upload()
        after = recorded()
    finally:
        with psycopg.connect(libpq, autocommit=True) as admin:
            admin.execute(ROOM_AGAIN)
    said = body[body.find('id="file-fout"') :][:600]
    fault.notes.append(f"full: {status}, {'the Dutch message at the file field' if FULL in said else 'NO message'}")
    if status != 400 or FULL not in said:
        fault.problems.append(f"the refused upload answered {status} without the message at the field")
    if after != before:
        fault.problems.append(f"the refused upload left documents, bytes or records: {before} -> {after}")
    fault.notes.append(f"recorded (documents, stored files, their audit records) {before} -> {after}")

    room = time.monotonic()
    status, location, _body = upload()
    fault.recover_seconds = time.monotonic() - room
    if status != 302 or "/auth/login" in location:
        fault.problems.append(f"with room again the upload answered {status} {location}")
        return fault
    fault.acknowledged = 2
    with psycopg.connect(libpq) as connection:
        stored = connection.execute(
            "SELECT id FROM documents WHERE filename LIKE %s ORDER BY id", (f"{marker}%",)
        ).fetchall()
    fault.found = len(stored)
    for (document_id,) in stored:
        got, _location, _content = browser.request(f"/documenten/{document_id}/download")
        fault.requests += 1
        fault.statuses[got] += 1
        if got != 200:
            fault.problems.append(f"document {document_id} downloads with {got}")
    if fault.found != 2:
        fault.problems.append(f"with room again {fault.found} of 2 documents stored")
    return fault


# --- SMTP down ------------------------------------------------------------------------------------


def smtp_back(url: str, folder: Path, port: int, down_since: float, scheduler: Any) -> tuple[Fault, list[str]]:
    """The SMTP server up on the port the scheduler has been failing on; until nothing due is left."""
    fault = Fault(f"SMTP down {time.monotonic() - down_since:.0f} s")
    due = due_left(url, folder)
    fault.notes.append(f"{due} messages due and unsent when SMTP came back")
    if due == 0:
        fault.problems.append("nothing was due: the drill proves nothing about SMTP")
    with Sink(port) as sink:
        up = time.monotonic()
        while time.monotonic() < up + RECOVER_SECONDS and due_left(url, folder):
            time.sleep(0.5)
        fault.recover_seconds = time.monotonic() - up
        time.sleep(2)  # a message in flight reaches the server and is recorded
        received = list(sink.received)
    if scheduler.poll() is not None:
        fault.problems.append("the scheduler stopped during the drill")
    return fault, received


# --- the drill ------------------------------------------------------------------------------------


def drill(folder: Path) -> list[Fault]:
    started = time.monotonic()
    faults: list[Fault] = []
    with throwaway.database("postgresql", folder, prefix=DATABASE_PREFIX) as url:
        setup = throwaway.app_on(url, folder)
        throwaway.migrate_with_demo(setup, by="drill")
        meeting_today(setup)
        say("faults", started, "database with the demo")
        relay = Relay(target_of(url)).start()
        port, smtp_port = free_port(), free_port()
        smtp_down = time.monotonic()  # nothing listens on smtp_port until smtp_back
        env = production_env(
            relayed_url(url, relay),
            port,
            smtp_port,
            REGIOTAFEL_NOTIFY_LEASE_SECONDS=str(LEASE_SECONDS),
            REGIOTAFEL_BUNDLE_CACHE_FOLDER=str(folder / "bundels"),
        )
        base = f"http://127.0.0.1:{port}"
        logs = folder / "faults"
        logs.mkdir()
        web = start_web(logs / "web.log", env, port)
        scheduler = start_scheduler(logs / "scheduler.log", env)
        writer: Client | None = None
        try:
            wait_healthy(base, web, logs / "web.log")
            say("faults", started, "gunicorn and the scheduler started (SMTP down)")
            meeting_id = ids(url, folder, "SELECT id FROM meetings ORDER BY id DESC")[0]
            decision = ids(url, folder, "SELECT id FROM decisions ORDER BY id")[0]
            case = ids(url, folder, "SELECT id FROM cases ORDER BY id")[0]
            pages = ["/", f"/vergaderingen/{meeting_id}", f"/besluiten/{decision}", f"/zaken/{case}"]
            pages += ["/zoeken?q=talent", "/healthz"]
            browser = Browser(base)
            browser.sign_in(SECRETARIAT)
            target = agenda_target(browser, ids(url, folder, "SELECT id FROM meetings ORDER BY id DESC"))
            writer = Client(base, SECRETARIAT, [target], "f", keep_forms=True, pause=0.5)
            processes = (web.pid, *_children(web.pid), scheduler.pid)
            writer.start()
            say("faults", started, f"the database unreachable for {OUTAGE_SECONDS:.0f} s")
            faults.append(database_unreachable(base, relay, pages, writer))
            writer.stop.set()
            writer.join(timeout=60)
            if (web.pid, *_children(web.pid), scheduler.pid) != processes or web.poll() or scheduler.poll():
                faults[-1].problems.append("a process was restarted or stopped during the outage")
            else:
                faults[-1].notes.append("recovered without a restart: the same gunicorn master, workers, scheduler")
            say("faults", started, "the documents' storage full")
            faults.append(storage_full(base, url, folder, meeting_id))
            say("faults", started, "SMTP back")
            smtp, received = smtp_back(url, folder, smtp_port, smtp_down, scheduler)
            faults.append(smtp)
        finally:
            if writer is not None:
                writer.stop.set()
            stop(scheduler, web)
            relay.close()
        say("faults", started, "stopped; checking")
        outage = faults[0]
        writes: list[Write] = writer.writes if writer else []
        outage.acknowledged = sum(1 for w in writes if w.outcome == "ok")
        if writer is not None:  # its pages (the form read before each write) and its posts
            outage.statuses.update(writer.browser.statuses)
            outage.requests += writer.browser.statuses.total()
        outage.notes += [f"{w.status} to the write {w.marker}" for w in writes if w.status >= 500 and w.status != 503]
        if writer is not None and writer.error is not None:
            outage.problems.append(f"the writer failed: {writer.error!r}")
        app = throwaway.app_on(url, folder)
        from core.extensions import db

        with app.app_context():
            with db.engine.connect() as connection:
                outage.found, missing = acknowledged_found(connection, writes)
                outage.problems += missing
                stored = stored_markers(connection)
                # A write cut while its COMMIT was under way may be stored although the app could only
                # answer 503 (the server's "done" never came back): not a loss, but the 503 page's "nothing
                # was saved" is then wrong. Reported; any other answer to a stored write is a problem.
                unknown = [
                    w.marker for w in writes if w.outcome != "ok" and w.status in (0, 503) and w.marker in stored
                ]
                if unknown:
                    outage.notes.append(f"{len(unknown)} writes answered 503 (or not at all) are stored: {unknown[:3]}")
                wrong = [f"{w.marker} ({w.status})" for w in writes if w.outcome != "ok" and w.status not in (0, 503)]
                if stored_wrong := [m for m in wrong if m.split(" ")[0] in stored]:
                    outage.problems.append(f"writes refused and yet stored: {stored_wrong[:3]}")
                planned, marked_sent, problems = messages_sent_once(connection, received)
                smtp.requests, smtp.acknowledged, smtp.found = planned, marked_sent, len(set(received))
                smtp.notes.append(f"{planned} messages due, {marked_sent} marked sent, {len(received)} received")
                smtp.problems += problems
                attempts = connection.exec_driver_sql("SELECT max(attempts) FROM notifications").scalar()
                smtp.notes.append(f"most attempts on one message: {attempts} (an unreachable server costs none)")
                faults.append(Fault("checks: half-written, amcheck, audit"))
                faults[-1].problems += half_written(connection)
                connection.rollback()
            db.engine.dispose()
        if problem := audit_verify({**env, "DATABASE_URL": url}):
            faults[-1].problems.append(problem)
        errors = unhandled(logs / "web.log")
        if errors:
            faults[-1].problems.append(f"gunicorn logged {len(errors)} responses of 500: {errors[:3]}")
        if any(f.problems or f.errors for f in faults):
            kept = ROOT / "build" / "drill-faults"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(logs, kept)
            faults[-1].notes.append(f"the logs of gunicorn and the scheduler are kept in {kept}")
    say("faults", started, "done")
    return faults


def _children(pid: int) -> tuple[int, ...]:
    try:
        return tuple(sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()))
    except OSError:
        return ()


def main() -> int:
    if not throwaway.postgres_reachable():
        print("drill-faults needs PostgreSQL on 127.0.0.1:5432 (REGIOTAFEL_DRILL_POSTGRES names another)")
        return 1
    started = time.monotonic()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="regiotafel-drill-") as tmp:
        faults = drill(Path(tmp))
    print(
        f"{'fault':<30} {'requests':>8} {'statuses seen':<28} {'5xx':>4} {'acked':>5} {'found':>5} "
        f"{'recover s':>9}  result"
    )
    for f in faults:
        statuses = " ".join(f"{s}x{n}" for s, n in sorted(f.statuses.items()))
        recover = f"{f.recover_seconds:.1f}" if f.recover_seconds is not None else "-"
        print(
            f"{f.name:<30} {f.requests:>8} {statuses:<28} {f.errors:>4} {f.acknowledged:>5} {f.found:>5} "
            f"{recover:>9}  {'ok' if not f.problems else 'LOST'}"
        )
        for note in f.notes:
            print(f"    {note}")
        for problem in f.problems:
            print(f"  {f.name}: {problem}", file=sys.stderr)
    print("5xx: responses of 500 or more other than 503 (status 0: no answer, the connection broke)")
    print("acked/found: writes acknowledged (success redirect; for SMTP: marked sent) and found (received once)")
    print(f"{time.monotonic() - started:.0f} s in all; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if any(f.problems or f.errors for f in faults) else 0


if __name__ == "__main__":
    raise SystemExit(main())
