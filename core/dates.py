"""Time: stored in UTC, entered and shown in Europe/Amsterdam."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, get_locale

from core import db as _db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current time in UTC (tests move ``core.db.clock``)."""
    return _db.utcnow()


def today() -> date:
    """Today's date in Amsterdam: deadlines and due dates are Dutch calendar days."""
    return now().astimezone(AMSTERDAM).date()


def local_to_utc(day: date, at: time) -> datetime:
    """The UTC instant of a wall-clock time in Amsterdam (as a secretariat enters it)."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


#: The default patterns per language: ``14 maart 2023 om 10:00`` and ``14 March 2023 at 10:00``.
_DATETIME = {"nl": "d MMMM yyyy 'om' HH:mm", "en": "d MMMM yyyy 'at' HH:mm"}


def show_date(value: date | datetime | None, style: str = "d MMMM yyyy") -> str:
    """A date as people write it: ``14 maart 2023``, in English ``14 March 2023``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, style)


def show_datetime(value: datetime | None, style: str | None = None) -> str:
    """A moment in Amsterdam time: ``14 maart 2023 om 10:00``."""
    if value is None:
        return ""
    if style is None:
        style = _DATETIME.get(str(get_locale() or "nl"), _DATETIME["nl"])
    return format_datetime(value, style)


def show_time(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, "HH:mm")
