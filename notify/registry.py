"""What other packages tell ``notify``: the kinds of message they compose and the planners that
say which messages are due, registered from their ``init_app``. ``notify`` never imports them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from auth.models import User
    from notify.models import Notification


@dataclass(frozen=True)
class Planned:
    """A notification to plan; planning one whose key exists already does nothing."""

    key: str
    kind: str
    recipient_id: int
    subject_type: str
    subject_id: int
    due_at: datetime
    variant: str = ""
    planned_for: date | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    #: What the outbox keeps and shows of the text, when the text holds a secret that only the
    #: recipient may have (the link of an invitation or a password reset); None: the text itself.
    kept_text: str | None = None


@dataclass(frozen=True)
class Lapsed:
    """What a composer answers when the message no longer applies; the reason is kept."""

    reason: str


#: Writes the message for one notification and its recipient, as that recipient may see things.
Composer = Callable[["Notification", "User"], Mail | Lapsed]
#: Says which notifications are due around ``now`` (the scheduler plans them each tick).
Planner = Callable[[datetime], Iterable[Planned]]

_KINDS = "notify.kinds"
_LABELS = "notify.kind_labels"
_PLANNERS = "notify.planners"
_FOR_NEWCOMERS = "notify.kinds_for_newcomers"


def register_kind(
    app: Flask,
    kind: str,
    composer: Composer,
    *,
    label: object,
    variants: dict[str, Any],
    for_newcomers: bool = False,
) -> None:
    """``label`` and ``variants`` name the kind in the outbox, before (or instead of) its text.

    A message goes only to people who can sign in; ``for_newcomers`` lets a kind reach an account
    that has no credentials yet (the invitation itself).
    """
    kinds = app.extensions.setdefault(_KINDS, {})
    if kinds.get(kind, composer) is not composer:
        raise ValueError(f"notification kind {kind!r} registered twice")
    kinds[kind] = composer
    app.extensions.setdefault(_LABELS, {})[kind] = (label, variants)
    if for_newcomers:
        app.extensions.setdefault(_FOR_NEWCOMERS, set()).add(kind)


def reaches_newcomers(kind: str) -> bool:
    return kind in current_app.extensions.get(_FOR_NEWCOMERS, set())


def describe(kind: str, variant: str) -> str:
    """What a notification is, in the reader's language, without naming what it is about."""
    label, variants = current_app.extensions.get(_LABELS, {}).get(kind, (kind, {}))
    detail = str(variants.get(variant, ""))
    return f"{label} ({detail})" if detail else str(label)


def register_planner(app: Flask, planner: Planner) -> None:
    planners = app.extensions.setdefault(_PLANNERS, [])
    if planner not in planners:
        planners.append(planner)


def composer_for(kind: str) -> Composer | None:
    kinds: dict[str, Any] = current_app.extensions.get(_KINDS, {})
    return kinds.get(kind)


def planners() -> list[Planner]:
    return list(current_app.extensions.get(_PLANNERS, []))
