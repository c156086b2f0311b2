"""``python -m bench.rusage COMMAND …``: run COMMAND, then print its seconds on the clock, its CPU seconds
and its peak memory as one line of JSON; COMMAND's own output goes to stderr.

A measurement in a small interpreter of its own: on Linux a process's peak memory (``ru_maxrss``)
starts at the size of the process it was forked from, so a command started straight from the bench
(which holds the whole app) would never show less than the bench itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(command: list[str]) -> int:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=sys.stderr, stderr=sys.stderr)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mib": usage.ru_maxrss / 1024, "exit": code}))
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
