"""The scheduler's jobs for notifications: plan what is due, then send it."""

from __future__ import annotations

from flask import Flask

from core.scheduler import Job
from core.signals import scheduler_jobs
from notify import services


def _plan(_token: str) -> str:
    return f"{services.plan_due()} nieuw gepland"


def _send(token: str) -> str:
    return services.dispatch(token).summary()


def _planning(_app: Flask) -> Job:
    return Job("meldingen plannen", _plan, order=10)


def _sending(_app: Flask) -> Job:
    return Job("meldingen versturen", _send, order=90)


def register(app: Flask) -> None:
    scheduler_jobs.connect(_planning)
    scheduler_jobs.connect(_sending)
