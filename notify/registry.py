"""What other packages tell ``notify``: the kinds of message they compose and the planners that
say which messages are due. ``notify`` never imports them (``core.hooks``)."""

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


def register_kind(app: Flask, kind: str, composer: Composer, *, label: object, variants: dict[str, Any]) -> None:
    """``label`` and ``variants`` name the kind in the outbox, before (or instead of) its text."""
    kinds = app.extensions.setdefault(_KINDS, {})
    if kinds.get(kind, composer) is not composer:
        raise ValueError(f"notification kind {kind!r} registered twice")
    kinds[kind] = composer
    app.extensions.setdefault(_LABELS, {})[kind] = (label, variants)


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
