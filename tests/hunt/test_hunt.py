"""The leak hunter (issue 10): random people of both sides and every role work in BO-Brainport through
the services; after every step each persona reads what the app gives out, and nothing may hold a
marker the hunter's own model says they may not read. See ``tests.hunt.machine``.

``make test`` runs a small, fixed budget (derandomized, no example database: the same steps on every
run). ``make hunt`` runs ``HUNT_STEPS`` steps (2,000 by default) with fresh random choices, and prints
what it did.
"""

from __future__ import annotations

import math
import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.hunt.checks import Figures, get_routes
from tests.hunt.machine import Hunter, capturing

#: The budget of ``make test``: fixed, so that CI runs the same steps every time.
SMALL = {"examples": 2, "steps": 12, "sweep_every": 100}
#: Steps per example in a long hunt (``make hunt``).
LONG_STEPS_PER_EXAMPLE = 40


def _hunt(
    app: Any,
    connection: Any,
    monkeypatch: Any,
    *,
    steps: int,
    per_example: int,
    sweep_every: int,
    examples: int | None,
    derandomize: bool,
) -> Figures:
    from notify import services

    monkeypatch.setattr(services, "_compose", capturing(services._compose))
    figures = Figures(progress=not derandomize)
    Hunter.app, Hunter.connection, Hunter.figures, Hunter.sweep_every = app, connection, figures, sweep_every
    common = {
        "stateful_step_count": per_example,
        "deadline": None,
        "database": None,
        "derandomize": derandomize,
        "suppress_health_check": list(HealthCheck),
        "report_multiple_bugs": False,
        "phases": [Phase.generate, Phase.shrink],
    }
    try:
        if examples is not None:
            run_state_machine_as_test(Hunter, settings=settings(max_examples=examples, **common))
        else:
            # Rounds of fresh random examples until the budget of steps is spent.
            while figures.steps < steps:
                left = math.ceil((steps - figures.steps) / per_example)
                run_state_machine_as_test(Hunter, settings=settings(max_examples=max(1, min(left, 10)), **common))
    finally:
        print(f"\n{figures.summary()}")
        if os.environ.get("HUNT_COSTS"):
            for what, (count, spent) in sorted(figures.costs.items(), key=lambda kv: -kv[1][1]):
                print(f"  {what}: {count} x, {spent:.1f} s")
        if figures.first_failure_step is not None:
            print(
                f"first leak after {figures.first_failure_step} steps; shrunk to {figures.final_steps} steps\n"
                f"{figures.failure}"
            )
    return figures


def test_the_hunter_knows_every_page(app):
    """Every GET route is read or named as skipped, with a reason (a new page cannot go unread)."""
    assert len(get_routes(app.url_map)) > 50


def test_no_persona_reads_what_it_may_not(app, _rollback, monkeypatch):
    budget = os.environ.get("HUNT_STEPS")
    if budget:
        figures = _hunt(
            app,
            _rollback,
            monkeypatch,
            steps=int(budget),
            per_example=int(os.environ.get("HUNT_LENGTH", LONG_STEPS_PER_EXAMPLE)),
            sweep_every=int(os.environ.get("HUNT_SWEEP_EVERY", 10)),
            examples=None,
            derandomize=False,
        )
        assert figures.steps >= int(budget)
    else:
        _hunt(
            app,
            _rollback,
            monkeypatch,
            steps=0,
            per_example=SMALL["steps"],
            sweep_every=SMALL["sweep_every"],
            examples=SMALL["examples"],
            derandomize=True,
        )
