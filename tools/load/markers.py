"""The load drill's bookkeeping, kept apart from the locustfile so that the drill and its test read it
without importing locust (which patches the standard library with gevent): every write the app
acknowledged is one JSON line in the markers file, and the status of every response is counted per
kind of request."""

from __future__ import annotations

import json
import math
import os
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tools.drilling import Write


def new_marker(kind: str) -> str:
    """A text of its own for one write, found again by ``tools.drilling.stored_markers``."""
    return f"drill-load-{kind}-{uuid.uuid4().hex[:12]}"


def record(path: Path, kind: str, marker: str, host: str) -> None:
    """Append one acknowledged write: a single ``write`` of a short line to a file opened for appending,
    so that lines from several users (or locust processes) never interleave."""
    line = json.dumps({"kind": kind, "marker": marker, "host": host}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def acknowledged(path: Path) -> list[Write]:
    """The acknowledged writes of the markers file, as the drills' checks take them. A line cut off (the
    process stopped while writing it) is an error: the drill cannot know what it said."""
    if not path.exists():
        return []
    writes = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            writes.append(Write(str(entry["kind"]), str(entry["marker"]), outcome="ok", answer=str(entry["host"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, line {number}: {line[:80]!r}") from exc
    return writes


@dataclass
class Tally:
    """Every response per kind of request: its status (0: none came, the connection failed), whether
    locust counted it a failure, and how long it took. Kept by the locustfile's request listener, so
    that it holds every request up to the last (locust's CSV is written before the last ones end)."""

    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    failures: Counter[str] = field(default_factory=Counter)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, status: int, milliseconds: float, failed: bool) -> None:
        self.statuses[name][status] += 1
        self.times[name].append(milliseconds)
        if failed:
            self.failures[name] += 1

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {
                    name: {
                        "statuses": {str(s): n for s, n in self.statuses[name].items()},
                        "failures": self.failures[name],
                        "times": self.times[name],
                    }
                    for name in self.statuses
                }
            )
        )

    @classmethod
    def load(cls, path: Path) -> Tally:
        tally = cls()
        if path.exists():
            for name, kept in json.loads(path.read_text()).items():
                tally.statuses[name] = Counter({int(s): n for s, n in kept["statuses"].items()})
                tally.failures[name] = int(kept["failures"])
                tally.times[name] = [float(t) for t in kept["times"]]
        return tally

    def percentile(self, name: str | None, share: float) -> float:
        """The response time (ms) that ``share`` of the requests of ``name`` (None: of all) took at most:
        the nearest rank."""
        times = sorted(self.times[name] if name is not None else [t for ts in self.times.values() for t in ts])
        if not times:
            return 0.0
        return times[max(0, math.ceil(share * len(times)) - 1)]
