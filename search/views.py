"""The search page: /zoeken."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from search import bp, services
from search.forms import SearchForm

_ASKS = ("q", "overleg", "cyclus", "thema", "soort")


@bp.get("/zoeken", endpoint="search")
@login_required
def search_page() -> ResponseReturnValue:
    """Search what the user may see; a bad query gets its message next to the field (400)."""
    form = SearchForm(request.args)
    form.offer(services.filter_choices(current_user))
    result = None
    status = 200
    if any(request.args.get(name) for name in _ASKS):
        if form.validate():
            filters = form.filters(request.args.get("pagina", 1, type=int) or 1)
            # Only spaces typed: the hint again, not a list of everything.
            result = services.search(current_user, filters) if filters.asks else None
        else:
            status = 400
    return render_template("search/results.html", form=form, result=result), status
