"""Fixtures: one migrated database per run with the demo committed in it; every test runs inside
an outer transaction that is rolled back, so tests see the demo and never each other.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL`` points there.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from core import db as core_db
from core.extensions import db
from tools import throwaway

DEMO_PASSWORD = "regiotafel-demo"

#: Set by ``.ci/run``, which installs every tool the suite needs (Chromium, node): there a missing tool
#: is a broken install step, and a skip would hide it behind a green run.
IN_CI = bool(os.environ.get("REGIOTAFEL_CI"))


def without(reason: str) -> NoReturn:
    """Skip a test whose tool this machine lacks; in CI, fail it."""
    if IN_CI:
        pytest.fail(f"{reason}; CI installs it (.ci/run), so this is a broken install step", pytrace=False)
    pytest.skip(reason)


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class Client(FlaskClient):
    """A test client that logs in like a browser and sends the CSRF token with every form."""

    _token: str | None = None

    def csrf_token(self, page: str = "/") -> str:
        if self._token is None:
            response = self.get(page, follow_redirects=True)
            if _CSRF.search(response.get_data(as_text=True)) is None:  # signed out: the login page has a form
                response = self.get("/auth/login", follow_redirects=True)
            match = _CSRF.search(response.get_data(as_text=True))
            assert match, "no CSRF token on the page"
            self._token = match.group(1) or match.group(2)
        return self._token

    def login(self, email: str, password: str = DEMO_PASSWORD) -> Any:
        self._token = None
        token = self.csrf_token("/auth/login")
        response = self.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
        self._token = None  # a sign-in starts a fresh session, with a fresh CSRF token
        return response

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        response = self.post(url, data={**(data or {}), "csrf_token": self.csrf_token()}, **kwargs)
        # Werkzeug's test client spools a large body to a temporary file that nobody closes.
        body = response.request.environ.get("wsgi.input")
        if body is not None:
            body.close()
        return response


def _reset_database(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    base = tmp_path_factory.mktemp("regiotafel")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{base / 'test.db'}"
    app = throwaway.app_on(url, base, TESTING=True, MAX_DOCUMENT_BYTES=512 * 1024, DEMO_PASSWORD=DEMO_PASSWORD)
    app.test_client_class = Client
    _reset_database(app)
    with app.app_context():
        from core.acting import origin
        from demo.story import load
        from meetings.jobs.documents import read_texts

        with origin("test"):
            load(DEMO_PASSWORD)
            db.session.commit()
            read_texts("test", everything=True)  # as the scheduler would: the demo's documents get their text
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest, app: Flask) -> Iterator[Any]:
    """Bind every session of this test to one connection whose transaction is rolled back at the end."""
    if request.node.get_closest_marker("own_database"):
        yield None  # the test makes an app with a database of its own
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        outer.rollback()
        connection.close()
        with app.app_context():
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")


@pytest.fixture
def undo(_rollback: Any) -> Any:
    """``with undo(): client.post(...)``: whatever the request stores is rolled back afterwards."""

    @contextmanager
    def savepoint() -> Iterator[None]:
        point = _rollback.begin_nested()
        try:
            yield
        finally:
            point.rollback()

    return savepoint


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def clients(app: Flask) -> Any:
    """``clients("beleid@ezk.test")``: a logged-in client per demo account."""

    def make(email: str) -> Client:
        c: Client = app.test_client()  # type: ignore[assignment]
        response = c.login(email)
        assert response.status_code == 302, f"login failed for {email}"
        return c

    return make


@contextmanager
def in_app(app: Flask) -> Iterator[None]:
    """An app context of its own, as a request would have; commits stay inside the test's transaction."""
    with app.app_context():
        try:
            yield
            db.session.commit()
        finally:
            db.session.remove()


@pytest.fixture
def ctx(app: Flask) -> Any:
    return lambda: in_app(app)


def user(email: str) -> Any:
    from auth.models import User

    return db.session.scalars(select(User).where(User.email == email)).one()


def find_body(slug: str = "bo-brainport") -> Any:
    from meetings.models import Body

    return db.session.scalars(select(Body).where(Body.slug == slug)).one()


def regio_secretary() -> Any:
    """A second secretary of BO-Brainport, from the province: the regio side's, who makes regio-only
    items (the demo's secretariat is the ministry's)."""
    from auth.models import Role
    from meetings.services.bodies import set_member_role

    beheer, province = user("beheer@regiotafel.test"), user("economie@noord-brabant.test")
    secretary = account("secretariaat@noord-brabant.test", "Secretariaat regio", province.organisation_id)
    set_member_role(beheer, find_body(), user_id=secretary.id, role=Role.SECRETARIAAT)
    return secretary


def new_action(**details: Any) -> Any:
    """An actiepunt of BO-Brainport, recorded by its secretariat, owned by the province and due in
    twenty days; ``details`` override any of ``create_follow_up``'s fields."""
    from cases.models import CaseType
    from cases.services.cases import create_follow_up
    from core.dates import today

    fields: dict[str, Any] = {
        "case_type": CaseType.ACTIEPUNT,
        "title": "Verkenning laadinfrastructuur",
        "owner_organisation_id": user("economie@noord-brabant.test").organisation_id,
        "due_date": today() + timedelta(days=20),
        **details,
    }
    case = create_follow_up(user("secretariaat@ezk.test"), find_body(), **fields)
    db.session.flush()
    return case


def account(email: str, name: str, organisation_id: int, *, password: str | None = None, **details: Any) -> Any:
    """A user made by the demo's beheerder, with a password set the way only the command line can
    (people choose theirs through an invitation: ``auth.invitations``). ``details``: function,
    is_beheerder."""
    from auth.services import create_user, provision_password
    from core.acting import SYSTEM

    person = create_user(
        user("beheer@regiotafel.test"), email=email, name=name, organisation_id=organisation_id, **details
    )
    db.session.flush()
    if password is not None:
        provision_password(SYSTEM, person, password=password)
    return person


def switch_off(email: str) -> None:
    """The demo's beheerder switches the account off, changing none of its details."""
    from auth.services import update_user

    person = user(email)
    update_user(
        user("beheer@regiotafel.test"),
        person,
        email=person.email,
        name=person.name,
        organisation_id=person.organisation_id,
        function=person.function,
        active=False,
    )


def new_meeting(meeting_date: Any, *, slug: str = "bo-brainport", **details: Any) -> Any:
    """A new cycle of the body, made by its secretariat, and its meeting (for a test's own items: an
    empty agenda, without the body's standing items unless ``standing_items=True``).
    ``details`` override the meeting's times, place, chair, audience or kenmerk."""
    from meetings.services import cycles

    body = find_body(slug)
    details = {
        "start_time": time(10),
        "end_time": time(12),
        "location": "Ministerie van EZK, Den Haag",
        "chair": "Minister van EZK",
        "standing_items": False,
        **details,
    }
    cycle = cycles.create_cycle(user("secretariaat@ezk.test"), body, meeting_date=meeting_date, **details)
    db.session.flush()
    return cycle.meetings[0]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``clock(datetime)``: move the app's clock (UTC-aware) for the rest of the test."""

    def move(moment: datetime) -> None:
        fixed = moment.astimezone(UTC)
        monkeypatch.setattr(core_db, "clock", lambda: fixed)

    return move


def meeting_held(clock: Any, meeting: Any) -> None:
    """Move the app's clock (with the ``clock`` fixture) to half an hour after ``meeting`` ended:
    attendance and decisions are recorded from the meeting's day on, never weeks ahead of it."""
    clock(meeting.ends_at + timedelta(minutes=30))


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """``with count_queries() as counter: client.get(...)``; ``counter.count`` statements ran."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


def amsterdam(day: date, hour: int, minute: int = 0) -> datetime:
    """The moment it is ``hour``:``minute`` on ``day`` in Amsterdam, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


def workbook(rows: list[list[Any]]) -> bytes:
    """An .xlsx file whose first sheet holds ``rows``."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(text: str) -> bytes:
    """A Word file of one paragraph."""
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def fixture_path(name: str) -> Path:
    return Path(__file__).parent / "fixtures" / name


@contextmanager
def own_database(tmp_path: Path, *, on: str | None = None, **config: Any) -> Iterator[Flask]:
    """An app on a fresh database of the suite's kind (a new SQLite file, or a new PostgreSQL
    database next to the suite's), migrated, with the demo. For tests marked ``own_database``:
    what they commit, and other processes they start, see the same database. ``on``: "sqlite", or a
    PostgreSQL server (``postgresql+psycopg://user@host:port``), whatever the suite runs on."""
    base = os.environ.get("DATABASE_URL")
    server = base.rsplit("/", 1)[0] if base else ""
    if on is not None:
        server = "" if on == "sqlite" else on
    with throwaway.database("postgresql" if server else "sqlite", tmp_path, server=server) as url:
        app = throwaway.app_on(url, tmp_path, **config)
        try:
            with app.app_context():
                upgrade()
            assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def postgres_server() -> str:
    """The PostgreSQL server to make a throwaway database on, whichever database the suite runs on: the
    suite's, ``REGIOTAFEL_TEST_POSTGRES``, or the drills' (127.0.0.1:5432 as postgres). Without one the
    test skips (and fails in CI)."""
    suite = os.environ.get("DATABASE_URL", "")
    server = os.environ.get("REGIOTAFEL_TEST_POSTGRES") or (
        suite.rsplit("/", 1)[0] if suite.startswith("postgresql") else throwaway.POSTGRES_SERVER
    )
    if not throwaway.postgres_reachable(server.replace("+psycopg", "")):
        without(f"no PostgreSQL answers at {server}")
    return server
