"""The tables ``make bench`` prints: Markdown, so that docs/performance.md takes them as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    """One page for one persona on one data set, measured next to hello."""

    database: str
    size: str
    persona: str
    page: str
    path: str
    per_second: float
    p50_ms: float
    p95_ms: float
    hello_per_second: float
    statements: int
    bytes: int
    errors: int
    #: Requests the figures rest on.
    requests: int
    loadavg: float

    @property
    def of_hello(self) -> float:
        """Requests per second as a percentage of hello's, measured right before it."""
        return 100 * self.per_second / self.hello_per_second if self.hello_per_second else 0.0


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> str:
    """A Markdown table, columns padded to line up; the first ``left`` columns flush left, the rest right."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 2)) if i < left else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def growth(demo: Measured, large: Measured) -> float | None:
    """How many times longer a request takes at the large size than at the demo's: the ratio of their
    shares of hello (so that a busier machine during one of the two runs does not count)."""
    if not demo.of_hello or not large.of_hello:
        return None
    return demo.of_hello / large.of_hello


def _cells(m: Measured | None) -> list[str]:
    if m is None:
        return ["—"] * 6
    mark = " !" if m.errors else ""
    return [
        f"{m.per_second:,.0f}{mark}" if m.per_second >= 100 else f"{m.per_second:.1f}{mark}",
        f"{m.p50_ms:.0f}",
        f"{m.p95_ms:.0f}",
        f"{m.of_hello:.1f} %",
        str(m.statements),
        f"{m.bytes:,}",
    ]


def pages_table(measured: Sequence[Measured], pages: Sequence[tuple[str, str]], sizes: Sequence[str]) -> str:
    """One database and persona: per page the figures of each size, and the growth from demo to large."""
    by = {(m.size, m.page): m for m in measured}
    headers = ["pagina"]
    for size in sizes:
        headers += [f"{size} req/s", "p50 ms", "p95 ms", "% hello", "SQL", "bytes"]
    both = "demo" in sizes and "large" in sizes
    if both:
        headers.append("large/demo")
    rows = []
    for key, label in pages:
        if not any((size, key) in by for size in sizes):
            continue
        row = [label]
        for size in sizes:
            row += _cells(by.get((size, key)))
        if both:
            demo, large = by.get(("demo", key)), by.get(("large", key))
            ratio = growth(demo, large) if demo and large else None
            row.append(f"{ratio:.2f}×" if ratio else "—")
        rows.append(row)
    return table(headers, rows)


def hello_line(measured: Sequence[Measured]) -> str:
    """Hello's range over the run, and the machine's load average: what the percentages lean on."""
    if not measured:
        return ""
    hello = [m.hello_per_second for m in measured]
    load = [m.loadavg for m in measured]
    return (
        f"hello: {min(hello):,.0f}–{max(hello):,.0f} req/s (mediaan {sorted(hello)[len(hello) // 2]:,.0f}); "
        f"load average (1 min) tijdens de metingen {min(load):.1f}–{max(load):.1f}"
    )


@dataclass(frozen=True)
class AuditMeasured:
    database: str
    size: str
    records: int
    exported: int
    export_seconds: float
    export_cpu_seconds: float
    export_peak_mib: float
    verify_seconds: float
    verify_cpu_seconds: float
    verify_peak_mib: float


def _rate(records: int, seconds: float) -> str:
    return f"{records / seconds:,.0f}" if seconds else "—"


def audit_table(measured: Sequence[AuditMeasured]) -> str:
    """The export and verify of each trail: on the clock, and per CPU second (what a busy machine does not change)."""
    headers = ["database", "grootte", "records", "geëxporteerd"]
    for what in ("export", "verify"):
        headers += [f"{what} s", "CPU s", "records/s", "records/CPU-s", "piek MiB"]
    rows = []
    for a in measured:
        row = [a.database, a.size, f"{a.records:,}", f"{a.exported:,}"]
        for seconds, cpu, peak in (
            (a.export_seconds, a.export_cpu_seconds, a.export_peak_mib),
            (a.verify_seconds, a.verify_cpu_seconds, a.verify_peak_mib),
        ):
            row += [f"{seconds:.1f}", f"{cpu:.1f}", _rate(a.records, seconds), _rate(a.records, cpu), f"{peak:.0f}"]
        rows.append(row)
    return table(headers, rows, left=2)
