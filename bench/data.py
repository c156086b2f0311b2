"""The data sets ``make bench`` measures on: built once, kept, and reused when present.

Per database and size one data set: SQLite files in ``bench/.data/`` (ignored by git), PostgreSQL
databases ``regiotafel_bench_demo`` and ``regiotafel_bench_large`` on the server ``BENCH_POSTGRES``
names. ``demo`` is what ``flask demo`` loads; ``large`` is ``flask demo --scale large`` (ten years
of 25 bodies and 1,000,000 audit records; about 6 minutes and 0.8 GB per database on an idle
machine). A data set is built under another name and renamed when complete, so a build that was
interrupted is built again rather than measured. Before each run ``flask db upgrade`` brings a kept
data set to the current schema (new indexes included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
DATABASES = ("sqlite", "postgres")
SIZES = ("demo", "large")
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def database_name(size: str) -> str:
    return f"regiotafel_bench_{size}"


def url_of(database: str, size: str, *, building: bool = False) -> str:
    if database == "sqlite":
        return f"sqlite:///{DATA / (size + '.sqlite' + ('.building' if building else ''))}"
    return f"{POSTGRES}/{database_name(size)}{'_building' if building else ''}"


def _admin() -> object:
    import psycopg

    return psycopg.connect(POSTGRES.replace("+psycopg", "") + "/postgres", autocommit=True)


def _postgres_has(name: str) -> bool:
    with _admin() as admin:  # type: ignore[attr-defined]
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def present(database: str, size: str) -> bool:
    if database == "sqlite":
        return (DATA / f"{size}.sqlite").exists()
    return _postgres_has(database_name(size))


def flask(url: str, *args: str, quiet: bool = False) -> None:
    """A ``flask`` command of this checkout on the data set at ``url`` (local use: the demo's password)."""
    env = {**os.environ, "DATABASE_URL": url, "REGIOTAFEL_ENV": "development", "FLASK_APP": "wsgi"}
    subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )


def build(database: str, size: str) -> None:
    """Build the data set under its building name, then give it its own."""
    DATA.mkdir(parents=True, exist_ok=True)
    url = url_of(database, size, building=True)
    if database == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        with _admin() as admin:  # type: ignore[attr-defined]
            admin.execute(f'DROP DATABASE IF EXISTS "{database_name(size)}_building"')
            admin.execute(f'CREATE DATABASE "{database_name(size)}_building"')
    started = time.monotonic()
    print(f"data set {database}/{size} bouwen (eenmalig) …", flush=True)
    flask(url, "db", "upgrade", quiet=True)
    flask(url, "demo", *(["--scale", "large"] if size == "large" else []))
    if database == "sqlite":
        Path(url.removeprefix("sqlite:///")).rename(DATA / f"{size}.sqlite")
    else:
        with _admin() as admin:  # type: ignore[attr-defined]
            admin.execute(f'ALTER DATABASE "{database_name(size)}_building" RENAME TO "{database_name(size)}"')
    print(f"data set {database}/{size} gebouwd in {time.monotonic() - started:.0f} s", flush=True)


def ensure(database: str, size: str) -> str:
    """The data set's URL, built first when it is not there, and at the current schema."""
    if not present(database, size):
        build(database, size)
    flask(url_of(database, size), "db", "upgrade", quiet=True)
    return url_of(database, size)
