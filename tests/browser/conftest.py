"""Browser tests: Playwright drives the system's Chromium against the app served on a free local port.

One live server for the whole package: an app on a database of its own (a fresh SQLite file, or a new
PostgreSQL database when ``DATABASE_URL`` points there), migrated and with the demo, served by
Werkzeug in a thread. Every test gets a fresh browser context (no cookies from an earlier test).

Chromium comes from the system (Debian's ``chromium``; ``CHROMIUM=/path`` for another one), never from
Playwright's own downloads. Without it the whole package is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from core import db as core_db
from core.extensions import db
from tests.browser import axe
from tests.conftest import IN_CI, own_database, without

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None  # type: ignore[assignment]

VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    """The system's Chromium: ``$CHROMIUM`` if set, else ``chromium`` (or ``chromium-browser``) on the PATH."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "browser tests skipped: Playwright is not installed (pip install -e '.[dev]')"
    if chromium_path() is None:
        return (
            "browser tests skipped: no Chromium found (install Debian's `chromium`, "
            "or point CHROMIUM at a Chromium binary)"
        )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None or IN_CI:
        return  # in CI the fixtures fail instead (``without``)
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _rollback() -> Iterator[None]:
    """The browser talks to the live server's own database: no shared outer transaction here."""
    yield None


class QuietHandler(WSGIRequestHandler):
    """No access log line per request: a failing test's output shows the app's own errors instead."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class LiveServer:
    """The app served over HTTP in a thread, with a door into its database for set-up and lookups."""

    def __init__(self, app: Flask, server: BaseWSGIServer) -> None:
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"

    def query(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in an app context of the live app (read, or write through services and commit)."""
        with self.app.app_context():
            try:
                result = fn()
                db.session.commit()
                return result
            finally:
                db.session.remove()

    def shift_clock(self, delta: timedelta) -> Callable[[], None]:
        """Move the app's clock by ``delta``; returns the function that puts it back."""
        previous = core_db.clock
        core_db.clock = lambda: previous() + delta

        def restore() -> None:
            core_db.clock = previous

        return restore


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    reason = _skip_reason()
    if reason:
        without(reason)
    with own_database(tmp_path_factory.mktemp("browser")) as app:
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(app, server)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    reason = _skip_reason()
    if reason:
        without(reason)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context()``: a fresh browser context (another person at another computer)."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url, viewport=VIEWPORT, locale="nl-NL", accept_downloads=True, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def people(new_context: Callable[..., BrowserContext]) -> Callable[[str], Page]:
    """``people("beleid@ezk.test")``: a page in a context of its own, signed in as that demo account."""
    from tests.browser.helpers import sign_in

    def make(email: str) -> Page:
        page = new_context().new_page()
        sign_in(page, email)
        return page

    return make


# --- axe results, collected over the session -----------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.stash[axe.RESULTS] = []


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """axe's results of the session: every page's violations in a JSON file, and per page a line of
    counts by impact, printed and saved beside it (build/axe/, a CI artefact)."""
    results = config.stash.get(axe.RESULTS, [])
    if not results:
        return
    path = axe.report_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    lines = axe.summary(results)
    path.with_name("axe-summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    terminalreporter.write_sep("-", "axe-core (WCAG 2.1 A/AA): violations per page")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"axe report: {path} and {path.with_name('axe-summary.txt')}")


# --- where the demo's things are -----------------------------------------------------------------


@pytest.fixture(scope="session")
def demo(live_server: LiveServer) -> dict[str, Any]:
    """Ids of the demo's landmarks: the bodies, the BO-Brainport of 14 March 2023 and one of its
    items, decisions and documents, the next BO-Brainport, the ROM overleg's last meeting, an action,
    the memo DGBI / 27293059 and the dossier Talent Brainport."""
    from sqlalchemy import select

    from cases.models import Case, CaseType
    from core.db import Audience
    from meetings.models import AgendaItem, Body, Decision, Document, Meeting

    def find() -> dict[str, Any]:
        one = db.session.scalar
        bo = one(select(Body).where(Body.slug == "bo-brainport"))
        rom = one(select(Body).where(Body.slug == "rom-overleg"))
        assert bo is not None and rom is not None
        shared = (Audience.OVERLEG, Audience.OPENBAAR)
        march = one(select(Meeting).where(Meeting.body_id == bo.id, Meeting.title.like("%14 maart 2023%")))
        document = one(
            select(Document)
            .where(
                Document.meeting_id == march.id,
                Document.audience.in_(shared),
                Document.agenda_item_id.is_not(None),
                Document.filename.like("%.pdf"),
            )
            .order_by(Document.id)
        )
        upcoming = one(select(Meeting).where(Meeting.body_id == bo.id, Meeting.agenda_published_at.is_(None)))
        rom_meeting = one(select(Meeting).where(Meeting.body_id == rom.id).order_by(Meeting.starts_at.desc()))

        def case(kind: CaseType, *where: Any) -> int:
            found = one(select(Case.id).where(Case.type == kind, *where).order_by(Case.id))
            assert found is not None, kind
            return int(found)

        memo = db.session.get(Case, case(CaseType.NOTA, Case.kenmerk == "DGBI / 27293059"))
        assert memo is not None and memo.decision_id is not None
        memo_decision = db.session.get(Decision, memo.decision_id)
        assert memo_decision is not None
        return {
            "bo": bo.slug,
            "rom": rom.slug,
            "march": march.id,
            "march_item": document.agenda_item_id,
            "march_decision": one(
                select(Decision.id).where(Decision.meeting_id == march.id, Decision.audience.in_(shared))
            ),
            "document": document.id,
            "document_title": document.title,
            "upcoming": upcoming.id,
            "upcoming_cycle": upcoming.cycle_id,
            "upcoming_item": one(select(AgendaItem.id).where(AgendaItem.meeting_id == upcoming.id)),
            "rom_meeting": rom_meeting.id,
            "action": case(CaseType.ACTIEPUNT, Case.body_id == bo.id, Case.audience.in_(shared)),
            "nota": memo.id,
            "nota_decision": memo_decision.id,
            "nota_item": memo_decision.agenda_item_id,
            "dossier": case(CaseType.DOSSIER, Case.title.like("%Talent%")),
        }

    return live_server.query(find)
