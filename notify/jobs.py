"""The scheduler's jobs for notifications: plan what is due, then send it."""

from __future__ import annotations

from flask import Flask

from core.hooks import provide
from core.scheduler import JOBS, Job
from notify import services


def _plan(_token: str) -> str:
    return f"{services.plan_due()} nieuw gepland"


def _send(token: str) -> str:
    return services.dispatch(token).summary()


def register(app: Flask) -> None:
    provide(app, JOBS, lambda: Job("meldingen plannen", _plan, order=10))
    provide(app, JOBS, lambda: Job("meldingen versturen", _send, order=90))
