"""The database as it was before a long hunt on PostgreSQL, put back after every run.

A hunt inside one transaction (the suite's way: a savepoint per run, rolled back) is fine on SQLite and
slows to a crawl on PostgreSQL. There every update keeps its row's old version for as long as the
outermost transaction lives, and the audit chain's head row is updated by every audited write and read
back by the next: after a few thousand writes each lookup walks thousands of versions (a run took 184 s
against about 50 on SQLite). So on PostgreSQL a long hunt commits its requests as the app does in production,
and between runs the tables get back their rows from a copy taken before the first run.

Ids are not reset: the sequences go on, as they would in production (ids are never handed out twice).
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from core.extensions import db

SCHEMA = "hunt_snapshot"


class Snapshot:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        present = set(inspect(engine).get_table_names())
        # In the order of their foreign keys, so that every row put back finds what it refers to.
        self.tables = [table.name for table in db.metadata.sorted_tables if table.name in present]
        # Generated columns (the search index's tsvector) are computed again, never written.
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND is_generated = 'NEVER' ORDER BY ordinal_position"
                )
            )
            self.columns: dict[str, list[str]] = {}
            for table_name, column_name in rows:
                self.columns.setdefault(table_name, []).append(f'"{column_name}"')

    def take(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            for name in self.tables:
                connection.execute(text(f'CREATE TABLE {SCHEMA}."{name}" AS TABLE public."{name}"'))

    def restore(self) -> None:
        with self.engine.begin() as connection:
            # A connection left inside a transaction would hold the lock TRUNCATE waits for: an error
            # after half a minute says so, instead of a hunt that hangs.
            connection.execute(text("SET LOCAL lock_timeout = '30s'"))
            # The audit trail is append-only by its triggers; putting the whole database back a run is
            # the one thing that may rewind it (the hunt's own database, as its superuser).
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text("TRUNCATE " + ", ".join(f'public."{name}"' for name in self.tables)))
            for name in self.tables:
                columns = ", ".join(self.columns[name])
                connection.execute(
                    text(f'INSERT INTO public."{name}" ({columns}) SELECT {columns} FROM {SCHEMA}."{name}"')
                )

    def drop(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
