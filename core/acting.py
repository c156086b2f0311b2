"""Who is acting: every write runs inside a service call that names its actor.

The ``@service`` decorator is the one door for writes. It makes the ``actor`` argument the
current actor for the audit recorder, runs the function in a savepoint so that a failure leaves
nothing half-stored, and flushes before it returns, so every change is recorded while the actor
is still known. The recorder refuses domain changes made outside any service.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from flask import g, has_request_context, request
from sqlalchemy.orm.exc import StaleDataError

from core.errors import RaceLost
from core.extensions import db


@dataclass(frozen=True)
class Actor:
    """The acting person (or the system) as the audit trail names it."""

    user_id: int | None
    label: str
    organisation: str | None = None


#: Acts for command-line set-up and scheduled jobs where no person acts.
SYSTEM = Actor(user_id=None, label="systeem")


class ActingUser(Protocol):
    def as_actor(self) -> Actor: ...


@dataclass(frozen=True)
class _Acting:
    actor: Actor
    service: str


_acting: ContextVar[_Acting | None] = ContextVar("regiotafel_acting", default=None)

#: Called with the session and whether it succeeded, at the end of every outermost service call, inside
#: its savepoint (the audit recorder writes there what it held back during the call: one record per
#: object per call, whatever flushes happened in between).
_service_ends: list[Callable[[Any, bool], None]] = []


def on_service_end(hook: Callable[[Any, bool], None]) -> None:
    """Register ``hook(session, succeeded)`` (idempotent: apps made in tests share it)."""
    if hook not in _service_ends:
        _service_ends.append(hook)


_origin: ContextVar[str] = ContextVar("regiotafel_origin", default="cli")


def current_acting() -> tuple[Actor, str] | None:
    """The actor and the service name of the write under way, if any."""
    acting = _acting.get()
    return (acting.actor, acting.service) if acting else None


#: The Dutch keys that audit records written before issue 11 carry in their ``origin`` for ``source``,
#: ``method``, ``path`` and ``address``. Those records are sealed in the hash chain with the keys they
#: were written with, so they keep them: renaming a key inside a stored record would break
#: ``audit verify`` (and an exported record would no longer match its hash). A reader of the trail
#: (an export, a test) accepts both; ``origin_value`` does that.
FORMER_ORIGIN_KEYS = {"source": "bron", "method": "methode", "path": "pad", "address": "adres"}


def current_origin() -> dict[str, str]:
    """Where the current write comes from: a web request (method, path, address) or a command. A
    request that is not a browser's says so in ``g.request_origin`` (the API: its source and token)."""
    if has_request_context():
        return {
            "source": "web",
            "method": request.method,
            "path": request.path,
            "address": request.remote_addr or "",
        } | g.get("request_origin", {})
    return {"source": _origin.get()}


def origin_value(stored: dict[str, str], key: str) -> str | None:
    """One value of an audit record's stored ``origin``, under its English key or its former Dutch one."""
    if key in stored:
        return stored[key]
    return stored.get(FORMER_ORIGIN_KEYS.get(key, key))


@contextmanager
def origin(name: str) -> Iterator[None]:
    """Name the origin of writes outside a request, e.g. ``"cli"`` or ``"scheduler"``."""
    token = _origin.set(name)
    try:
        yield
    finally:
        _origin.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def _as_actor(value: Any) -> Actor:
    if isinstance(value, Actor):
        return value
    return value.as_actor()


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """Declare ``fn`` a write service; it must take an ``actor`` parameter."""
    signature = inspect.signature(fn)
    if "actor" not in signature.parameters:
        raise TypeError(f"service {fn.__qualname__} has no 'actor' parameter")
    name = f"{fn.__module__.split('.')[0]}.{fn.__name__}"

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        actor = _as_actor(signature.bind_partial(*args, **kwargs).arguments["actor"])
        outer = _acting.get()
        token = _acting.set(_Acting(actor, outer.service if outer else name))
        try:
            if outer is not None:
                return fn(*args, **kwargs)
            db.begin_write()
            try:
                with db.session.begin_nested():
                    try:
                        result = fn(*args, **kwargs)
                        db.session.flush()
                    except BaseException:
                        for hook in _service_ends:
                            hook(db.session, False)
                        raise
                    for hook in _service_ends:
                        hook(db.session, True)
            except StaleDataError as exc:
                # Another transaction changed a versioned row since this one read it (``VersionedMixin``):
                # the UPDATE found no row of that version, and the savepoint took back everything.
                raise RaceLost() from exc
            return result
        finally:
            _acting.reset(token)

    run.__regiotafel_service__ = True  # type: ignore[attr-defined]
    return run
