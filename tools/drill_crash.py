"""The crash drill: web workers and the scheduler killed with SIGKILL while people write, nothing lost.

    make drill-crash        (or: python -m tools.drill_crash [sqlite] [postgresql])

Per database (SQLite always; PostgreSQL when one answers on 127.0.0.1:5432, see ``tools.throwaway``):

1. a fresh database with the demo; a local SMTP server in this process that keeps what it receives;
2. gunicorn with 2 sync workers (``wsgi:app``, as production serves it) and ``flask scheduler run`` every
   second, both in processes of their own;
3. two clients sign in over HTTP, the secretariat of BO-Brainport and a deelnemer, and write through the
   forms as a browser does: agenda items and decisions (secretariat), comments on a decision and
   progress on an action (deelnemer). A write counts as acknowledged when the app answered with the
   redirect its success leads to; each carries a text of its own to find it by;
4. meanwhile, 20 times, one of the web workers or the scheduler is killed with SIGKILL; gunicorn starts
   a new worker, the drill starts a new scheduler;
5. then the scheduler gets time to finish (a message a killed scheduler had claimed goes out when its
   lease ran out), everything stops, and the drill checks: every acknowledged write is in the database;
   nothing half-written (every agenda item, decision, comment and case event has its audit record, no
   decision without its item); the database's own integrity check; ``flask audit verify``; and every
   message the scheduler marked sent reached the SMTP server, each once, and nothing due stayed unsent.

The processes run as production (``REGIOTAFEL_ENV=production``, a random SECRET_KEY, PUBLIC_URL): a crash
drill is about the code paths a server runs. Only the second factor is off (``REQUIRE_MFA=0``): the
clients have no phone, and signing in is not what this drill is about.

It prints its figures and exits 1 when anything is lost. Every wait has a time limit.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tools import throwaway
from tools.drilling import (
    DATABASE_PREFIX,
    PARTICIPANT,
    SECRETARIAT,
    START_SECONDS,
    Browser,
    Client,
    Sink,
    Write,
    acknowledged_found,
    audit_verify,
    due_left,
    free_port,
    half_written,
    meeting_today,
    messages_sent_once,
    participant_targets,
    production_env,
    say,
    secretariat_targets,
    start_scheduler,
    start_web,
    stop,
)

KILLS = int(os.environ.get("DRILL_KILLS", "20"))
#: Between two kills: long enough for a new worker to start and take requests.
KILL_PAUSE = (0.8, 2.0)
#: How long a message claimed by a killed scheduler waits before another one sends it.
LEASE_SECONDS = 3
SETTLE_SECONDS = 60


# --- the processes --------------------------------------------------------------------------------


class Processes:
    """gunicorn (its master restarts a killed worker) and one scheduler, restarted by ``kill``."""

    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.web = start_web(logs / "web.log", env, port)
        self.scheduler = start_scheduler(logs / "scheduler.log", env)
        self.kills: Counter[str] = Counter()

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if len(self.workers()) == 2:
                try:
                    if Browser(f"http://127.0.0.1:{self.port}").request("/healthz")[0] == 200:
                        return
                except OSError:
                    pass
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: see {self.logs / 'web.log'}")
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not start in time")

    def kill_one(self) -> str:
        workers = self.workers()
        victim = random.choice(["scheduler", *(f"worker {pid}" for pid in workers)])
        if victim == "scheduler":
            os.kill(self.scheduler.pid, signal.SIGKILL)
            self.scheduler.wait(timeout=10)
            self.scheduler = start_scheduler(self.logs / "scheduler.log", self.env)
            self.kills["scheduler"] += 1
        else:
            os.kill(int(victim.split()[1]), signal.SIGKILL)
            self.kills["web worker"] += 1
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline and (len(self.workers()) < 2 or int(victim.split()[1]) in self.workers()):
                time.sleep(0.1)
        return victim

    def stop(self) -> None:
        stop(self.scheduler, self.web)


# --- the checks -----------------------------------------------------------------------------------


@dataclass
class Figures:
    kind: str
    seconds: float = 0.0
    kills: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)
    acknowledged: int = 0
    found: int = 0
    planned: int = 0
    marked_sent: int = 0
    received: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def check(url: str, folder: Path, figures: Figures, writes: list[Write], received: list[str]) -> None:
    from core.extensions import db

    app = throwaway.app_on(url, folder)
    with app.app_context():
        with db.engine.connect() as connection:
            figures.found, missing = acknowledged_found(connection, writes)
            figures.problems += missing + half_written(connection)
            figures.planned, figures.marked_sent, problems = messages_sent_once(connection, received)
            figures.problems += problems
            connection.rollback()
        db.engine.dispose()
    figures.received = len(received)


def drill(kind: str, folder: Path) -> Figures:
    figures = Figures(kind)
    started = time.monotonic()
    with throwaway.database(kind, folder, prefix=DATABASE_PREFIX) as url, Sink() as sink:
        setup = throwaway.app_on(url, folder)
        throwaway.migrate_with_demo(setup, by="drill")
        meeting_today(setup)
        say(kind, started, "database with the demo")
        port = free_port()
        env = production_env(
            url,
            port,
            sink.port,
            REGIOTAFEL_NOTIFY_LEASE_SECONDS=str(LEASE_SECONDS),
            REGIOTAFEL_BUNDLE_CACHE_FOLDER=str(folder / "bundels"),
        )
        logs = folder / kind
        logs.mkdir()
        processes = Processes(env, port, logs)
        clients: list[Client] = []
        try:
            processes.wait_ready()
            say(kind, started, "gunicorn and the scheduler started")
            base = f"http://127.0.0.1:{port}"
            clients = [
                Client(base, SECRETARIAT, secretariat_targets(base, url, folder), "s"),
                Client(base, PARTICIPANT, participant_targets(base, url, folder), "d"),
            ]
            for client in clients:
                client.start()
            say(kind, started, "the clients write")
            time.sleep(1.0)
            for _kill in range(KILLS):
                victim = processes.kill_one()
                say(kind, started, f"killed {victim}")
                time.sleep(random.uniform(*KILL_PAUSE))
        finally:
            for client in clients:
                client.stop.set()
            for client in clients:
                client.join(timeout=60)
            # The scheduler finishes what is due, a message a killed one had claimed included.
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline and due_left(url, folder):
                time.sleep(1.0)
            processes.stop()
            say(kind, started, "stopped; checking")
        figures.kills = processes.kills
        writes = [w for client in clients for w in client.writes]
        figures.writes = Counter(w.outcome for w in writes)
        figures.acknowledged = figures.writes["ok"]
        figures.refusals = Counter(f"{w.kind} {w.answer}" for w in writes if w.outcome == "refused")
        for client in clients:
            if client.error is not None:
                figures.problems.append(f"client {client.email} failed: {client.error!r}")
        check(url, folder, figures, writes, list(sink.received))
        if problem := audit_verify(env):
            figures.problems.append(problem)
    figures.seconds = time.monotonic() - started
    return figures


def main(kinds: list[str]) -> int:
    results = throwaway.drill_each(kinds, drill)
    print(
        f"{'database':<11} {'kills':>5} {'workers':>7} {'sched.':>6} {'writes':>6} {'acked':>5} {'found':>5} "
        f"{'refused':>7} {'cut off':>7} {'due msgs':>8} {'sent':>4} {'received':>8} {'seconds':>7}  result"
    )
    for f in results:
        print(
            f"{f.kind:<11} {sum(f.kills.values()):>5} {f.kills['web worker']:>7} {f.kills['scheduler']:>6} "
            f"{sum(f.writes.values()):>6} {f.acknowledged:>5} {f.found:>5} {f.writes['refused']:>7} "
            f"{f.writes['lost']:>7} {f.planned:>8} {f.marked_sent:>4} {f.received:>8} {f.seconds:>7.0f}  "
            f"{'ok' if not f.problems else 'LOST'}"
        )
        for problem in f.problems:
            print(f"  {f.kind}: {problem}", file=sys.stderr)
        for answer, times in f.refusals.most_common(5):
            print(f"  {f.kind}: refused {times}x: {answer}")
    print("acked: writes the app acknowledged (its success redirect), found: of those, in the database;")
    print("refused: a form shown again or a 4xx; cut off: the connection broke (a worker killed mid-request),")
    print("the client cannot know;")
    print("due msgs: notifications due by the end, sent: marked sent, received: messages the SMTP server got")
    return 1 if any(f.problems for f in results) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
