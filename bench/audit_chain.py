"""Benchmark: how many changes per second do writers at once get into the audit chain?

    make bench-chain        (or: python -m bench.audit_chain [--seconds 10] [--writers 8] [--postgres SERVER])

On a fresh database with the demo (SQLite in a temporary folder, or a throwaway database on the
PostgreSQL server given, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432``), WRITERS threads add
notes as fast as they can for SECONDS, each note a transaction of its own that the recorder seals into
the one chain. It prints the notes written, notes per second, the longest single write, and the time
``audit verify`` takes over the whole chain; and fails when the chain does not verify or fewer than 8
notes a second got in (what tests/audit/test_chain.py once asserted inside the unit suite).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FLOOR = 8.0  # notes per second
AUTHORS = ["beleid@ezk.test", "economie@noord-brabant.test"]


def write_note(app: Any, writer: int, number: int) -> None:
    """Writer ``writer``'s note ``number`` to the BO Brainport, in a transaction of its own."""
    from sqlalchemy import select

    from auth.models import User
    from core.extensions import db
    from meetings.models import Body
    from meetings.services import notes

    with app.app_context():
        db.begin_write()  # as a POST request and a job start: writers queue up front
        author = db.session.scalars(select(User).where(User.email == AUTHORS[writer % 2])).one()
        body = db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()
        notes.add_note(author, body, title=f"Schrijver {writer}, notitie {number}", text="Tegelijk.")
        db.session.commit()
        db.session.remove()


def at_once(writers: int, write: Callable[[int], None]) -> list[str]:
    """``write(n)`` for each of ``writers`` threads, all let go at the same moment; what failed."""
    failures: list[str] = []
    start = threading.Barrier(writers)

    def run(n: int) -> None:
        try:
            start.wait()
            write(n)
        except Exception as exc:  # reported: the caller fails
            failures.append(repr(exc))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def write_for(app: Any, seconds: float, writers: int) -> dict[str, Any]:
    """Writers at once for ``seconds``: how many notes each wrote, the longest write, what failed."""
    done, longest = [0] * writers, [0.0] * writers

    def writer(n: int) -> None:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            began = time.monotonic()
            write_note(app, n, done[n])
            done[n] += 1
            longest[n] = max(longest[n], time.monotonic() - began)

    failures = at_once(writers, writer)
    return {"written": sum(done), "longest": max(longest), "failures": failures}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_chain", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--postgres", help="a PostgreSQL server to make a throwaway database on")
    args = parser.parse_args(argv)

    from audit.chain import verify
    from core.extensions import db
    from tools import throwaway

    kind, server = ("postgresql", args.postgres) if args.postgres else ("sqlite", throwaway.POSTGRES_SERVER)
    with tempfile.TemporaryDirectory(prefix="regiotafel-bench-") as tmp:
        folder = Path(tmp)
        with throwaway.database(kind, folder, server=server) as url:
            app = throwaway.app_on(url, folder, UPLOAD_FOLDER=str(folder / "documents"))
            throwaway.migrate_with_demo(app, by="bench")
            result = write_for(app, args.seconds, args.writers)
            started = time.perf_counter()
            with app.app_context(), db.engine.connect() as connection:
                verdict = verify(connection)
            verified_in = time.perf_counter() - started
            with app.app_context():
                db.engine.dispose()
    rate = result["written"] / args.seconds
    print(f"{'writers':>8} {'seconds':>8} {'notes':>7} {'notes/s':>8} {'longest s':>10} {'verify s':>9}")
    print(
        f"{args.writers:>8} {args.seconds:>8.0f} {result['written']:>7} {rate:>8.1f} "
        f"{result['longest']:>10.2f} {verified_in:>9.2f}"
    )
    print(verdict.summary())
    for failure in result["failures"][:3]:
        print(f"failed: {failure}")
    ok = verdict.intact and not result["failures"] and rate >= FLOOR
    print(f"{rate:.1f} notes a second (floor {FLOOR:.0f}): {'ok' if ok else 'too slow or broken'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
