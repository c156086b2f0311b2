"""Throwaway databases for the drills, benchmarks and tests that need a database of their own: a new
SQLite file, or a new PostgreSQL database on a server (``postgresql://postgres@127.0.0.1:5432`` unless
``REGIOTAFEL_DRILL_POSTGRES`` names another), dropped afterwards; and an app of the test kind on one."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from flask import Flask

POSTGRES_SERVER = os.environ.get("REGIOTAFEL_DRILL_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def postgres_reachable(server: str = POSTGRES_SERVER) -> bool:
    """Whether the server answers within a few seconds."""
    import psycopg

    try:
        with psycopg.connect(f"{server}/postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def database(kind: str, folder: Path, *, server: str = POSTGRES_SERVER, prefix: str = "regiotafel_x_") -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database of ``kind`` ("sqlite" or "postgresql"). ``server``
    may be written as libpq or as SQLAlchemy writes it (``postgresql+psycopg://…``); the database's name
    begins with ``prefix``."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    import psycopg

    server = server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_on(url: str, folder: Path, **config: Any) -> Flask:
    """An app of the test kind (quick password hashes) on the database at ``url``, caching its
    bundles below ``folder``; ``config`` adds to that or overrides it."""
    from core import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "REGIOTAFEL_ENV": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BUNDLE_CACHE_FOLDER": str(folder / "bundels"),
            **config,
        }
    )


def migrate_with_demo(app: Flask, *, by: str) -> None:
    """Bring the app's empty database to the current schema and load the demo into it, recorded
    as written by ``by`` (the drill, a benchmark)."""
    from flask_migrate import upgrade

    from core.acting import origin
    from core.extensions import db
    from demo.story import load

    with app.app_context():
        upgrade()
        with origin(by):
            load("regiotafel-demo")
            db.session.commit()
        db.session.remove()


Result = TypeVar("Result")


def drill_each(kinds: list[str], drill: Callable[[str, Path], Result]) -> list[Result]:
    """A drill run per kind of database, in a temporary folder; without kinds named: SQLite, and
    PostgreSQL when it answers."""
    if not kinds:
        kinds = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
        if "postgresql" not in kinds:
            print("PostgreSQL not reachable on 127.0.0.1:5432: drilling SQLite only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="regiotafel-drill-") as tmp:
        return [drill(kind, Path(tmp)) for kind in kinds]
