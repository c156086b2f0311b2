"""Signals of core: a lower package asks, the packages above it answer, and no import runs upward.

``core`` shows a home page to which every package adds a panel, and runs the scheduled jobs that
packages bring. The asking side calls ``answer(signal, sender, ...)``; the answering side connects a
receiver in its ``init_app``. Signals are module constants, so a misspelt one is an ImportError or
AttributeError, never a section that silently stays empty. Receivers answer in the order they were
connected (the order of ``core.PACKAGES``, then of each ``init_app``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet
from typing import Any

from blinker import NamedSignal


class _InOrder(MutableSet[Any]):
    """A set that keeps the order things were added in: blinker's own is a plain set."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._items = dict.fromkeys(items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Any) -> None:
        self._items[item] = None

    def discard(self, item: Any) -> None:
        self._items.pop(item, None)

    def copy(self) -> _InOrder:
        return _InOrder(self._items)


class Signal(NamedSignal):
    """A named signal whose receivers run in the order they connected (a page's sections keep their place)."""

    set_class = _InOrder  # type: ignore[assignment]


def answer(signal: NamedSignal, sender: Any, **kwargs: Any) -> list[Any]:
    """What every receiver of ``signal`` answers for ``sender``, in order, leaving out those answering None."""
    return [result for _receiver, result in signal.send(sender, **kwargs) if result is not None]


#: The home page. Sender: the signed-in user. A receiver answers a ``core.sections.HomePanel`` or None.
home_panels = Signal("home-panels")

#: A signed-in user was refused: ``status`` 404 (hidden or missing) or 403 (forbidden), with the
#: ``object_type`` and ``object_id`` asked for. Sender: the user (the proxy; check ``is_authenticated``).
access_refused = Signal("access-refused")

#: The scheduler's round. Sender: the app. A receiver answers one ``core.scheduler.Job``.
scheduler_jobs = Signal("scheduler-jobs")

#: What goes into a backup's manifest besides the database (``core.backup``). Sender: the app. A
#: receiver answers one ``core.backup.Seal`` (audit: its chain's head, verified after a restore).
backup_seals = Signal("backup-seals")
