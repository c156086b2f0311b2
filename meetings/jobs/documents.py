"""The scheduler's job for meetings' documents: read the text of new uploads, for search."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from flask import Flask, current_app

from core.acting import SYSTEM
from core.extensions import db
from core.labels import label
from core.scheduler import STOP, Job
from core.signals import scheduler_jobs
from meetings.models import TextStatus
from meetings.services import texts


def read_texts(token: str, *, everything: bool = False) -> Counter[TextStatus]:
    """Read the documents that wait for their text, one at a time, as process ``token``.

    A round reads for about one scheduler interval, so that a row of heavy files cannot hold up the
    other jobs for long; ``everything`` reads until none are left (the demo, the tests, a reindex).
    Returns how many documents got each outcome.
    """
    config = current_app.config
    # A claim outlives the longest reading; after that, another process may take the document.
    lease = timedelta(seconds=config["DOCUMENT_TEXT_WALL_SECONDS"] + 60)
    deadline = time.monotonic() + config["SCHEDULER_INTERVAL_SECONDS"]
    outcomes: Counter[TextStatus] = Counter()
    while everything or time.monotonic() < deadline:
        if STOP.is_set():
            break
        claim = texts.claim_text(SYSTEM, token=token, lease=lease)
        db.session.commit()
        if claim is None:
            break
        reading = texts.read_claimed(claim)
        if texts.store_text(SYSTEM, claim, token=token, reading=reading):
            outcomes[reading.status] += 1
        db.session.commit()
    return outcomes


def _job(token: str) -> str:
    outcomes = read_texts(token)
    if not outcomes:
        return "geen documenten te lezen"
    return ", ".join(f"{count} {label(status)}" for status, count in sorted(outcomes.items()))


def _reading(_app: Flask) -> Job:
    # Last in a round: reminders go out first, whatever the documents take.
    return Job("tekst van documenten lezen", _job, order=95)


def register(app: Flask) -> None:
    scheduler_jobs.connect(_reading)
