"""``flask --app wsgi demo --scale large``: ten years of 25 bodies on top of the demo, to measure against.

On an empty (migrated) database it loads the demo first, as ``flask demo`` does, so that the demo's
accounts sign in as before, and then adds, with a fixed seed (dates follow the day it runs, as the
demo's do): 25 bodies with two cycles a year for ten years (about 500 meetings, each with its
milestones), 10,000 agenda items, 30,000 documents (small real PDFs whose text search finds), 15,000
decisions with comments, 40,000 actions and commitments with their history, 500 accounts on both
sides with vertrouwelijk grants, and an audit trail of 1,000,000 records in one valid chain. The
demo's people take part in the generated bodies where their organisation sits at the table.

Organisations, themes, bodies, roles and seats go through the services; the rest is written in bulk
(``demo.large_plan`` plans it, with the audit records the changes would have left). The invariants
hold as if the services had made it: ``audit.chain.append_rows`` seals the records (the one function
the recorder appends with), ``search.index.rebuild`` indexes the items (the one that ``flask search
reindex`` runs), and documents are stored through ``meetings.storage.store``. The audit trail holds
the demo's story first (2022 to today) and then the generated ten years in the order they happened;
besides the changes, most of its records are the accounts' sign-ins over those years.

Everything after the demo is one transaction: if it fails, the database holds the demo only.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

import click
from flask import current_app
from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update

from audit.chain import head
from auth.models import User
from core.acting import origin
from core.dates import AMSTERDAM, now
from core.extensions import db
from demo import large_cases, large_decisions, large_meetings
from demo.large_cases import SignIns
from demo.large_cast import build
from demo.large_data import BODIES
from demo.large_plan import TABLES, Planner, slots
from demo.large_trail import Trail, seal
from meetings import storage
from meetings.models import Body
from search.index import rebuild

#: The generator's seed: the same day and the same scale give the same data.
SEED = 12
#: Rows per INSERT statement's batch.
BATCH = 5_000


@dataclass(frozen=True)
class Scale:
    """How much to generate; ``Scale.of(1.0)`` is the issue's large data set, a small factor a quick one."""

    factor: float
    bodies: int
    years: int
    users: int
    agenda_items: int
    documents: int
    decisions: int
    comments: int
    cases: int
    #: The whole trail, the demo's records included.
    audit_records: int

    @classmethod
    def of(cls, factor: float = 1.0) -> Scale:
        if not 0 < factor <= 1:
            raise ValueError("the factor lies between 0 and 1")

        def part(size: int, least: int = 1) -> int:
            return max(least, round(size * factor))

        bodies, years = part(25, 2), part(10, 1)
        meetings = bodies * years * 2
        return cls(
            factor=factor,
            bodies=bodies,
            years=years,
            # A secretariat on each side per body, and the auditors, before anyone takes part.
            users=part(500, 4 * bodies + 2),
            # The six standing items and at least two of its own on every agenda.
            agenda_items=part(10_000, 8 * meetings),
            documents=part(30_000),
            decisions=part(15_000, meetings),
            comments=part(7_500),
            cases=part(40_000),
            audit_records=part(1_000_000),
        )


def large_loaded() -> bool:
    return db.session.scalar(select(Body.id).where(Body.slug == BODIES[0][1])) is not None


def load_large(factor: float) -> None:
    """The command: refuse a database with data in it, else load the demo and the large data set."""
    from demo.story import database_has_users

    if large_loaded():
        click.echo("De grote demo is al geladen; er is niets veranderd.")
        return
    if database_has_users():
        raise click.ClickException(
            "De database is niet leeg. De grote demo komt alleen in een lege database (na flask db upgrade); "
            "hij laadt de demo zelf mee."
        )
    scale = Scale.of(factor)
    started = clock.monotonic()
    with origin("demo"):
        counts = generate(scale, current_app.config["DEMO_PASSWORD"], click.echo)
    minutes = (clock.monotonic() - started) / 60
    click.echo(
        f"Grote demo geladen in {minutes:.1f} minuten: "
        + ", ".join(f"{count:,} {name}".replace(",", ".") for name, count in counts.items())
        + f". Database: {_size() / 1e9:.2f} GB."
    )


@contextmanager
def _phase(echo: Callable[[str], None], label: str) -> Iterator[dict[str, str]]:
    """Time a phase and say what it made: ``done["what"]`` is filled in by the phase."""
    started = clock.monotonic()
    done = {"what": ""}
    yield done
    echo(f"  {label}: {done['what']} ({clock.monotonic() - started:.1f} s)")


def generate(scale: Scale, password: str, echo: Callable[[str], None] = click.echo) -> dict[str, int]:
    """Load the demo, then the large data set of ``scale`` on top, and commit. Returns what was made."""
    from core.scheduler import process_token
    from demo.story import BEHEER_EMAIL, at, load
    from meetings.jobs.documents import read_texts

    with _phase(echo, "demo") as done:
        load(password)
        db.session.commit()
        read_texts(process_token(), everything=True)
        done["what"] = "het verhaal van de seeds"

    rng = random.Random(SEED)
    moment = now()
    windows = slots(scale.years, moment.astimezone(AMSTERDAM).date())
    start = datetime.combine(date(windows[0][0], 1, 2), time(10), tzinfo=AMSTERDAM)
    beheer = db.session.scalars(select(User).where(User.email == BEHEER_EMAIL)).one()
    trail = Trail()
    with _phase(echo, "organisaties, overleggen, accounts, rollen en zetels") as done, at(start):
        world = build(rng, bodies=scale.bodies, users=scale.users, beheer=beheer, password=password, trail=trail)
        db.session.flush()
        done["what"] = f"{len(world.tables)} overleggen, {len(world.people)} accounts"
    connection = db.session.connection()

    with _phase(echo, "tien jaar gepland") as done:
        first_ids = {model.__tablename__: (db.session.scalar(select(func.max(model.id))) or 0) + 1 for model in TABLES}
        planner = Planner(rng, world, trail, first_ids=first_ids, now=moment, store=storage.store)
        plan(planner, scale)
        done["what"] = ", ".join(f"{len(rows)} {table}" for table, rows in planner.rows.items())

    with _phase(echo, "rijen geschreven") as done:
        for model in TABLES:
            rows = planner.rows.get(model.__tablename__, [])
            for first in range(0, len(rows), BATCH):
                connection.execute(insert(cast(Table, model.__table__)), rows[first : first + BATCH])
        done["what"] = f"{sum(len(rows) for rows in planner.rows.values())} rijen"

    with _phase(echo, "zoekindex") as done:
        done["what"] = f"{rebuild(connection)} items"

    with _phase(echo, "audittrail") as done:
        changes = trail.take()
        count, _head = head(connection)
        sign_ins = SignIns(
            rng, trail, world.people, scale.audit_records - count - len(changes), start, moment - timedelta(minutes=1)
        )
        total = len(changes) + max(sign_ins.records, 0)
        with click.progressbar(length=total, label="  audittrail", file=None) as bar:
            sealed = seal(connection, changes, sign_ins, progress=bar.update)
        if sign_ins.last:
            users = cast(Table, User.__table__)
            connection.execute(
                update(users).where(users.c.id == bindparam("person")).values(last_login_at=bindparam("moment")),
                [{"person": person, "moment": at_} for person, at_ in sign_ins.last.items()],
            )
        done["what"] = f"{sealed} records verzegeld, keten tot {head(connection)[0]}"

    counts = _counts(planner.rows, world, connection)
    with _phase(echo, "vastgelegd") as done:
        _after_bulk(connection)
        db.session.commit()
        _checkpoint()
        done["what"] = "één transactie"
    return counts


def plan(planner: Planner, scale: Scale) -> None:
    """Plan everything, in the order the parts depend on each other."""
    meetings = large_meetings.cycles(planner, scale.years, scale.agenda_items)
    large_meetings.documents(planner, meetings, scale.documents)
    decisions = large_decisions.decisions(planner, meetings, scale.decisions)
    large_decisions.comments(planner, decisions, scale.comments)
    large_decisions.lists_and_minutes(planner, meetings)
    large_cases.cases(planner, decisions, scale.cases)


def _after_bulk(connection: Connection) -> None:
    """Gather the planner's statistics (as autovacuum, or on SQLite the scheduler's job in
    ``core.planner``, would soon do) so that the first measurements do not run on an empty guess; on
    PostgreSQL also move the id sequences past the ids given here."""
    if connection.dialect.name != "postgresql":
        connection.execute(text("ANALYZE"))
        return
    for model in (User, *TABLES):
        table = model.__tablename__
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
    connection.execute(text("ANALYZE"))


def _counts(rows: dict[str, list[dict[str, Any]]], world: Any, connection: Connection) -> dict[str, int]:
    sizes = {name: len(rows.get(name, [])) for name in ("meetings", "agenda_items", "documents", "decisions")}
    return {
        "overleggen": len(world.tables),
        "vergaderingen": sizes["meetings"],
        "agendapunten": sizes["agenda_items"],
        "documenten": sizes["documents"],
        "besluiten": sizes["decisions"],
        "reacties": len(rows.get("decision_comments", [])),
        "acties en toezeggingen": len(rows.get("cases", [])),
        "gebeurtenissen": len(rows.get("case_events", [])),
        "gebruikers": len(world.people),
        "auditrecords": head(connection)[0],
    }


def _checkpoint() -> None:
    """On SQLite: move the load out of the write-ahead log into the database file, and empty the log,
    rather than leave a log as large as the database for the first reader to fold in."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        # On the driver's connection: it runs without a transaction (SQLAlchemy's would begin one).
        connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]


def _size() -> int:
    """The database's size on disk, in bytes."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    path = Path(engine.url.database or "")
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
