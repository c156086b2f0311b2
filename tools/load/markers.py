"""The load drill's bookkeeping, kept apart from the locustfile so that the drill and its test read it
without importing locust (which patches the standard library with gevent): every write the app
acknowledged is one JSON line in the markers file, and the status of every response is counted per
kind of request."""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
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


def save_statuses(path: Path, statuses: dict[str, Counter[int]]) -> None:
    """The status of every response per kind of request (0: no response, the connection failed)."""
    path.write_text(json.dumps({name: {str(s): n for s, n in c.items()} for name, c in statuses.items()}))


def load_statuses(path: Path) -> dict[str, Counter[int]]:
    if not path.exists():
        return {}
    return {name: Counter({int(s): n for s, n in c.items()}) for name, c in json.loads(path.read_text()).items()}
