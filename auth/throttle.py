"""Login throttling (ASVS 6.3): growing waits after failures, per account and per client address.

Failures count "in a row": since the last success for that address (or account), within a day.
The first few are free; after that each failure doubles the wait before the next try, up to a
ceiling of 15 minutes; and no account gets more than ``ACCOUNT_PER_HOUR`` failures in any hour. The
account key is the address as typed, so an unknown address is throttled exactly like a real one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from auth.models import LoginAttempt
from core.dates import now
from core.extensions import db

HOUR = timedelta(hours=1)
STREAK = timedelta(days=1)
ACCOUNT_FREE = 5
ACCOUNT_PER_HOUR = 100
ADDRESS_FREE = 20
ADDRESS_PER_HOUR = 300
MAX_WAIT = timedelta(minutes=15)


def _wait_for(column: InstrumentedAttribute[str], key: str, kind: str, free: int, per_hour: int) -> timedelta:
    moment = now()
    failed = (column == key, LoginAttempt.kind == kind, LoginAttempt.succeeded.is_(False))
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(column == key, LoginAttempt.kind == kind, LoginAttempt.succeeded)
    )
    # The streak: failures since the last success (within a day). It sets the growing wait.
    since = max(moment - STREAK, _aware(last_success)) if last_success else moment - STREAK
    streak, last = db.session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(*failed, LoginAttempt.at > since)
    ).one()
    waits = [timedelta(0)]
    if streak >= free:
        delay = min(timedelta(seconds=2 ** (streak - free)), MAX_WAIT)
        waits.append(_aware(last) + delay - moment)
    # The hard cap: never more than per_hour failures within any hour.
    hourly, first = db.session.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(*failed, LoginAttempt.at > moment - HOUR)
    ).one()
    if hourly >= per_hour:
        waits.append(_aware(first) + HOUR - moment)
    return max(waits)


def _aware(value: datetime) -> datetime:
    # Aggregates bypass the column type on SQLite, so the value may come back naive (it is UTC).
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def wait_before_next(email: str, address: str, kind: str = "password") -> timedelta:
    """How long this account (as typed) and this client must wait before the next try."""
    return max(
        _wait_for(LoginAttempt.email, email, kind, ACCOUNT_FREE, ACCOUNT_PER_HOUR),
        _wait_for(LoginAttempt.address, address, kind, ADDRESS_FREE, ADDRESS_PER_HOUR),
    )


def describe(wait: timedelta) -> str:
    seconds = int(wait.total_seconds()) + 1
    if seconds < 90:
        return f"{seconds} seconden"
    return f"{(seconds + 59) // 60} minuten"
