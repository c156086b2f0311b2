"""The scheduler: APScheduler says when, the database holds the work.

Packages bring jobs (receivers of ``core.signals.scheduler_jobs``): plan the notifications that are
due, add the progress item to coming agendas, send. ``flask scheduler tick`` runs each job once and exits (cron, tests);
``flask scheduler run`` runs them every ``SCHEDULER_INTERVAL_SECONDS`` until stopped. Any number
of scheduler processes may run side by side: every job is safe to run twice at once, because what
it does is claimed in the database. Web workers never run jobs; ``create_app`` starts nothing.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from core.acting import origin
from core.extensions import db
from core.signals import answer, scheduler_jobs

log = logging.getLogger("regiotafel.scheduler")

#: Set on SIGTERM/SIGINT: long jobs stop after the piece at hand (a message being sent).
STOP = threading.Event()


@dataclass(frozen=True)
class Job:
    name: str
    #: Does the work and says in one line what it did.
    run: Callable[[str], str]
    #: Jobs run in this order within a tick.
    order: int = 50


def process_token() -> str:
    """Names this process in what it claims: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def tick(app: Flask, token: str) -> list[tuple[str, str]]:
    """Run every job once, each in its own app context; one failing job does not stop the others."""
    results: list[tuple[str, str]] = []
    with app.app_context():
        jobs = sorted(answer(scheduler_jobs, app), key=lambda job: job.order)
    for job in jobs:
        with app.app_context(), origin("scheduler"):
            try:
                outcome = job.run(token)
            except Exception as exc:
                db.session.rollback()
                log.exception("job %s failed", job.name)
                outcome = f"mislukt: {exc!r}"
            results.append((job.name, outcome))
            log.info("%s: %s", job.name, outcome)
    return results


def run_forever(app: Flask, interval: int) -> None:
    """Tick every ``interval`` seconds until SIGTERM or SIGINT; a tick under way finishes the
    message at hand, hands back what it claimed and stops."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    token = process_token()
    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=interval),
        args=[app, token],
        id="tick",
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping after the message at hand", signum)
        STOP.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s: every %s s", token, interval)
    scheduler.start()


@click.group("scheduler")
def scheduler_group() -> None:
    """Plan and send reminders, add progress items: the jobs between meetings."""


@scheduler_group.command("tick")
@with_appcontext
def tick_command() -> None:
    """Run every due job once and exit (for cron and tests)."""
    _log_to_stderr()
    for name, outcome in tick(current_app._get_current_object(), process_token()):  # type: ignore[attr-defined]
        click.echo(f"{name}: {outcome}")


@scheduler_group.command("run")
@click.option("--interval", type=int, default=None, help="Seconden tussen twee rondes (standaard uit de configuratie).")
@with_appcontext
def run_command(interval: int | None) -> None:
    """Keep running the jobs, every SCHEDULER_INTERVAL_SECONDS, until stopped."""
    _log_to_stderr()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_forever(app, interval or app.config["SCHEDULER_INTERVAL_SECONDS"])


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
