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

import http.client
import http.cookiejar
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

from tools import throwaway
from tools.forms import Form, post_forms

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("DRILL_KILLS", "20"))
#: Between two kills: long enough for a new worker to start and take requests.
KILL_PAUSE = (0.8, 2.0)
#: How long a message claimed by a killed scheduler waits before another one sends it.
LEASE_SECONDS = 3
SETTLE_SECONDS = 60
START_SECONDS = 60
SECRETARIAT = "secretariaat@ezk.test"
PARTICIPANT = "economie@noord-brabant.test"
PASSWORD = "regiotafel-demo"


# --- the SMTP server ------------------------------------------------------------------------------


class Sink:
    """An SMTP server on a free local port that keeps the Message-ID of every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[str] = []
        sink = self

        class Handler:
            async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
                sink.received.append(str(message_from_bytes(envelope.content).get("Message-ID", "")))
                return "250 OK"

        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- a browser, as far as forms go ----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


class Browser:
    """Cookies, no redirects followed: a redirect is what a form's success answers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, list[str]] | None = None) -> tuple[int, str, str]:
        """Status, Location and body; a connection cut off (a killed worker) raises OSError."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def forms(self, path: str) -> list[Form]:
        status, _location, html = self.request(path)
        return post_forms(path, html) if status == 200 else []

    def sign_in(self, email: str) -> None:
        for _attempt in range(20):
            try:
                form = next(f for f in self.forms("/auth/login") if "password" in f.values)
                status, location, _ = self.request(
                    "/auth/login", {**form.values, "email": [email], "password": [PASSWORD]}
                )
                if status == 302 and "/auth/login" not in location:
                    return
            except (OSError, http.client.HTTPException, StopIteration):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{email} could not sign in")


# --- the writes -----------------------------------------------------------------------------------


@dataclass
class Write:
    kind: str
    marker: str
    #: "ok" (acknowledged), "refused" (a 4xx or a form shown again), "lost" (the connection broke).
    outcome: str = ""
    #: What the app answered (status and where it sent the client), for a refusal's report.
    answer: str = ""


@dataclass
class Target:
    """A form to write through, found once, and the field that carries the marker."""

    kind: str
    page: str
    action: str
    field: str


class Client(threading.Thread):
    """Writes through its targets in turn until stopped, reading the form anew before each write (its
    CSRF token, its defaults), as a person would."""

    def __init__(self, base: str, email: str, targets: list[Target], label: str) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(base)
        self.email, self.targets, self.label = email, targets, label
        self.stop = threading.Event()
        self.writes: list[Write] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.browser.sign_in(self.email)
            number = 0
            while not self.stop.is_set():
                for target in self.targets:
                    number += 1
                    self.writes.append(self.write(target, f"drill-{self.label}-{target.kind}-{number}"))
        except BaseException as exc:  # reported by the drill, which then fails
            self.error = exc

    def write(self, target: Target, marker: str) -> Write:
        done = Write(target.kind, marker)
        try:
            form = next((f for f in self.browser.forms(target.page) if f.action == target.action), None)
            if form is None:
                done.outcome = "lost"  # the page did not come (a worker died while serving it): not sent
                return done
            status, location, body = self.browser.request(target.action, fill(form, target, marker))
        except (OSError, http.client.HTTPException):
            done.outcome = "lost"
            return done
        said = re.findall(r'class="(?:error|flash flash-error)"[^>]*>(.*?)<', body, re.S)
        done.answer = f"{status} {location} {' '.join(s.strip() for s in said)[:200]}"
        if status in (302, 303) and "/auth/login" not in location:
            done.outcome = "ok"
        elif status in (302, 303):
            self.browser.sign_in(self.email)
            done.outcome = "refused"
        else:
            done.outcome = "refused"
        return done


def fill(form: Form, target: Target, marker: str) -> dict[str, list[str]]:
    """The form as the page gave it, a choice made where it asks for one, and the marker in it."""
    values = {**form.values, target.field: [f"{marker} geschreven tijdens de crashoefening"]}
    for name, options in form.choices.items():
        if name == "kind" and values.get(name, [""]) == [""]:
            values[name] = [next(o for o in options if o)]
    if target.kind == "agendapunt":
        values["title"] = [marker]
    return values


def find_target(browser: Browser, kind: str, pages: list[str], action: re.Pattern[str], field: str) -> Target:
    """The first of ``pages`` with a form to ``action`` that takes a write (a decision's form shows on an
    item whose besluitenlijst is out for comments too, and refuses it)."""
    for page in pages:
        for form in browser.forms(page):
            if action.fullmatch(form.action) and field in form.values:
                target = Target(kind, page, form.action, field)
                status, location, _ = browser.request(form.action, fill(form, target, f"drill-proef-{kind}"))
                if status in (302, 303) and "/auth/login" not in location:
                    return target
    raise RuntimeError(f"no form for {kind} that takes a write among {len(pages)} pages")


# --- the processes --------------------------------------------------------------------------------


class Processes:
    """gunicorn (its master restarts a killed worker) and one scheduler, restarted by ``kill``."""

    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.web = self._start(
            "web",
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "wsgi:app",
        )
        self.scheduler = self._start_scheduler()
        self.kills: Counter[str] = Counter()

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=log)

    def _start_scheduler(self) -> subprocess.Popen[bytes]:
        return self._start("scheduler", "-m", "flask", "scheduler", "run", "--interval", "1")

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
            self.scheduler = self._start_scheduler()
            self.kills["scheduler"] += 1
        else:
            os.kill(int(victim.split()[1]), signal.SIGKILL)
            self.kills["web worker"] += 1
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline and (len(self.workers()) < 2 or int(victim.split()[1]) in self.workers()):
                time.sleep(0.1)
        return victim

    def stop(self) -> None:
        for process in (self.scheduler, self.web):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.scheduler, self.web):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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


#: Where each kind of write lands, and the column its marker is in.
WRITTEN = {
    "agendapunt": ("agenda_items", "title"),
    "besluit": ("decisions", "text"),
    "reactie": ("decision_comments", "text"),
    "voortgang": ("case_events", "note"),
}
#: Half-written objects: each query counts rows that must not exist.
HALF_WRITTEN = {
    **{
        f"{table} without their audit record": f"""
            SELECT count(*) FROM {table} t WHERE NOT EXISTS (
                SELECT 1 FROM audit_records a
                WHERE a.object_type = '{table}' AND a.object_id = t.id AND a.action = 'create')"""
        for table in ("agenda_items", "decisions", "decision_comments", "case_events")
    },
    "decisions without their agenda item": """
        SELECT count(*) FROM decisions d
        WHERE NOT EXISTS (SELECT 1 FROM agenda_items i WHERE i.id = d.agenda_item_id)""",
    "comments without their decision": """
        SELECT count(*) FROM decision_comments c
        WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.id = c.decision_id)""",
    "case events without their case": """
        SELECT count(*) FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = e.case_id)""",
    "agenda items without their meeting": """
        SELECT count(*) FROM agenda_items i WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE m.id = i.meeting_id)""",
    "two agenda items in one place": """
        SELECT count(*) FROM (SELECT meeting_id, position FROM agenda_items
                              GROUP BY meeting_id, position HAVING count(*) > 1) twice""",
    "messages marked sent without their time or Message-ID": """
        SELECT count(*) FROM notifications WHERE state = 'verzonden' AND (sent_at IS NULL OR message_id IS NULL)""",
}


def integrity(connection: Any) -> list[str]:
    """The database's own check: SQLite's integrity and foreign keys; on PostgreSQL amcheck over every
    B-tree index (heap included), or, without that extension, the foreign keys by query."""
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        said = [row[0] for row in connection.execute(text("PRAGMA integrity_check"))]
        problems = [] if said == ["ok"] else [f"integrity_check: {said[:5]}"]
        keys = list(connection.execute(text("PRAGMA foreign_key_check")))
        return problems + ([f"foreign_key_check: {keys[:5]}"] if keys else [])
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    indexes = list(
        connection.execute(
            text(
                "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'btree' AND n.nspname = 'public'"
            )
        )
    )
    problems = []
    for oid, name in indexes:
        try:
            connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        except Exception as exc:  # amcheck says what is wrong in its error
            problems.append(f"amcheck {name}: {exc}")
    return problems


def check(url: str, folder: Path, figures: Figures, writes: list[Write], received: list[str]) -> None:
    from sqlalchemy import text

    from core.extensions import db

    app = throwaway.app_on(url, folder)
    with app.app_context():
        with db.engine.connect() as connection:
            for kind, (table, column) in WRITTEN.items():
                marked = text(f"SELECT {column} FROM {table} WHERE {column} LIKE 'drill-%'")
                present = {m.split(" ")[0] for (m,) in connection.execute(marked)}
                acknowledged = [w for w in writes if w.kind == kind and w.outcome == "ok"]
                figures.found += sum(1 for w in acknowledged if w.marker in present)
                lost = [w.marker for w in acknowledged if w.marker not in present]
                if lost:
                    figures.problems.append(f"{len(lost)} acknowledged {kind} writes missing: {lost[:5]}")
            for what, half in HALF_WRITTEN.items():
                count = connection.execute(text(half)).scalar_one()
                if count:
                    figures.problems.append(f"{count} {what}")
            figures.problems += integrity(connection)
            states: dict[str, int] = dict(
                connection.execute(
                    text("SELECT state, count(*) FROM notifications WHERE due_at <= :now GROUP BY state"),
                    {"now": _utcnow()},
                ).all()
            )
            figures.planned = sum(states.values())
            unsent = {state: n for state, n in states.items() if state in ("gepland", "bezig", "in_postvak")}
            if unsent:
                figures.problems.append(f"messages due but not sent after the drill: {unsent}")
            sent_ids = text("SELECT message_id FROM notifications WHERE state = 'verzonden'")
            sent = {m for (m,) in connection.execute(sent_ids)}
            connection.rollback()
        db.engine.dispose()
    figures.marked_sent, figures.received = len(sent), len(received)
    copies = Counter(received)
    missing = sent - set(copies)
    if missing:
        figures.problems.append(f"{len(missing)} messages marked sent never reached the SMTP server")
    twice = {m: n for m, n in copies.items() if n > 1}
    if twice:
        figures.problems.append(f"{len(twice)} messages reached the SMTP server more than once: {list(twice)[:3]}")
    unknown = set(copies) - sent
    if unknown:
        figures.problems.append(f"{len(unknown)} messages reached the SMTP server but are not marked sent")


def _utcnow() -> Any:
    from core.dates import now

    return now()


def _due_left(url: str, folder: Path) -> int:
    from sqlalchemy import text

    from core.extensions import db

    app = throwaway.app_on(url, folder)
    with app.app_context():
        with db.engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM notifications WHERE due_at <= :now AND state IN ('gepland', 'bezig')"),
                {"now": _utcnow()},
            ).scalar_one()
        db.engine.dispose()
    return int(left)


def _say(kind: str, started: float, what: str) -> None:
    print(f"{kind}: {time.monotonic() - started:5.0f} s  {what}", file=sys.stderr, flush=True)


def drill(kind: str, folder: Path) -> Figures:
    figures = Figures(kind)
    started = time.monotonic()
    with throwaway.database(kind, folder) as url, Sink() as sink:
        setup = throwaway.app_on(url, folder)
        throwaway.migrate_with_demo(setup, by="drill")
        _meeting_today(setup)
        _say(kind, started, "database with the demo")
        port = _free_port()
        env = {
            **os.environ,
            "FLASK_APP": "wsgi",
            "DATABASE_URL": url,
            "REGIOTAFEL_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "REQUIRE_MFA": "0",
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(sink.port),
            "REGIOTAFEL_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
            "REGIOTAFEL_BUNDLE_CACHE_FOLDER": str(folder / "bundels"),
        }
        logs = folder / kind
        logs.mkdir()
        processes = Processes(env, port, logs)
        clients: list[Client] = []
        try:
            processes.wait_ready()
            _say(kind, started, "gunicorn and the scheduler started")
            base = f"http://127.0.0.1:{port}"
            clients = [
                Client(base, SECRETARIAT, _secretariat_targets(base, url, folder), "s"),
                Client(base, PARTICIPANT, _participant_targets(base, url, folder), "d"),
            ]
            for client in clients:
                client.start()
            _say(kind, started, "the clients write")
            time.sleep(1.0)
            for _kill in range(KILLS):
                victim = processes.kill_one()
                _say(kind, started, f"killed {victim}")
                time.sleep(random.uniform(*KILL_PAUSE))
        finally:
            for client in clients:
                client.stop.set()
            for client in clients:
                client.join(timeout=60)
            # The scheduler finishes what is due, a message a killed one had claimed included.
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline and _due_left(url, folder):
                time.sleep(1.0)
            processes.stop()
            _say(kind, started, "stopped; checking")
        figures.kills = processes.kills
        writes = [w for client in clients for w in client.writes]
        figures.writes = Counter(w.outcome for w in writes)
        figures.acknowledged = figures.writes["ok"]
        figures.refusals = Counter(f"{w.kind} {w.answer}" for w in writes if w.outcome == "refused")
        for client in clients:
            if client.error is not None:
                figures.problems.append(f"client {client.email} failed: {client.error!r}")
        check(url, folder, figures, writes, list(sink.received))
        verified = subprocess.run(
            [sys.executable, "-m", "flask", "audit", "verify"],
            cwd=ROOT,
            env={**env, "REGIOTAFEL_ENV": "test"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if verified.returncode != 0:
            figures.problems.append(f"audit verify: {verified.stdout}{verified.stderr}"[-2000:])
    figures.seconds = time.monotonic() - started
    return figures


def _meeting_today(app: Any) -> None:
    """A meeting of today with its agenda published, so that decisions can be recorded (from the meeting's
    day on): a new cycle of
    the first body of the secretariat's that has none this season, made through the service."""
    from datetime import time as clock_time

    from sqlalchemy import select

    from auth.models import User
    from core.acting import origin
    from core.dates import today
    from core.errors import DomainError
    from core.extensions import db
    from meetings.models import Body
    from meetings.services import agenda, cycles

    with app.app_context(), origin("drill"):
        secretariat = db.session.scalars(select(User).where(User.email == SECRETARIAT)).one()
        for body in db.session.scalars(select(Body).order_by(Body.id)):
            try:
                cycle = cycles.create_cycle(
                    secretariat,
                    body,
                    meeting_date=today(),
                    start_time=clock_time(0, 5),
                    end_time=clock_time(0, 10),
                    location="Crashoefening",
                    chair="Voorzitter",
                )
            except DomainError:
                db.session.rollback()
                continue
            db.session.flush()
            agenda.publish_agenda(secretariat, cycle.meetings[0])  # decisions follow a published agenda
            db.session.commit()
            break
        db.session.remove()
        db.engine.dispose()


def _ids(url: str, folder: Path, query: str) -> list[int]:
    from sqlalchemy import text

    from core.extensions import db

    app = throwaway.app_on(url, folder)
    with app.app_context():
        with db.engine.connect() as connection:
            ids = [int(i) for (i,) in connection.execute(text(query))]
        db.engine.dispose()
    return ids


def _secretariat_targets(base: str, url: str, folder: Path) -> list[Target]:
    browser = Browser(base)
    browser.sign_in(SECRETARIAT)
    meetings = _ids(url, folder, "SELECT id FROM meetings ORDER BY id DESC")
    items = _ids(url, folder, "SELECT id FROM agenda_items ORDER BY id DESC")
    return [
        find_target(
            browser,
            "agendapunt",
            [f"/vergaderingen/{m}/agendapunten/nieuw" for m in meetings],
            re.compile(r"/vergaderingen/\d+/agendapunten/nieuw"),
            "description",
        ),
        find_target(
            browser,
            "besluit",
            [f"/agendapunten/{i}/besluiten/nieuw" for i in items],
            re.compile(r"/agendapunten/\d+/besluiten/nieuw"),
            "text",
        ),
    ]


def _participant_targets(base: str, url: str, folder: Path) -> list[Target]:
    browser = Browser(base)
    browser.sign_in(PARTICIPANT)
    decisions = _ids(url, folder, "SELECT id FROM decisions ORDER BY id DESC")
    cases = _ids(url, folder, "SELECT id FROM cases ORDER BY id DESC")
    return [
        find_target(browser, "reactie", [f"/besluiten/{d}" for d in decisions], re.compile(r"/besluiten/\d+"), "text"),
        find_target(browser, "voortgang", [f"/zaken/{c}" for c in cases], re.compile(r"/zaken/\d+/voortgang"), "text"),
    ]


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
