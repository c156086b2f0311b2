"""axe-core in the browser: inject the vendored script, run it against WCAG 2.1 A and AA, keep the results.

The app's Content-Security-Policy forbids inline scripts, so the script is not added as a <script> tag:
Playwright evaluates it through the DevTools protocol, which the page's CSP does not govern.
"""

from __future__ import annotations

import os
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

VENDOR = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

#: Every page checked in this session: {"page", "role", "url", "violations": [...]} (config.stash).
RESULTS: pytest.StashKey[list[dict[str, Any]]] = pytest.StashKey()


@cache
def _source() -> str:
    return VENDOR.read_text(encoding="utf-8")


def run(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it stands, reduced to what a report needs."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))
            }));
        }""",
        TAGS,
    )
    return list(result)


def check(page: Any, request: pytest.FixtureRequest, name: str, role: str) -> None:
    """axe on the page as it stands: recorded for the session's report, and no serious or critical
    violation. For the pages a walk reaches after a click, a refusal or a move."""
    violations = run(page)
    request.config.stash[RESULTS].append({"role": role, "page": name, "url": page.url, "violations": violations})
    assert not blocking(violations), describe(name, blocking(violations))


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(name: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{name}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"      {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


def report_path(config: pytest.Config) -> Path:
    configured = os.environ.get("REGIOTAFEL_AXE_REPORT")
    if configured:
        return Path(configured)
    return config.rootpath / "build" / "axe" / "axe-results.json"


IMPACTS = ("critical", "serious", "moderate", "minor")


def summary(results: list[dict[str, Any]]) -> list[str]:
    """A short table: one row per page (over the roles that saw it), violations by impact, then the totals
    and the rules that were broken."""
    rows: dict[str, Counter[str]] = {}
    roles: dict[str, set[str]] = {}
    for r in results:
        counts = rows.setdefault(r["page"], Counter())
        roles.setdefault(r["page"], set()).add(r["role"])
        for v in r["violations"]:
            counts[v["impact"] or "unknown"] += 1
    head = f"{'page':<34} {'roles':>5} " + " ".join(f"{i:>8}" for i in IMPACTS)
    lines = [head]
    for name, counts in rows.items():
        lines.append(f"{name:<34} {len(roles[name]):>5} " + " ".join(f"{counts[i]:>8}" for i in IMPACTS))
    total = Counter[str]()
    for counts in rows.values():
        total.update(counts)
    lines.append(f"{'total (' + str(len(results)) + ' page views)':<40} " + " ".join(f"{total[i]:>8}" for i in IMPACTS))
    rules = Counter(f"{v['id']} ({v['impact']})" for r in results for v in r["violations"])
    if rules:
        lines.append("rules: " + ", ".join(f"{rule} ×{n}" for rule, n in rules.most_common()))
    return lines
