"""Benchmark: does an audit export keep its memory flat as the trail grows?

    make bench-audit        (or: python -m bench.audit_export [SIZE ...])

For each size (default 10,000 and 200,000) it builds a fresh SQLite database with the demo and that
many extra records in the chain (changes to agenda items the reader may see), then runs
``flask audit export --format jsonl --as auditor@ezk.test`` in a process of its own and reads that
process's peak memory (ru_maxrss) and time. It prints a table and fails when the peak memory of the
largest export is more than 20 % above the smallest's.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READER = "auditor@ezk.test"


def build(path: Path, size: int) -> None:
    """A database with the demo and ``size`` more records, appended the way the recorder does."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from audit.chain import append_rows
    from core import create_app
    from core.acting import origin
    from core.dates import now
    from core.extensions import db
    from demo.story import load
    from meetings.models import AgendaItem

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "REGIOTAFEL_ENV": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BUNDLE_CACHE_FOLDER": str(path.parent / "bundels"),
        }
    )
    with app.app_context():
        upgrade()
        with origin("bench"):
            load("regiotafel-demo")
            db.session.commit()
        items = db.session.execute(
            select(AgendaItem.id, AgendaItem.body_id, AgendaItem.title).where(AgendaItem.audience == "overleg")
        ).all()
        moment = now()
        done = 0
        while done < size:
            rows = []
            for n in range(min(5000, size - done)):
                item_id, body_id, title = items[(done + n) % len(items)]
                rows.append(
                    {
                        "occurred_at": moment,
                        "actor_user_id": 1,
                        "actor_label": "Secretariaat BO-Brainport <secretariaat@ezk.test>",
                        "actor_organisation": "Ministerie van Economische Zaken en Klimaat",
                        "action": "update",
                        "result": 200,
                        "service": "meetings.update_agenda_item",
                        "object_type": "agenda_items",
                        "object_id": item_id,
                        "object_label": f"agendapunt: {title}",
                        "main_object": None,
                        "body_id": body_id,
                        "audience": "overleg",
                        "changes": {"description": [f"versie {done + n}", f"versie {done + n + 1}: " + "x" * 200]},
                        "reason": None,
                        "origin": {"source": "bench"},
                    }
                )
            with db.engine.begin() as connection:
                append_rows(connection, rows)
            done += len(rows)
        db.engine.dispose()


def measure(path: Path) -> dict[str, float]:
    """Run the export in a child process; its peak memory (KiB), seconds and record count."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "REGIOTAFEL_ENV": "test", "FLASK_APP": "wsgi"}
    out = path.with_suffix(".jsonl")
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "flask", "audit", "export", "--format", "jsonl", "--as", READER, "--output", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text())
    return {"peak_kib": peak if peak > before else before, "seconds": seconds, "records": manifest["records"]}


def main(sizes: list[int]) -> int:
    results = []
    with tempfile.TemporaryDirectory(prefix="regiotafel-bench-") as tmp:
        for size in sorted(sizes):
            path = Path(tmp) / f"audit-{size}.db"
            started = time.perf_counter()
            build(path, size)
            built = time.perf_counter() - started
            # A fresh interpreter per measurement: ru_maxrss of children is a running maximum.
            line = (
                subprocess.run(
                    [sys.executable, "-m", "bench.audit_export", "--measure", str(path)],
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(line)
            result.update(size=size, built_seconds=built)
            results.append(result)
    print(f"{'extra records':>14} {'exported':>10} {'peak MiB':>9} {'seconds':>8} {'rows/s':>9}")
    for r in results:
        print(
            f"{r['size']:>14,} {r['records']:>10,} {r['peak_kib'] / 1024:>9.1f} {r['seconds']:>8.1f} "
            f"{r['records'] / r['seconds']:>9,.0f}"
        )
    low, high = results[0]["peak_kib"], results[-1]["peak_kib"]
    growth = (high - low) / low
    print(f"peak memory grows {growth:+.1%} from the smallest to the largest export (limit +20%)")
    return 0 if growth < 0.20 else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        raise SystemExit(0)
    raise SystemExit(main([int(a) for a in sys.argv[1:]] or [10_000, 200_000]))
