"""The decisions page to take away: every decision it finds with its filters, as .xlsx or CSV."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from core.spreadsheet import download
from meetings import bp
from meetings.services import overview
from meetings.views.decisions import decision_filters


@bp.get("/besluiten.xlsx")
@login_required
def decisions_xlsx() -> ResponseReturnValue:
    """The decisions the reader may see, filtered as on the decisions page, as an Excel workbook."""
    return _decisions_download("xlsx")


@bp.get("/besluiten.csv")
@login_required
def decisions_csv() -> ResponseReturnValue:
    """The same as CSV for Dutch Excel."""
    return _decisions_download("csv")


def _decisions_download(fmt: str) -> ResponseReturnValue:
    form, filters = decision_filters()
    if form.errors:
        # A filter that is no choice: not a file of something else, but the page that says which.
        return redirect(f"{url_for('meetings.decisions')}?{request.query_string.decode()}")
    table = overview.decisions_table(current_user, filters)
    return download(table, overview.decisions_filename(), fmt)
