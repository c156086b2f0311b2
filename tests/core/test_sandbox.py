"""A function run in the sandbox gets its input, and is stopped at each of its limits.

The functions below run in the child (``tests.core.test_sandbox:…``); each test asserts what
stopped it, never how long it took.
"""

from __future__ import annotations

import os
import time

from core.sandbox import Limits, Outcome, TooHeavy, run

MB = 1024 * 1024
ROOMY = Limits(cpu_seconds=20, wall_seconds=60, memory_bytes=1024 * MB)


def shout(payload: bytes, suffix: str) -> bytes:
    return payload.upper() + suffix.encode()


def spin(_payload: bytes) -> bytes:
    while True:
        pass


def hoard(_payload: bytes) -> bytes:
    return bytes(2048 * MB)


def sleep(_payload: bytes) -> bytes:
    time.sleep(600)
    return b""


def fail(_payload: bytes) -> bytes:
    raise ValueError("damaged")


def fill_then_fail(_payload: bytes) -> bytes:
    kept = bytearray(150 * MB)
    raise ValueError(f"parse error after {len(kept)} bytes")  # as lxml reports running out of memory


def refuse(_payload: bytes) -> bytes:
    raise TooHeavy("over a bound of its own")


def environment(_payload: bytes) -> bytes:
    return "\n".join(sorted(os.environ)).encode()


def write_file(_payload: bytes, path: str) -> bytes:
    with open(path, "w") as out:
        out.write("x" * 10)
    return b"written"


def test_the_function_gets_the_payload_and_its_arguments():
    result = run("tests.core.test_sandbox:shout", b"netcongestie", ROOMY, "!")
    assert result.outcome is Outcome.DONE
    assert result.output == b"NETCONGESTIE!"


def test_a_function_that_keeps_the_cpu_busy_is_stopped_at_its_cpu_limit():
    result = run("tests.core.test_sandbox:spin", b"", Limits(cpu_seconds=1, wall_seconds=60, memory_bytes=1024 * MB))
    assert result.outcome is Outcome.TOO_HEAVY
    assert result.detail == "stopped by SIGXCPU"


def test_a_function_that_takes_too_much_memory_gets_none():
    result = run("tests.core.test_sandbox:hoard", b"", Limits(cpu_seconds=20, wall_seconds=60, memory_bytes=256 * MB))
    assert result.outcome is Outcome.TOO_HEAVY
    assert "MemoryError" in result.detail


def test_a_function_that_fails_after_using_most_of_its_memory_is_too_heavy():
    limits = Limits(cpu_seconds=20, wall_seconds=60, memory_bytes=256 * MB)
    assert run("tests.core.test_sandbox:fill_then_fail", b"", limits).outcome is Outcome.TOO_HEAVY


def test_a_function_that_waits_is_killed_when_the_clock_runs_out():
    result = run("tests.core.test_sandbox:sleep", b"", Limits(cpu_seconds=20, wall_seconds=1, memory_bytes=1024 * MB))
    assert result.outcome is Outcome.TOO_HEAVY
    assert result.detail == "still busy after 1 s"


def test_a_function_over_a_bound_of_its_own_is_too_heavy_and_one_that_fails_has_failed():
    assert run("tests.core.test_sandbox:refuse", b"", ROOMY).outcome is Outcome.TOO_HEAVY
    failed = run("tests.core.test_sandbox:fail", b"", ROOMY)
    assert failed.outcome is Outcome.FAILED
    assert "ValueError: damaged" in failed.detail


def test_the_child_gets_no_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "geheim")
    monkeypatch.setenv("DATABASE_URL", "postgresql://regiotafel:geheim@db/regiotafel")
    names = run("tests.core.test_sandbox:environment", b"", ROOMY).output.decode().split()
    assert "PATH" in names
    assert "SECRET_KEY" not in names and "DATABASE_URL" not in names


def test_the_child_writes_no_files(tmp_path):
    target = tmp_path / "uit.txt"
    result = run("tests.core.test_sandbox:write_file", b"", ROOMY, str(target))
    assert result.outcome is Outcome.FAILED
    assert not target.exists() or target.stat().st_size == 0
