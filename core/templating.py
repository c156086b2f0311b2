"""Template filters and globals shared by every package."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import format_decimal, get_locale
from markupsafe import Markup, escape

from core.dates import show_date, show_datetime, show_time
from core.db import Audience, Side
from core.labels import label


def _paragraphs(value: str | None) -> Markup:
    """Plain text as paragraphs: blank lines split paragraphs, single newlines become <br>."""
    if not value:
        return Markup("")
    blocks = [b.strip() for b in value.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(Markup("<br>").join(escape(b).split("\n"))) for b in blocks)


def filesize(n: int) -> str:
    """A file's size for people: ``850 B``, ``12 kB``, ``1,5 MB`` (``1.5 MB`` in English)."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{format_decimal(n / 1024, format='0')} kB"
    return f"{format_decimal(n / (1024 * 1024), format='0.0')} MB"


def init_app(app: Flask) -> None:
    # Named so that they shadow none of Jinja's built-in filters (``filesizeformat`` counts in kB of 1000).
    app.jinja_env.filters.update(
        local_date=show_date,
        local_datetime=show_datetime,
        local_time=show_time,
        label=label,
        paragraphs=_paragraphs,
        filesize=filesize,
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"Audience": Audience, "Side": Side, "locale": str(get_locale() or "nl")}
