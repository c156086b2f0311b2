"""The load tool of ``make bench``: wrk when it is there, else a small Python keep-alive client.

Both give the same figures for one address: requests per second, p50 and p95 of the latency, and
how many answers were not a 2xx or failed. wrk (Debian's ``wrk``) is preferred: it is written in C
and does not take the CPU that the server under test needs, which a Python client on two cores does.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

#: wrk's own report has no p95; this script prints what the bench needs on one line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    """What one run against one address gave."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    #: Answers that were not 2xx, and connections that failed or timed out.
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by nearest rank, as wrk reports it; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil without floats going astray
    return ordered[int(rank) - 1]


def parse_wrk(output: str) -> Load:
    """The BENCH line of ``WRK_SCRIPT`` in wrk's output (times there are in microseconds)."""
    for line in output.splitlines():
        if line.startswith("BENCH "):
            requests, duration, p50, p95, errors = (int(v) for v in line.split()[1:])
            return Load(requests, duration / 1e6, p50 / 1000, p95 / 1000, errors)
    raise RuntimeError(f"wrk gave no figures:\n{output}")


class Wrk:
    name = "wrk"

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self._folder = tempfile.TemporaryDirectory(prefix="regiotafel-wrk-")
        self.script = Path(self._folder.name) / "bench.lua"
        self.script.write_text(WRK_SCRIPT)

    def run(self, url: str, *, seconds: float, connections: int, headers: dict[str, str]) -> Load:
        command = [self.binary, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s"]
        for key, value in headers.items():
            command += ["-H", f"{key}: {value}"]
        command += ["-s", str(self.script), url]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
        return parse_wrk(done.stdout)


class PythonClient:
    """``connections`` threads, each on one connection kept open as long as the server lets it (a
    gunicorn sync worker closes it after every answer, as it does for wrk)."""

    name = "python"

    def run(self, url: str, *, seconds: float, connections: int, headers: dict[str, str]) -> Load:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        latencies: list[list[float]] = [[] for _ in range(connections)]
        errors = [0] * connections
        start = threading.Barrier(connections + 1)
        stop_at = [0.0]

        def client(n: int) -> None:
            connection: http.client.HTTPConnection | None = None
            start.wait()
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
                    connection.request("GET", target, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    if not 200 <= response.status < 300:
                        errors[n] += 1
                    if response.will_close:
                        connection.close()
                        connection = None
                except (OSError, http.client.HTTPException):
                    errors[n] += 1
                    if connection is not None:
                        connection.close()
                    connection = None
                    continue
                latencies[n].append((time.perf_counter() - began) * 1000)
            if connection is not None:
                connection.close()

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(connections)]
        for thread in threads:
            thread.start()
        began = time.perf_counter()
        stop_at[0] = began + seconds
        start.wait()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        every = [ms for per in latencies for ms in per]
        return Load(len(every), elapsed, percentile(every, 50), percentile(every, 95), sum(errors))


def ensure_wrk() -> str | None:
    """wrk's path; installed from Debian with apt-get when it is missing and apt-get is there (as
    .ci/run does for chromium). None when neither: the bench then uses the Python client."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    print("wrk ontbreekt; installeren met apt-get …", flush=True)
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "wrk"]):
        if subprocess.run(command, capture_output=True).returncode != 0:
            print("apt-get kon wrk niet installeren; de bench gebruikt de Python-client.", flush=True)
            return None
    return shutil.which("wrk")


def load_tool(prefer: str = "wrk") -> Wrk | PythonClient:
    """The tool to drive both apps with: ``prefer`` "python" skips wrk."""
    if prefer != "python":
        binary = ensure_wrk()
        if binary:
            return Wrk(binary)
    return PythonClient()
