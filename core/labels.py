"""Labels for enum values (translatable), so templates and forms never spell a state out themselves."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# Keyed by (enum class, value): members of two StrEnums with the same value ("rijk" as a side and
# as an audience) are equal and hash alike, so the member alone cannot be the key.
_LABELS: dict[tuple[type[enum.Enum], object], object] = {}


K = TypeVar("K")


class Labels(dict[K, str]):
    """Labels declared once with ``lazy_gettext`` and read as plain text in the reader's language
    (a spreadsheet cell or a database column takes no lazy string)."""

    def __getitem__(self, key: K) -> str:
        return str(super().__getitem__(key))

    def get(self, key: K, default: Any = None) -> Any:
        return str(super().__getitem__(key)) if key in self else default


def register_labels(labels: dict[enum.Enum, object]) -> None:
    """Register the labels of one enum (one enum per call: a dict literal mixing two enums would
    already have merged their equal members before it got here)."""
    kinds = {type(member) for member in labels}
    if len(kinds) != 1:
        raise ValueError(f"register the labels of one enum per call, not {sorted(k.__name__ for k in kinds)}")
    _LABELS.update({(type(member), member.value): text for member, text in labels.items()})


def label(value: enum.Enum | None) -> str:
    if value is None:
        return ""
    return str(_LABELS.get((type(value), value.value), value.value))


def choices(enum_type: type[enum.Enum], members: Sequence[enum.Enum] | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field; the labels are looked up when shown, so a form class built
    at import time (before ``init_app`` registered the labels) still shows them, in the reader's language."""
    return [(m.value, cast(str, LazyString(label, m))) for m in (members or list(enum_type))]


def register_core_labels() -> None:
    """The labels of core's enums (``create_app`` registers them, the packages theirs in ``init_app``)."""
    from core.db import Audience, Side

    register_labels({Side.RIJK: _l("Rijk"), Side.REGIO: _l("Regio")})
    register_labels(
        {
            Audience.OPENBAAR: _l("Openbaar"),
            Audience.OVERLEG: _l("Overleg (alle leden)"),
            Audience.RIJK: _l("Alleen Rijk"),
            Audience.REGIO: _l("Alleen regio"),
            Audience.VERTROUWELIJK: _l("Vertrouwelijk (alleen genoemde personen)"),
        }
    )
