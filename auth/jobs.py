"""The scheduler's job for signing in: sign-in attempts are kept as long as the throttle looks back,
and no longer (they hold addresses typed by anyone, and grew without end)."""

from __future__ import annotations

from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, delete

from auth.models import LoginAttempt
from auth.throttle import KNOWN_FOR
from core.dates import now
from core.extensions import db
from core.scheduler import Job
from core.signals import scheduler_jobs


def prune_attempts(_token: str) -> str:
    """Drop the attempts older than the longest the throttle looks back (a pair's last sign-in counts as
    known for ``KNOWN_FOR``; streaks and hourly ceilings look back far less). Bookkeeping, not the trail."""
    done = cast(CursorResult[Any], db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now() - KNOWN_FOR)))
    gone = done.rowcount
    db.session.commit()
    return f"{gone} inlogpogingen ouder dan {KNOWN_FOR.days} dagen opgeruimd"


def _pruning(_app: Flask) -> Job:
    return Job("inlogpogingen opruimen", prune_attempts, order=95)


def register(app: Flask) -> None:
    scheduler_jobs.connect(_pruning)
