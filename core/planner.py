"""The query planner's statistics on SQLite: ``ANALYZE`` when the data has grown since the last one.

PostgreSQL's autovacuum keeps its planner statistics up to date by itself; SQLite keeps none until
``ANALYZE`` runs, and without them it guesses that any index narrows a search to ten rows. On ten years
of data that guess walked every action of a body for the home page's news (23 ms of one statement)
where the index on the date would have found the few new ones (2.6 ms). The scheduler's job analyzes
when there are no statistics yet, or when the audit trail, which grows with everything the app does
and never shrinks, has grown by a tenth since they were taken.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from core.extensions import db
from core.scheduler import Job
from core.signals import scheduler_jobs

#: Analyze again when the trail has grown by this share since the last statistics.
GROWTH = 0.1


def refresh_statistics(_token: str) -> str:
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return "niet nodig (de database houdt haar statistieken zelf bij)"
    records = connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_records")).scalar_one()
    known = None
    if connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        known = connection.execute(
            text("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = 'audit_records' LIMIT 1")
        ).scalar()
    if known is not None and records <= known * (1 + GROWTH):
        db.session.rollback()
        return f"statistieken bij ({known} auditrecords toen, {records} nu)"
    db.begin_write()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return f"statistieken vernieuwd ({records} auditrecords)"


def _refreshing(_app: Flask) -> Job:
    return Job("statistieken voor de queryplanner", refresh_statistics, order=99)


def register(app: Flask) -> None:
    scheduler_jobs.connect(_refreshing)
