"""Benchmark: Regiotafel's pages next to a bare Flask app, at demo size and at ten years of data.

    make bench                                    (all: SQLite and PostgreSQL, demo and large)
    make bench BENCH_DB=sqlite BENCH_SIZE=demo    (one of each: a quick run)
    python -m bench.web --db sqlite --size demo --seconds 3 --pages home,agenda

Per data set (``bench.data``: built once into bench/.data/ and the PostgreSQL server, then reused)
it serves Regiotafel with gunicorn, one sync worker, as production (REGIOTAFEL_ENV=production with a
random SECRET_KEY: what an installation runs, not the development settings), and a bare Flask hello
app (``bench.hello``) from the same venv with the same gunicorn. For each persona (a Rijk and a regio
participant, who sign in through the login form with the demo's password; participants need no
second factor, so production's second factor does not stand in the way) and each page it drives
hello and then the page with the same load tool (``bench.load``: wrk, 8 connections), and prints per
page req/s, p50, p95, the share of hello's req/s, the SQL statements of one request (counted through
the test client, ``bench.pages``) and the bytes; and, when both sizes ran, how much longer a request
takes at the large size. Then the audit export and ``audit verify`` over each data set's whole trail
(rows/s, seconds, peak memory of the process). The tables are Markdown; the run's output is also
written to bench/.data/latest.md (BENCH_OUTPUT names another).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from bench import data
from bench.load import Load, PythonClient, Wrk, load_tool
from bench.pages import PAGES, Counted, StatementCounter, calendar_feed, count, csrf_token, discover, sign_in
from bench.report import AuditMeasured, Measured, audit_table, hello_line, pages_table

ROOT = data.ROOT
#: (persona, participant who signs in, auditor of the same side who reads the history page)
PERSONAS = [
    ("Rijk", "beleid@ezk.test", "auditor@ezk.test"),
    ("regio", "economie@noord-brabant.test", "auditor@noord-brabant.test"),
]
AUDITOR = "auditor@ezk.test"
CONNECTIONS = 8
#: The longest a page is driven, however slow it is; hello, fast, is driven for HELLO_SECONDS.
MAX_SECONDS = 6
HELLO_SECONDS = 2
#: How long one request may take before the bench gives up on it (a busy machine is slow).
TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: str, env: dict[str, str], ready: str = "/") -> Iterator[str]:
    """``app`` under gunicorn with one sync worker on a free port; its base URL while it runs."""
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync"]
    process = subprocess.Popen(
        [*command, "--log-level", "warning", app],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + ready, timeout=5).read()
                break
            except (OSError, urllib.error.URLError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app} started not") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class _Stay(urllib.request.HTTPRedirectHandler):
    """Do not follow the redirect after signing in: the session is in the cookie already, and the home
    page behind it is measured as a page of its own."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def http_sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the served login form; the Cookie header that carries the session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _Stay())
    page = opener.open(base + "/auth/login", timeout=TIMEOUT).read().decode()
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": csrf_token(page)}).encode()
    try:
        answer = opener.open(base + "/auth/login", data=form, timeout=TIMEOUT)
        where = answer.geturl()
    except urllib.error.HTTPError as redirect:
        where = redirect.headers.get("Location", "") if redirect.code == 302 else f"status {redirect.code}"
    if not where or "/auth/" in where:
        raise RuntimeError(f"{email} kon niet inloggen op de server (kwam uit op {where or 'het inlogformulier'})")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(url: str, cookie: str) -> tuple[int, int]:
    """Status and body size of one GET with the session."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status, len(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def rusage_run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``command``: its seconds on the clock, its CPU seconds and its own peak memory (MiB), measured
    by ``bench.rusage`` in a small interpreter of its own. On a shared machine the clock counts the
    others' work too; the CPU seconds are the command's own."""
    with tempfile.TemporaryFile() as out:
        done = subprocess.run(
            [sys.executable, "-m", "bench.rusage", *command], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=out
        )
        if done.returncode:
            out.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{out.read().decode(errors='replace')[-2000:]}")
    figures = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return figures["seconds"], figures["cpu_seconds"], figures["peak_mib"]


def measure_audit(database: str, size: str, url: str, say: Any) -> AuditMeasured:
    """The audit export (everything the auditor may read, JSON lines) and ``audit verify`` of the whole trail."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        records = int(connection.execute(text("SELECT count(*) FROM audit_records")).scalar_one())
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "REGIOTAFEL_ENV": "development", "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    with tempfile.TemporaryDirectory(prefix="regiotafel-bench-audit-") as folder:
        output = Path(folder) / "audit.jsonl"
        export = [*flask, "audit", "export", "--format", "jsonl", "--as", AUDITOR, "--output", str(output)]
        export_s, export_cpu, export_mib = rusage_run(export, env)
        exported = int(json.loads(output.with_name(output.name + ".manifest.json").read_text())["records"])
    say(
        f"  audit {database}/{size}: export {exported:,} van {records:,} records in {export_s:.1f} s "
        f"({export_cpu:.1f} s CPU, {export_mib:.0f} MiB)"
    )
    verify_s, verify_cpu, verify_mib = rusage_run([*flask, "audit", "verify"], env)
    say(f"  audit {database}/{size}: verify in {verify_s:.1f} s ({verify_cpu:.1f} s CPU, {verify_mib:.0f} MiB)")
    return AuditMeasured(
        database, size, records, exported, export_s, export_cpu, export_mib, verify_s, verify_cpu, verify_mib
    )


def machine() -> list[str]:
    """What the figures were measured on."""
    cpu = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpu if "model name" in line), platform.processor() or "?")
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")),
        "0",
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    from importlib.metadata import version

    import gunicorn
    import sqlalchemy

    return [
        f"machine: {os.cpu_count()} cores ({model}), {int(memory) / 1024 / 1024:.0f} GiB; {platform.platform()}",
        f"software: Python {platform.python_version()}, Flask {version('flask')}, "
        f"gunicorn {gunicorn.__version__}, SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}",
        f"commit: {commit.strip()}; load average bij de start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
    ]


def postgres_version() -> str:
    try:
        with data._admin() as admin:  # type: ignore[attr-defined]
            return str(admin.execute("SHOW server_version").fetchone()[0])
    except Exception:  # only for the report's header
        return "?"


def choose_and_count(
    app: Any,
    client: Any,
    email: str,
    historian: Any,
    historian_email: str,
    counter: StatementCounter,
    database: str,
    size: str,
) -> tuple[dict[str, str | None], dict[str, Counted]]:
    """The persona's pages (chosen once per data set and kept beside it; chosen again when one no longer
    opens) and the statements and bytes of each."""
    kept = data.DATA / f"pages-{database}-{size}-{email}.json"
    paths: dict[str, str | None] = json.loads(kept.read_text()) if kept.exists() else {}
    for attempt in range(2):
        if attempt or not paths:
            paths = discover(app, client, email, historian, historian_email)
            kept.write_text(json.dumps({k: v for k, v in paths.items() if k != "ics"}))
        elif "ics" not in paths:
            paths["ics"] = calendar_feed(client)
        counted = {
            key: count(historian if key == "history" else client, counter, path) for key, path in paths.items() if path
        }
        if all(c.status == 200 for c in counted.values()):
            break
    return paths, counted


def measure_pages(
    database: str,
    size: str,
    url: str,
    tool: Wrk | PythonClient,
    hello: str,
    args: argparse.Namespace,
    say: Any,
) -> list[Measured]:
    from core import create_app
    from core.extensions import db

    secret = secrets.token_hex(32)
    settings = {"DATABASE_URL": url, "REGIOTAFEL_ENV": "production", "SECRET_KEY": secret, "REQUIRE_MFA": "0"}
    password = os.environ.get("DEMO_PASSWORD", "regiotafel-demo")
    app = create_app({**settings, "REQUIRE_MFA": False})
    with app.app_context():
        counter = StatementCounter(db.engine)
    results: list[Measured] = []
    with served("wsgi:app", {**settings, "FLASK_APP": "wsgi"}, ready="/healthz") as base:
        for persona, email, historian_email in PERSONAS:
            if args.personas and persona.lower() not in args.personas:
                continue
            # The test client outside any app context of ours: each request gets its own, as under gunicorn.
            client, historian = app.test_client(), app.test_client()
            sign_in(client, email, password)
            sign_in(historian, historian_email, password)
            paths, counted = choose_and_count(app, client, email, historian, historian_email, counter, database, size)
            cookies = {
                email: http_sign_in(base, email, password),
                historian_email: http_sign_in(base, historian_email, password),
            }
            for key, _label in PAGES:
                path = paths.get(key)
                if not path or (args.pages and key not in args.pages):
                    continue
                cookie = cookies[historian_email if key == "history" else email]
                status, size_bytes = fetch(base + path, cookie)
                began = time.perf_counter()
                fetch(base + path, cookie)
                single = time.perf_counter() - began
                if status != 200:
                    say(f"  {persona} {key} {path}: status {status}, niet gemeten")
                    continue
                # Long enough for some ten requests of a slow page per connection, within a bound.
                seconds = min(max(args.seconds, 4 * single), MAX_SECONDS)
                h: Load = tool.run(hello + "/", seconds=HELLO_SECONDS, connections=CONNECTIONS, headers={})
                p: Load = tool.run(base + path, seconds=seconds, connections=CONNECTIONS, headers={"Cookie": cookie})
                m = Measured(
                    database=database,
                    size=size,
                    persona=persona,
                    page=key,
                    path=path,
                    per_second=p.per_second,
                    p50_ms=p.p50_ms,
                    p95_ms=p.p95_ms,
                    hello_per_second=h.per_second,
                    statements=counted[key].statements,
                    bytes=size_bytes,
                    errors=p.errors,
                    requests=p.requests,
                    loadavg=os.getloadavg()[0],
                )
                results.append(m)
                say(
                    f"  {database}/{size} {persona:5} {key:15} {path:45.45} {m.per_second:7.1f} req/s "
                    f"p50 {m.p50_ms:6.0f} p95 {m.p95_ms:6.0f} ms {m.of_hello:5.1f} % van hello "
                    f"({m.hello_per_second:,.0f}) SQL {m.statements:3} {m.bytes:>8,} B; "
                    f"{m.requests} in {seconds:.0f} s" + (f" FOUTEN {m.errors}" if m.errors else "")
                )
    counter.close()
    with app.app_context():
        db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB") or "sqlite,postgres")
    parser.add_argument("--size", default=os.environ.get("BENCH_SIZE") or "demo,large")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS") or 3))
    parser.add_argument("--pages", default=os.environ.get("BENCH_PAGES") or "", help="page keys, comma-separated")
    parser.add_argument("--personas", default=os.environ.get("BENCH_PERSONAS") or "", help="rijk,regio")
    parser.add_argument("--tool", default=os.environ.get("BENCH_TOOL") or "wrk", choices=["wrk", "python"])
    parser.add_argument(
        "--audit",
        choices=["yes", "no", "only"],
        default={"0": "no", "only": "only"}.get(os.environ.get("BENCH_AUDIT", ""), "yes"),
        help="the audit export and verify too (yes), not (no), or only those (only)",
    )
    parser.add_argument("--output", default=os.environ.get("BENCH_OUTPUT") or "latest", help="name in bench/.data/")
    args = parser.parse_args(argv)
    databases = [d for d in data.DATABASES if d in args.db.split(",")]
    sizes = [s for s in data.SIZES if s in args.size.split(",")]
    args.pages = [p for p in args.pages.split(",") if p]
    args.personas = [p.lower() for p in args.personas.split(",") if p]
    if not databases or not sizes:
        parser.error("BENCH_DB: sqlite en/of postgres; BENCH_SIZE: demo en/of large")

    lines: list[str] = []

    def say(line: str = "") -> None:
        lines.append(line)
        print(line, flush=True)

    started = time.monotonic()
    tool = load_tool(args.tool)
    for line in machine():
        say(line)
    if "postgres" in databases:
        say(f"PostgreSQL {postgres_version()} op {data.POSTGRES.split('@')[-1]}")
    say(
        f"belasting: {tool.name}, {CONNECTIONS} verbindingen; per pagina {args.seconds:g}–{MAX_SECONDS} s "
        f"(vier keer een los verzoek), hello {HELLO_SECONDS} s er direct voor; "
        "gunicorn, 1 sync worker, REGIOTAFEL_ENV=production"
    )
    measured: list[Measured] = []
    audits: list[AuditMeasured] = []
    with served("bench.hello:app", {}) as hello:
        for database in databases:
            for size in sizes:
                url = data.ensure(database, size)
                say(f"{database}/{size}: load average {os.getloadavg()[0]:.2f}")
                if args.audit != "only":
                    measured += measure_pages(database, size, url, tool, hello, args, say)
                # The audit figures at the largest size asked for: at the demo's they measure start-up.
                if args.audit != "no" and size == sizes[-1]:
                    audits.append(measure_audit(database, size, url, say))

    say()
    for database in databases:
        for persona, email, _historian in PERSONAS:
            rows = [m for m in measured if m.database == database and m.persona == persona]
            if rows:
                say(f"### {database}, {persona} ({email})")
                say()
                say(pages_table(rows, PAGES, sizes))
                say()
    if audits:
        say("### audit: export (alles wat auditor@ezk.test mag lezen, JSON lines) en `flask audit verify`")
        say()
        say(audit_table(audits))
        say()
    say(hello_line(measured))
    failed = sum(1 for m in measured if m.errors)
    minutes = (time.monotonic() - started) / 60
    say(f"duur: {minutes:.1f} min" + (f"; {failed} metingen met fouten (!)" if failed else ""))
    data.DATA.mkdir(parents=True, exist_ok=True)
    (data.DATA / f"{args.output}.md").write_text("\n".join(lines) + "\n")
    (data.DATA / f"{args.output}.json").write_text(
        json.dumps({"pages": [asdict(m) for m in measured], "audit": [asdict(a) for a in audits]}, indent=1)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
