"""Throwaway databases for the drills and benchmarks: a new SQLite file, or a new PostgreSQL database
on a server (``postgresql://postgres@127.0.0.1:5432`` unless ``REGIOTAFEL_DRILL_POSTGRES`` names another),
dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
def database(kind: str, folder: Path, *, server: str = POSTGRES_SERVER) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database of ``kind`` ("sqlite" or "postgresql")."""
    name = f"regiotafel_x_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
