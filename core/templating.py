"""Template filters and globals shared by every package."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
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


def _filesize(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} kB".replace(".", ",")
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        datum=show_date,
        datumtijd=show_datetime,
        tijd=show_time,
        label=label,
        alineas=_paragraphs,
        bestandsgrootte=_filesize,
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"Audience": Audience, "Side": Side, "locale": str(get_locale() or "nl")}
