"""The leak hunter (issue 10): random people of both sides and every role work in BO-Brainport through
the services; after every step each persona reads what the app gives out, and nothing may hold a
marker the hunter's own model says they may not read. See ``tests.hunt.machine``.

``make test`` runs a small, fixed budget (derandomized, no example database: the same steps on every
run). ``make hunt`` runs ``HUNT_STEPS`` steps (2,000 by default) in rounds of examples, and prints what
it did. Each round's choices follow from one seed: ``HUNT_SEED`` (else a random one, printed), the next
round ``HUNT_SEED + 1`` and so on. A leak prints the seed of its round; that seed with the same
``HUNT_STEPS`` (and ``HUNT_LENGTH``) replays that round first: the same steps, the same leak.
"""

from __future__ import annotations

import math
import os
import random
from typing import Any

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import get_state_machine_test, run_state_machine_as_test

from core.extensions import db
from tests.hunt.checks import Figures, get_routes
from tests.hunt.machine import Hunter, capturing
from tests.hunt.snapshot import Snapshot

#: The budget of ``make test``: fixed, so that CI runs the same steps every time.
SMALL = {"examples": 2, "steps": 12, "sweep_every": 100}
#: Steps per example in a long hunt (``make hunt``).
LONG_STEPS_PER_EXAMPLE = 40
#: Examples per round of a long hunt, at most (fewer for a budget smaller than one round). Every round
#: of one budget has the same size, so that a round's seed and the budget replay it.
ROUND = 10


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
    first_seed: int | None = None,
) -> Figures:
    from hypothesis.internal.conjecture import engine

    from notify import services

    monkeypatch.setattr(services, "_compose", capturing(services._compose))
    # Hypothesis stops shrinking after five minutes of wall time; on a busy machine a leak then keeps
    # more steps than it needs. HUNT_SHRINK_SECONDS gives it longer.
    shrink = os.environ.get("HUNT_SHRINK_SECONDS")
    if shrink:
        monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", int(shrink))
    figures = Figures(progress=not derandomize)
    Hunter.app, Hunter.connection, Hunter.figures, Hunter.sweep_every = app, connection, figures, sweep_every
    with app.app_context():
        if examples is None and db.engine.dialect.name == "postgresql":
            # Requests commit as in production; the rows go back after every run (tests/hunt/snapshot.py).
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            Hunter.snapshot = Snapshot(db.engine)
            Hunter.snapshot.take()
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
            # Rounds of examples until the budget of steps is spent, each round from a seed of its own.
            assert first_seed is not None
            figures.seed = first_seed
            print(f"\nhunt: HUNT_SEED={first_seed}", flush=True)
            size = max(1, min(ROUND, math.ceil(steps / per_example)))
            while figures.steps < steps:
                round_test = get_state_machine_test(Hunter, settings=settings(max_examples=size, **common))
                seed(figures.seed)(round_test)()
                figures.seed += 1
    finally:
        if Hunter.snapshot is not None:
            with app.app_context():
                Hunter.snapshot.drop()
                db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
            Hunter.snapshot = None
        print(f"\n{figures.summary()}")
        if os.environ.get("HUNT_COSTS"):
            for what, (count, spent) in sorted(figures.costs.items(), key=lambda kv: -kv[1][1]):
                print(f"  {what}: {count} x, {spent:.1f} s")
        if figures.first_failure_step is not None:
            print(
                f"first leak after {figures.first_failure_step} steps; shrunk to {figures.final_steps} steps\n"
                f"{figures.failure}"
            )
            if not derandomize:
                print(f"replay: HUNT_SEED={figures.seed} HUNT_STEPS={steps} HUNT_LENGTH={per_example}")
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
            sweep_every=int(os.environ.get("HUNT_SWEEP_EVERY", LONG_STEPS_PER_EXAMPLE)),
            examples=None,
            derandomize=False,
            first_seed=int(os.environ.get("HUNT_SEED") or random.SystemRandom().randrange(2**32)),
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
