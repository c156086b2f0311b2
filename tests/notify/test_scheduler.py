"""Scheduler processes against one database and a real SMTP server: every due reminder is
delivered exactly once, whatever the number of processes, and also when one dies mid-way.

The processes are real ``flask scheduler tick|run`` commands on a database of their own (the
suite's kind: PostgreSQL in CI's second run, where ``FOR UPDATE SKIP LOCKED`` does the claiming;
SQLite's write lock in the first)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from core import PROJECT_ROOT
from core.dates import now
from core.extensions import db
from meetings.models import Meeting
from meetings.services import agenda
from notify.models import Notification, NotificationState
from tests.conftest import find_body, own_database, user
from tests.notify.conftest import SmtpServer


def _publish_next_bo_agenda(app: Flask) -> None:
    """The demo's next BO-Brainport goes out: every member is due an invitation on top of the
    demo's due reminders."""
    with app.app_context():
        bo = find_body()
        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == bo.id, Meeting.agenda_published_at.is_(None))
        ).one()
        agenda.publish_agenda(user("secretariaat@ezk.test"), upcoming)
        db.session.commit()
        db.session.remove()


def _env(app: Flask, smtp: SmtpServer, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("REGIOTAFEL_", "MAIL_"))}
    env.update(
        DATABASE_URL=app.config["DATABASE_URL"],
        # The scheduler's bundles and whatever else it keeps go beside the test's database, not into the
        # checkout's instance folder, which CI's other half (and a developer's `make run`) uses too.
        REGIOTAFEL_INSTANCE_PATH=str(Path(app.config["BUNDLE_CACHE_FOLDER"]).parent / "instance"),
        REGIOTAFEL_ENV="test",
        PYTHONUNBUFFERED="1",
        **smtp.env(),
        **settings,
    )
    return env


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _sent(app: Flask) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.message_id, Notification.id).where(Notification.state == NotificationState.VERZONDEN)
        ).all()
        db.session.remove()
    return {message_id: ident for message_id, ident in rows}


def _due_and_unsent(app: Flask, moment: datetime) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.due_at <= moment,
                Notification.state.in_(
                    (NotificationState.GEPLAND, NotificationState.BEZIG, NotificationState.IN_POSTVAK)
                ),
            )
        )
        db.session.remove()
    return int(count or 0)


@pytest.mark.own_database
def test_three_tick_processes_at_once_deliver_every_due_reminder_exactly_once(tmp_path: Any, smtp: SmtpServer):
    smtp.inbox.delay = 0.05
    with own_database(tmp_path) as app:
        _publish_next_bo_agenda(app)
        env = _env(app, smtp, REGIOTAFEL_NOTIFY_BATCH="2")
        started = now()
        ticks = [
            subprocess.Popen(
                _flask("scheduler", "tick"),
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [tick.communicate(timeout=180) for tick in ticks]
        for tick, (_out, err) in zip(ticks, outputs, strict=True):
            assert tick.returncode == 0, err[-3000:]

        received = smtp.inbox.message_ids()
        sent = _sent(app)
        assert received, "the demo has due reminders; none arrived"
        twice = {message_id: n for message_id, n in received.items() if n > 1}
        assert not twice, f"delivered more than once: {twice}"
        assert set(received) == set(sent), "what the server accepted is what the database calls sent"
        assert _due_and_unsent(app, started) == 0, "every notification that was due went out"
        per_process = [int(re.search(r"(\d+) verzonden", out).group(1)) for out, _err in outputs]  # type: ignore[union-attr]
        assert sum(per_process) == len(received)
        assert sum(1 for n in per_process if n) >= 2, f"the processes did not overlap: {per_process}"
        print(f"\n{len(received)} berichten, per proces {per_process}")

        again = subprocess.run(
            _flask("scheduler", "tick"), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stderr[-3000:]
        assert "meldingen versturen: 0 verzonden" in again.stdout
        assert smtp.inbox.message_ids() == received


def _wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.own_database
def test_a_scheduler_killed_mid_dispatch_and_restarted_sends_each_reminder_once(tmp_path: Any, smtp: SmtpServer):
    # The fourth message is kept waiting at the server, unanswered, until the process is dead.
    smtp.inbox.hold_at = 4
    with own_database(tmp_path) as app:
        _publish_next_bo_agenda(app)
        env = _env(
            app,
            smtp,
            REGIOTAFEL_NOTIFY_BATCH="3",
            REGIOTAFEL_NOTIFY_LEASE_SECONDS="4",
            REGIOTAFEL_MAIL_TIMEOUT="1",
            SCHEDULER_INTERVAL_SECONDS="1",
        )
        logs = tmp_path / "scheduler.log"
        with logs.open("w") as log:
            first = subprocess.Popen(_flask("scheduler", "run"), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
            try:
                assert smtp.inbox.holding.wait(90), logs.read_text()[-3000:]
                os.kill(first.pid, signal.SIGKILL)
                first.wait(timeout=30)
            finally:
                if first.poll() is None:
                    first.kill()
            smtp.inbox.release.set()
            assert first.returncode == -signal.SIGKILL
            before_restart = smtp.inbox.message_ids()
            assert len(before_restart) == 3
            with app.app_context():
                stranded = db.session.scalar(
                    select(func.count(Notification.id)).where(Notification.state == NotificationState.BEZIG)
                )
                db.session.remove()
            assert stranded, "the killed process left the notifications it had claimed"

            second = subprocess.Popen(_flask("scheduler", "run"), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
            try:
                restarted = now()
                _wait_for(lambda: _due_and_unsent(app, restarted) == 0, 90, "the restarted scheduler to send the rest")
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(timeout=60)
        assert second.returncode == 0, logs.read_text()[-3000:]

        received = smtp.inbox.message_ids()
        twice = {message_id: n for message_id, n in received.items() if n > 1}
        assert not twice, f"delivered more than once: {twice}"
        assert set(received) == set(_sent(app))
        assert len(received) > len(before_restart)
        print(f"\n{len(before_restart)} voor de SIGKILL, {len(received)} in totaal, elk één keer")
