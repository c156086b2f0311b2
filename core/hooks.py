"""Extension points: a lower package asks, higher packages answer, and no import runs upward.

``meetings`` shows the action items of a decision, which live in ``cases``; ``core`` shows a home
page to which every package adds a panel. The asking side calls ``collect(name, ...)``; the
answering side registers with ``provide(app, name, fn)`` when its blueprint is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app


def provide(app: Flask, name: str, provider: Callable[..., Any]) -> None:
    app.extensions.setdefault("regiotafel.hooks", {}).setdefault(name, []).append(provider)


def collect(name: str, **kwargs: Any) -> list[Any]:
    """What every provider of ``name`` answers, leaving out the ones that answer None."""
    providers = current_app.extensions.get("regiotafel.hooks", {}).get(name, [])
    return [answer for answer in (p(**kwargs) for p in providers) if answer is not None]


@dataclass(frozen=True)
class LinkedItem:
    """Something another package attaches to a page: an action item under a decision, say."""

    title: str
    url: str
    kind: str
    status: str
    owner: str | None = None
    due: date | None = None
    overdue: bool = False
    #: Due within a week and not yet done.
    due_soon: bool = False
    audience: Any = None


@dataclass(frozen=True)
class PageAction:
    """A button another package adds to a page, e.g. "Agendaverzoek indienen" on a body."""

    label: str
    url: str


@dataclass(frozen=True)
class PageSection:
    """A section another package adds to a page: a heading, linked items and buttons."""

    title: str
    items: list[LinkedItem] = field(default_factory=list)
    empty: str = ""
    actions: list[PageAction] = field(default_factory=list)


@dataclass(frozen=True)
class NewsLine:
    """One line of a body's *what's new* on the home page (``meetings.services.news``), from any package:
    what came in, when, where to read it, and the titles it names, all as the reader may see them."""

    body_id: int
    at: datetime
    #: A short word for the kind of news, shown as a tag ("Agenda", "Actiepunt").
    kind: str
    text: str
    url: str
    detail: str = ""
    #: (title, url) of the things the line names, e.g. the documents added.
    links: tuple[tuple[str, str], ...] = ()
