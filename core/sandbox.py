"""Running a reader on an uploaded file in a child process, with limits on CPU time, memory and time on
the clock.

A file of a few kilobytes can keep a parser busy for minutes or make it allocate gigabytes. Run in
the process that asked, that stalls or starves it; run here, the child hits its limit and is gone.
``run`` starts a Python child (``child``) that first limits itself (``setrlimit``: CPU seconds, address
space, no core dumps, no files), then imports the function, reads the file from its stdin and writes
the function's result to its stdout. The parent kills it when the clock runs out. The child gets no
more of the environment than it needs to start: no database address, no secret key.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import logging
import os
import resource
import signal
import subprocess
import sys
import traceback
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: The child's exit codes (besides 0 and death by a signal).
_EXIT_FAILED = 2
_EXIT_TOO_HEAVY = 3
#: Signals that mean a limit was hit: CPU (soft limit, then hard) or the parent's kill.
_LIMIT_SIGNALS = {signal.SIGXCPU, signal.SIGKILL}
#: The environment variables the child gets.
_PASSED_ON = frozenset({"PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR"})


class TooHeavy(Exception):
    """Raised by a function run here when its input is over a bound of its own (e.g. a zip bomb)."""


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    wall_seconds: float
    memory_bytes: int


class Outcome(enum.Enum):
    DONE = "done"
    #: Over a limit: CPU time, memory, the clock, or a bound of the function's own.
    TOO_HEAVY = "too_heavy"
    #: The function failed otherwise (a damaged file).
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    output: bytes = b""
    #: What happened, for the log.
    detail: str = ""


def run(target: str, payload: bytes, limits: Limits, *args: str) -> Result:
    """Call ``target`` (``"module:function"``) as ``function(payload, *args) -> bytes`` in a limited child."""
    command = [
        sys.executable,
        "-c",
        "import sys; from core.sandbox import child; sys.exit(child(sys.argv[1:]))",
        target,
        str(limits.cpu_seconds),
        str(limits.memory_bytes),
        *args,
    ]
    # A session of its own, so that the kill reaches whatever the child might have started.
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_project_root(),
        env={**{k: v for k, v in os.environ.items() if k in _PASSED_ON}, "PYTHONDONTWRITEBYTECODE": "1"},
        start_new_session=True,
    )
    try:
        output, errors = process.communicate(payload, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill(process)
        return Result(Outcome.TOO_HEAVY, detail=f"still busy after {limits.wall_seconds:g} s")
    except BaseException:
        _kill(process)
        raise
    code = process.returncode
    if code == 0:
        return Result(Outcome.DONE, output)
    detail = errors.decode("utf-8", "replace").strip()[-2000:]
    if code == _EXIT_TOO_HEAVY:
        return Result(Outcome.TOO_HEAVY, detail=detail)
    if code < 0 and -code in _LIMIT_SIGNALS:
        return Result(Outcome.TOO_HEAVY, detail=f"stopped by {signal.Signals(-code).name}")
    return Result(Outcome.FAILED, detail=detail or f"exit code {code}")


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _project_root() -> str:
    from core import PROJECT_ROOT

    return str(PROJECT_ROOT)


# --- in the child ------------------------------------------------------------------------------------


def _limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit of this process (never above what it already has: that would be refused)."""
    hard = soft if hard is None else hard
    _current, ceiling = resource.getrlimit(kind)
    if ceiling != resource.RLIM_INFINITY:
        soft, hard = min(soft, ceiling), min(hard, ceiling)
    resource.setrlimit(kind, (soft, hard))


def _peak_memory() -> int | None:
    """The most address space this process has held (Linux), in bytes."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def child(argv: list[str]) -> int:
    """The child's side of ``run``: limit this process, then run the function on stdin."""
    target, cpu_seconds, memory_bytes, *args = argv
    # SIGXCPU at the limit; should the child survive it, SIGKILL a second later.
    _limit(resource.RLIMIT_CPU, int(cpu_seconds), int(cpu_seconds) + 1)
    _limit(resource.RLIMIT_AS, int(memory_bytes))
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, 0)  # a reader has no file to write
    module, _, name = target.partition(":")
    try:
        function = getattr(importlib.import_module(module), name)
        output = function(sys.stdin.buffer.read(), *args)
    except (MemoryError, TooHeavy) as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return _EXIT_TOO_HEAVY
    except Exception:
        traceback.print_exc(limit=-5)
        # A C library that runs out of memory does not always say so: lxml reports a parse error.
        # Failing after using most of the allowed memory is taken to be running out of it.
        if (_peak_memory() or 0) > int(memory_bytes) // 2:
            return _EXIT_TOO_HEAVY
        return _EXIT_FAILED
    sys.stdout.buffer.write(output)
    return 0
