"""What the drills share (``make drill-crash``, ``drill-faults``, ``drill-load``): a local SMTP server that
counts what it receives, a browser as far as forms go, Regiotafel's processes started as production
serves them (gunicorn, ``flask scheduler run``), a meeting of today to record decisions at, and the checks
after a drill: nothing half-written, the database's own integrity check, ``flask audit verify``."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
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
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any

from tools import throwaway
from tools.forms import Form, post_forms

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
SECRETARIAT = "secretariaat@ezk.test"
PARTICIPANT = "economie@noord-brabant.test"
PASSWORD = "regiotafel-demo"
#: The throwaway PostgreSQL databases of the drills are named so.
DATABASE_PREFIX = "regiotafel_drill_"

# --- the SMTP server ------------------------------------------------------------------------------


class Sink:
    """An SMTP server on a local port (a free one unless given) that keeps the Message-ID of every message
    it accepts."""

    def __init__(self, port: int | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[str] = []
        sink = self

        class Handler:
            async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
                sink.received.append(str(message_from_bytes(envelope.content).get("Message-ID", "")))
                return "250 OK"

        self.port = port or free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- a browser, as far as forms go ----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


class Browser:
    """Cookies, no redirects followed: a redirect is what a form's success answers."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base, self.timeout = base, timeout
        #: The status of every answer, pages and posts (a drill counts its 500s in them).
        self.statuses: Counter[int] = Counter()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(
        self,
        path: str,
        data: dict[str, list[str]] | None = None,
        files: dict[str, list[tuple[str, bytes]]] | None = None,
    ) -> tuple[int, str, str]:
        """Status, Location and body (``files``: a multipart form, name -> filename and content); a
        connection cut off (a killed worker) raises OSError."""
        headers = {}
        if files is not None:
            body: bytes | None
            body, headers["Content-Type"] = multipart(data or {}, files)
        else:
            body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        asked = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(asked, timeout=self.timeout) as response:
                self.statuses[response.status] += 1
                return response.status, response.headers.get("Location", ""), response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            self.statuses[error.code] += 1
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def fetch(self, path: str) -> tuple[int, bytes]:
        """Status and the body's bytes (a download)."""
        try:
            with self.opener.open(self.base + path, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

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


def multipart(values: dict[str, list[str]], files: dict[str, list[tuple[str, bytes]]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of ``values`` and ``files``, and its content type."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, texts in values.items():
        for value in texts:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, uploads in files.items():
        for filename, content in uploads:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --- the writes -----------------------------------------------------------------------------------


@dataclass
class Write:
    kind: str
    marker: str
    #: "ok" (acknowledged), "refused" (a 4xx or a form shown again), "lost" (the connection broke).
    outcome: str = ""
    #: What the app answered (status and where it sent the client), for a refusal's report.
    answer: str = ""
    #: The status of the answer to the post (0: none came).
    status: int = 0
    #: When it was sent (time.monotonic()).
    at: float = 0.0


@dataclass
class Target:
    """A form to write through, found once, and the field that carries the marker."""

    kind: str
    page: str
    action: str
    field: str


class Client(threading.Thread):
    """Writes through its targets in turn until stopped, reading the form anew before each write (its
    CSRF token, its defaults), as a person would. With ``keep_forms`` a form whose page does not come is
    sent as it was last read (a person pressing *Opslaan* on a page opened before the database went
    away); ``pause`` seconds between two writes."""

    def __init__(
        self, base: str, email: str, targets: list[Target], label: str, *, keep_forms: bool = False, pause: float = 0
    ) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(base)
        self.email, self.targets, self.label = email, targets, label
        self.keep_forms, self.pause = keep_forms, pause
        self.last_form: dict[str, Form] = {}
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
                    self.stop.wait(self.pause)
        except BaseException as exc:  # reported by the drill, which then fails
            self.error = exc

    def write(self, target: Target, marker: str) -> Write:
        done = Write(target.kind, marker, at=time.monotonic())
        try:
            form = next((f for f in self.browser.forms(target.page) if f.action == target.action), None)
            if form is not None:
                self.last_form[target.action] = form
            elif self.keep_forms and target.action in self.last_form:
                form = self.last_form[target.action]
            else:
                done.outcome = "lost"  # the page did not come (a worker died while serving it): not sent
                return done
            status, location, body = self.browser.request(target.action, fill(form, target, marker))
        except (OSError, http.client.HTTPException):
            done.outcome = "lost"
            return done
        done.status = status
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
    values = {**form.values, target.field: [f"{marker} geschreven tijdens de oefening"]}
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


def agenda_target(browser: Browser, meetings: list[int]) -> Target:
    """The first of ``meetings`` whose agenda takes a new item from ``browser``'s user."""
    pages = [f"/vergaderingen/{m}/agendapunten/nieuw" for m in meetings]
    return find_target(
        browser, "agendapunt", pages, re.compile(r"/vergaderingen/\d+/agendapunten/nieuw"), "description"
    )


def secretariat_targets(base: str, url: str, folder: Path) -> list[Target]:
    browser = Browser(base)
    browser.sign_in(SECRETARIAT)
    meetings = ids(url, folder, "SELECT id FROM meetings ORDER BY id DESC")
    items = ids(url, folder, "SELECT id FROM agenda_items ORDER BY id DESC")
    return [
        agenda_target(browser, meetings),
        find_target(
            browser,
            "besluit",
            [f"/agendapunten/{i}/besluiten/nieuw" for i in items],
            re.compile(r"/agendapunten/\d+/besluiten/nieuw"),
            "text",
        ),
    ]


def participant_targets(base: str, url: str, folder: Path) -> list[Target]:
    browser = Browser(base)
    browser.sign_in(PARTICIPANT)
    decisions = ids(url, folder, "SELECT id FROM decisions ORDER BY id DESC")
    cases = ids(url, folder, "SELECT id FROM cases ORDER BY id DESC")
    return [
        find_target(browser, "reactie", [f"/besluiten/{d}" for d in decisions], re.compile(r"/besluiten/\d+"), "text"),
        find_target(browser, "voortgang", [f"/zaken/{c}" for c in cases], re.compile(r"/zaken/\d+/voortgang"), "text"),
    ]


# --- the processes --------------------------------------------------------------------------------


def production_env(url: str, port: int, mail_port: int, **extra: str) -> dict[str, str]:
    """The environment of a web node or scheduler as production runs it (a random SECRET_KEY shared by
    every process of the drill is given by the caller through ``extra`` when there are several), only
    the second factor off: the drills' clients have no phone."""
    return {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": url,
        "REGIOTAFEL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "REQUIRE_MFA": "0",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        **extra,
    }


def start(log: Path, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    """``python *args`` in the project's folder, its output appended to ``log``."""
    out = log.open("ab")
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=out)


def start_web(log: Path, env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen[bytes]:
    """gunicorn with sync workers serving ``wsgi:app``, as production does."""
    return start(
        log, env, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "sync", "--timeout", "60", "wsgi:app",
    )  # fmt: skip


def start_scheduler(log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``flask scheduler run`` every second."""
    return start(log, env, "-m", "flask", "scheduler", "run", "--interval", "1")


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path, seconds: float = START_SECONDS) -> None:
    """Until ``/healthz`` answers 200 (or the process stopped, or time ran out: an error)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Browser(base, timeout=5).request("/healthz")[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the process stopped: see {log}")
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not answer in time: see {log}")


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL for what has not stopped after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def say(kind: str, started: float, what: str) -> None:
    """A line of progress on stderr."""
    print(f"{kind}: {time.monotonic() - started:5.0f} s  {what}", file=sys.stderr, flush=True)


# --- the data -------------------------------------------------------------------------------------


def meeting_today(app: Any) -> None:
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
                    location="Oefening",
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


def ids(url: str, folder: Path, query: str) -> list[int]:
    from sqlalchemy import text

    from core.extensions import db

    app = throwaway.app_on(url, folder)
    with app.app_context():
        with db.engine.connect() as connection:
            ids = [int(i) for (i,) in connection.execute(text(query))]
        db.engine.dispose()
    return ids


# --- the checks -----------------------------------------------------------------------------------


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


def half_written(connection: Any) -> list[str]:
    """What is half-written (see ``HALF_WRITTEN``), and what the database's own check finds."""
    from sqlalchemy import text

    problems = []
    for what, query in HALF_WRITTEN.items():
        count = connection.execute(text(query)).scalar_one()
        if count:
            problems.append(f"{count} {what}")
    return problems + integrity(connection)


def unhandled(log: Path) -> list[str]:
    """Lines of the web log that tell of an unhandled exception: Flask's 500 page, or gunicorn's own bare
    500 for an exception after the answer was made."""
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if "Exception on " in line or "Error handling request" in line]


def audit_verify(env: dict[str, str]) -> str | None:
    """``flask audit verify`` in a process of its own: None when the chain holds, else what it said."""
    verified = subprocess.run(
        [sys.executable, "-m", "flask", "audit", "verify"],
        cwd=ROOT,
        env={**env, "REGIOTAFEL_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return None if verified.returncode == 0 else f"audit verify: {verified.stdout}{verified.stderr}"[-2000:]


#: Where each kind of write lands, and the column its marker is in.
WRITTEN = {
    "agendapunt": ("agenda_items", "title"),
    "besluit": ("decisions", "text"),
    "reactie": ("decision_comments", "text"),
    "voortgang": ("case_events", "note"),
}


def stored_markers(connection: Any) -> set[str]:
    """The markers of the drills' writes that are in the database."""
    from sqlalchemy import text

    present: set[str] = set()
    for table, column in WRITTEN.values():
        marked = text(f"SELECT {column} FROM {table} WHERE {column} LIKE 'drill-%'")
        present |= {m.split(" ")[0] for (m,) in connection.execute(marked)}
    return present


def acknowledged_found(connection: Any, writes: list[Write]) -> tuple[int, list[str]]:
    """How many of the acknowledged ``writes`` are in the database, and a problem per kind for those
    that are not."""
    present = stored_markers(connection)
    acknowledged = [w for w in writes if w.outcome == "ok"]
    problems = []
    for kind in WRITTEN:
        lost = [w.marker for w in acknowledged if w.kind == kind and w.marker not in present]
        if lost:
            problems.append(f"{len(lost)} acknowledged {kind} writes missing: {lost[:5]}")
    return sum(1 for w in acknowledged if w.marker in present), problems


def messages_sent_once(connection: Any, received: list[str]) -> tuple[int, int, list[str]]:
    """The messages due, those marked sent, and what is wrong: a message due and not sent, one marked
    sent that the SMTP server did not get (by Message-ID), got twice, or got without being marked."""
    from sqlalchemy import text

    states: dict[str, int] = dict(
        connection.execute(
            text("SELECT state, count(*) FROM notifications WHERE due_at <= :now GROUP BY state"),
            {"now": utcnow()},
        ).all()
    )
    problems = []
    unsent = {state: n for state, n in states.items() if state in ("gepland", "bezig", "in_postvak", "mislukt")}
    if unsent:
        problems.append(f"messages due but not sent after the drill: {unsent}")
    sent = {m for (m,) in connection.execute(text("SELECT message_id FROM notifications WHERE state = 'verzonden'"))}
    copies = Counter(received)
    if missing := sent - set(copies):
        problems.append(f"{len(missing)} messages marked sent never reached the SMTP server")
    if twice := {m: n for m, n in copies.items() if n > 1}:
        problems.append(f"{len(twice)} messages reached the SMTP server more than once: {list(twice)[:3]}")
    if unknown := set(copies) - sent:
        problems.append(f"{len(unknown)} messages reached the SMTP server but are not marked sent")
    return sum(states.values()), len(sent), problems


def utcnow() -> Any:
    from core.dates import now

    return now()


def due_left(url: str, folder: Path) -> int:
    """How many messages are due and not yet sent."""
    from sqlalchemy import text

    from core.extensions import db

    app = throwaway.app_on(url, folder)
    with app.app_context():
        with db.engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM notifications WHERE due_at <= :now AND state IN ('gepland', 'bezig')"),
                {"now": utcnow()},
            ).scalar_one()
        db.engine.dispose()
    return int(left)
