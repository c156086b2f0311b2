"""The load drill: many people at once on two web nodes and two schedulers over one PostgreSQL database;
no response of 500 or more, nothing acknowledged lost, the audit chain whole.

    make drill-load        (or: LOAD_USERS=50 LOAD_SECONDS=60 python -m tools.drill_load)

1. A fresh PostgreSQL database with the demo and a meeting of today; a local SMTP server in this process.
2. Two web nodes, each gunicorn with 2 sync workers (4 workers) on a port of its own, with a folder of its
   own for what a node keeps on disk (the vergaderbundel cache), the same SECRET_KEY; and a scheduler
   beside each (``flask scheduler run`` every second). No proxy: the simulated users are spread over both
   nodes in turn.
3. Both nodes serve each other's uploads: a document uploaded through node 1 is downloaded through node 2
   and compared byte for byte.
4. locust, headless, ``LOAD_USERS`` (50) users for ``LOAD_SECONDS`` (60) s (``tools/load/locustfile.py``):
   secretariats compose the agenda and record decisions, participants comment on a besluitenlijst out for
   comments and report progress on actions, readers browse, search and download documents; each signed in
   as a demo account, posting forms with their CSRF token. Every write the app acknowledged is kept in a
   markers file.
5. Then: every acknowledged write is in the database, nothing is half-written, amcheck, ``flask audit
   verify``, every message due sent exactly once by the two schedulers.

It prints requests, failures, responses of 500 or more (must be 0) and p50/p95 per kind of request, the
writes acknowledged and found, and the load average; it exits 1 on any loss or any response >= 500.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tools import throwaway
from tools.drilling import (
    DATABASE_PREFIX,
    PARTICIPANT,
    PASSWORD,
    ROOT,
    SECRETARIAT,
    Browser,
    Sink,
    Target,
    acknowledged_found,
    agenda_target,
    audit_verify,
    due_left,
    free_port,
    half_written,
    ids,
    meeting_today,
    messages_sent_once,
    participant_targets,
    production_env,
    say,
    secretariat_targets,
    start_scheduler,
    start_web,
    stop,
    unhandled,
    wait_healthy,
)
from tools.load.markers import Tally, acknowledged

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
READERS = ["economie@eindhoven.test", "beleid@ocw.test", "directie@brainportdevelopment.test"]
SETTLE_SECONDS = 30


@dataclass
class Figures:
    requests: int = 0
    failures: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    #: name -> (requests, failures, p50 ms, p95 ms)
    kinds: dict[str, tuple[int, int, float, float]] = field(default_factory=dict)
    acknowledged: Counter[str] = field(default_factory=Counter)
    found: int = 0
    per_node: Counter[str] = field(default_factory=Counter)
    planned: int = 0
    marked_sent: int = 0
    received: int = 0
    cross_node: str = ""
    failures_said: list[str] = field(default_factory=list)
    load: tuple[float, ...] = ()
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def across_nodes(bases: list[str], url: str, folder: Path, meeting_id: int) -> tuple[str, int | None]:
    """Upload a document through the first node, download it through the second: what happened, and the
    document's id when both went well."""
    first, second = Browser(bases[0]), Browser(bases[1])
    first.sign_in(SECRETARIAT)
    second.sign_in(SECRETARIAT)
    page = f"/vergaderingen/{meeting_id}/documenten/nieuw"
    name = f"drill-load-knooppunt-{secrets.token_hex(4)}.pdf"
    content = b"%PDF-1.4\n" + os.urandom(256 * 1024)
    form = next(f for f in first.forms(page) if f.action == page and "file" in f.files)
    status, _location, _body = first.request(page, form.values, files={"file": [(name, content)]})
    if status != 302:
        return f"upload through node 1 answered {status}", None
    found = ids(url, folder, f"SELECT id FROM documents WHERE filename = '{name}'")
    if not found:
        return "the upload through node 1 is not in the database", None
    got, body = second.fetch(f"/documenten/{found[0]}/download")
    if got != 200 or body != content:
        return f"node 2 answered {got} with {len(body)} bytes for the 256 KB node 1 took", None
    return f"document {found[0]} uploaded through node 1 (256 KB), downloaded through node 2: the same bytes", found[0]


def readable(bases: list[str], pages: list[str], accounts: list[str]) -> list[str]:
    """The pages every one of ``accounts`` may read (200)."""
    keep = list(pages)
    for account in accounts:
        browser = Browser(bases[0])
        browser.sign_in(account)
        keep = [p for p in keep if browser.request(p)[0] == 200]
    return keep


def plan(bases: list[str], url: str, folder: Path, document_id: int | None) -> dict[str, object]:
    """What the locustfile does: the hosts, accounts, forms to write through, pages and documents."""
    meetings = ids(url, folder, "SELECT id FROM meetings ORDER BY id DESC")
    decisions = ids(url, folder, "SELECT id FROM decisions ORDER BY id")
    cases = ids(url, folder, "SELECT id FROM cases ORDER BY id")
    documents = ids(url, folder, "SELECT id FROM documents ORDER BY id")
    secretariat = secretariat_targets(bases[0], url, folder)
    participant = participant_targets(bases[0], url, folder)
    # A second meeting to compose, when the secretariat has one that takes items: writers spread a little.
    browser = Browser(bases[0])
    browser.sign_in(SECRETARIAT)
    more = []
    for meeting in meetings:
        if f"/vergaderingen/{meeting}/agendapunten/nieuw" != secretariat[0].page:
            try:
                more.append(agenda_target(browser, [meeting]))
            except RuntimeError:
                continue
            break
    pages = ["/", *(f"/vergaderingen/{m}" for m in meetings[:6]), *(f"/besluiten/{d}" for d in decisions[:6])]
    pages += [f"/zaken/{c}" for c in cases[:6]]
    reader_pages = readable(bases, pages, READERS)
    reader_documents = downloadable(bases[0], documents[:30], READERS)
    if document_id is not None and document_id not in reader_documents:
        reader_documents.append(document_id)

    def forms(kind: str, targets: list[Target]) -> list[list[str]]:
        return [[t.kind, t.page, t.action, t.field] for t in targets if t.kind == kind]

    return {
        "hosts": bases,
        "password": PASSWORD,
        "markers": str(folder / "markers.jsonl"),
        "statuses": str(folder / "statuses.json"),
        "secretariat": {
            "accounts": [SECRETARIAT],
            "agendapunt": forms("agendapunt", [*secretariat, *more]),
            "besluit": forms("besluit", list(secretariat)),
            "pages": [p for p in pages if p.startswith("/vergaderingen/")] or ["/"],
        },
        "participant": {
            "accounts": [PARTICIPANT],
            "reactie": forms("reactie", list(participant)),
            "voortgang": forms("voortgang", list(participant)),
            "pages": readable(bases, pages, [PARTICIPANT]),
        },
        "reader": {"accounts": READERS, "pages": reader_pages, "documents": reader_documents},
    }


def downloadable(base: str, documents: list[int], accounts: list[str]) -> list[int]:
    """The documents every one of ``accounts`` may download (200)."""
    keep = list(documents)
    for account in accounts:
        browser = Browser(base)
        browser.sign_in(account)
        keep = [d for d in keep if browser.fetch(f"/documenten/{d}/download")[0] == 200]
    return keep


def run_locust(folder: Path, plan_file: Path, log: Path) -> None:
    """locust headless for SECONDS with USERS, its CSV in ``folder``; waits for it, within a limit."""
    spawn = max(1, USERS // 10)
    subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(ROOT / "tools" / "load" / "locustfile.py"), "--headless",
            "--users", str(USERS), "--spawn-rate", str(spawn), "--run-time", f"{SECONDS}s",
            "--csv", str(folder / "load"), "--only-summary", "--loglevel", "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, "LOAD_PLAN": str(plan_file)},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        timeout=SECONDS + 120,
        check=False,  # locust exits 1 on any failure: the drill judges
    )  # fmt: skip


def read_stats(folder: Path, figures: Figures) -> None:
    """Requests, failures and p50/p95 per kind of request from the locustfile's tally; what the failures
    said and the locustfile's own exceptions from locust's CSV."""
    tally = Tally.load(folder / "statuses.json")
    for name in sorted(tally.statuses):
        count = sum(tally.statuses[name].values())
        figures.kinds[name] = (count, tally.failures[name], tally.percentile(name, 0.5), tally.percentile(name, 0.95))
        figures.statuses += tally.statuses[name]
    figures.requests, figures.failures = figures.statuses.total(), tally.failures.total()
    figures.kinds["alle"] = (
        figures.requests,
        figures.failures,
        tally.percentile(None, 0.5),
        tally.percentile(None, 0.95),
    )
    failures = folder / "load_failures.csv"
    if failures.exists():
        with failures.open() as f:
            figures.failures_said = [f"{r['Occurrences']}x {r['Name']}: {r['Error']}" for r in csv.DictReader(f)]
    exceptions = folder / "load_exceptions.csv"
    if exceptions.exists():
        with exceptions.open() as f:
            for row in csv.DictReader(f):
                figures.problems.append(f"the locustfile failed {row['Count']}x: {row['Message']}")


def drill(folder: Path) -> Figures:
    figures = Figures()
    started = time.monotonic()
    with throwaway.database("postgresql", folder, prefix=DATABASE_PREFIX) as url, Sink() as sink:
        setup = throwaway.app_on(url, folder)
        throwaway.migrate_with_demo(setup, by="drill")
        meeting_today(setup)
        say("load", started, "database with the demo")
        secret = secrets.token_hex(32)
        ports = [free_port(), free_port()]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        processes = []
        for node, port in enumerate(ports, 1):
            own = folder / f"node{node}"
            own.mkdir()
            env = production_env(url, port, sink.port, SECRET_KEY=secret, REGIOTAFEL_INSTANCE_PATH=str(own))
            processes += [start_web(own / "web.log", env, port), start_scheduler(own / "scheduler.log", env)]
        try:
            for node, base in enumerate(bases, 1):
                wait_healthy(base, processes[2 * (node - 1)], folder / f"node{node}" / "web.log")
            say("load", started, "two nodes (2 workers each) and two schedulers started")
            meeting_id = ids(url, folder, "SELECT id FROM meetings ORDER BY id DESC")[0]
            figures.cross_node, document_id = across_nodes(bases, url, folder, meeting_id)
            if document_id is None:
                figures.problems.append(figures.cross_node)
            plan_file = folder / "plan.json"
            plan_file.write_text(json.dumps(plan(bases, url, folder, document_id), indent=1))
            say("load", started, f"locust: {USERS} users for {SECONDS} s")
            run_locust(folder, plan_file, folder / "locust.log")
            figures.load = os.getloadavg()
            say("load", started, "locust done; the schedulers finish what is due")
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline and due_left(url, folder):
                time.sleep(1.0)
        finally:
            stop(*processes)
        say("load", started, "stopped; checking")
        read_stats(folder, figures)
        writes = acknowledged(folder / "markers.jsonl")
        figures.acknowledged = Counter(w.kind for w in writes)
        figures.per_node = Counter(w.answer for w in writes)
        if not writes:
            figures.problems.append("no write was acknowledged")
        from core.extensions import db

        app = throwaway.app_on(url, folder)
        with app.app_context():
            with db.engine.connect() as connection:
                figures.found, missing = acknowledged_found(connection, writes)
                figures.problems += missing + half_written(connection)
                figures.planned, figures.marked_sent, problems = messages_sent_once(connection, list(sink.received))
                figures.problems += problems
                connection.rollback()
            db.engine.dispose()
        figures.received = len(sink.received)
        if problem := audit_verify(env):
            figures.problems.append(problem)
        for node in (1, 2):
            if errors := unhandled(folder / f"node{node}" / "web.log"):
                figures.problems.append(f"node {node} logged {len(errors)} unhandled exceptions (500): {errors[:3]}")
    if figures.errors:
        figures.problems.append(f"{figures.errors} responses of 500 or more")
    figures.seconds = time.monotonic() - started
    return figures


def main() -> int:
    if not throwaway.postgres_reachable():
        print("drill-load needs PostgreSQL on 127.0.0.1:5432 (REGIOTAFEL_DRILL_POSTGRES names another)")
        return 1
    with tempfile.TemporaryDirectory(prefix="regiotafel-drill-") as tmp:
        f = drill(Path(tmp))
    print(f"{'request':<22} {'requests':>8} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for name, (count, failed, p50, p95) in sorted(f.kinds.items(), key=lambda kv: kv[0] == "alle"):
        print(f"{name:<22} {count:>8} {failed:>8} {p50:>7.0f} {p95:>7.0f}")
    print(f"statuses seen: {' '.join(f'{s}x{n}' for s, n in sorted(f.statuses.items()))}; responses >= 500: {f.errors}")
    kinds = ", ".join(f"{k} {n}" for k, n in f.acknowledged.items())
    nodes = ", ".join(f"{h} {n}" for h, n in sorted(f.per_node.items()))
    print(f"writes acknowledged: {sum(f.acknowledged.values())} ({kinds}), found: {f.found}; per node: {nodes}")
    print(f"messages due {f.planned}, marked sent {f.marked_sent}, received {f.received} (two schedulers)")
    print(f"across nodes: {f.cross_node}")
    for said in f.failures_said[:8]:
        print(f"  failure: {said}")
    print(
        f"{USERS} users for {SECONDS} s; {f.seconds:.0f} s in all; load average at the end of the run "
        f"{' '.join(f'{x:.2f}' for x in f.load)}"
    )
    for problem in f.problems:
        print(f"LOST: {problem}", file=sys.stderr)
    print("ok" if not f.problems else "LOST")
    return 1 if f.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
