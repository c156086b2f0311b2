"""What packages add to each other's pages through signals (``core.signals``, ``meetings.signals``):
a home panel, a section with linked items and buttons, a line of *what's new*."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class HomePanel:
    """One block of the home page, contributed by a domain package."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50
    #: Two columns wide on a wide screen (a panel with long lines, such as what is new).
    wide: bool = False


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
