"""The query planner's statistics on SQLite: ``ANALYZE`` when the data has grown since the last one.

PostgreSQL's autovacuum keeps its planner statistics up to date by itself; SQLite keeps none until
``ANALYZE`` runs, and without them it guesses that any index narrows a search to ten rows. On ten years
of data that guess walked every action of a body for the home page's news (23 ms of one statement)
where the index on the date would have found the few new ones (2.6 ms). The scheduler's job analyzes
when there are no statistics yet, or when the largest table the statistics know of has grown by a
tenth since they were taken (in this app the audit trail, which grows with everything and never
shrinks; its highest id stands for its size without counting a million rows every round).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from core.extensions import db
from core.scheduler import Job
from core.signals import scheduler_jobs

#: Analyze again when the largest table has grown by this share since the last statistics.
GROWTH = 0.1


def refresh_statistics(_token: str) -> str:
    """``ANALYZE`` on SQLite when there are no statistics, or the largest table has grown by ``GROWTH``."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        db.session.rollback()
        return "niet nodig (de database houdt haar statistieken zelf bij)"
    largest = None
    if connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # The first number of a table's statistics is its row count (a table without an index has one row
        # of statistics, each index one more; a partial index would count fewer, hence the largest).
        largest = connection.execute(
            text(
                "SELECT tbl, max(CAST(stat AS INTEGER)) AS known FROM sqlite_stat1 "
                "GROUP BY tbl ORDER BY known DESC LIMIT 1"
            )
        ).first()
    if largest is not None:
        table, known = largest
        quoted = '"' + str(table).replace('"', '""') + '"'
        now = connection.execute(text(f"SELECT coalesce(max(rowid), 0) FROM {quoted}")).scalar_one()
        if now <= known * (1 + GROWTH):
            db.session.rollback()
            return f"statistieken bij ({table}: {known} rijen toen, {now} nu)"
    # A write after reads in one deferred transaction fails when another writer committed in between:
    # start again, as a writer.
    db.session.rollback()
    db.begin_write()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return "statistieken vernieuwd"


def _refreshing(_app: Flask) -> Job:
    return Job("statistieken voor de queryplanner", refresh_statistics, order=99)


def register(app: Flask) -> None:
    scheduler_jobs.connect(_refreshing)
