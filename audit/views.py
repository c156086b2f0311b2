"""An object's history, for whoever may read it."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from audit import bp, export, services
from audit.forms import ExportForm
from core.access import policy
from core.dates import now
from core.errors import NotPermitted, NotVisible
from core.extensions import db
from core.refs import ObjectRef


@bp.get("/geschiedenis/<object_type>/<int:object_id>")
@login_required
def history(object_type: str, object_id: int) -> ResponseReturnValue:
    """Who changed what in this object, when, and why: for whoever the policy lets read it."""
    obj = _load(object_type, object_id)
    if obj is None:
        raise NotVisible(object_type, object_id)
    policy().ensure_history(current_user, obj)
    # Past any id a column holds there is nothing more (and the database would fail on the number).
    after = min(max(0, request.args.get("na", 0, type=int) or 0), 2**31 - 1)
    page = services.history_page(current_user, object_type, object_id, after)
    return render_template(
        "audit/history.html",
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        records=page.records,
        after=after,
        next_after=page.next_after,
    )


def _load(object_type: str, object_id: int) -> Any:
    """An audited object (the trail has no history of any other); ``ObjectRef`` refuses an id no column
    can hold, which names no row and which the database would fail on."""
    return ObjectRef(object_type, object_id).load(db.session) if services.model_for_table(object_type) else None


def _readers_bodies() -> list[Any]:
    """The bodies whose history the current user reads (for the export's body filter)."""
    ids = policy().bodies_where(current_user, "view_history")
    model: Any = services.model_for_table("bodies")
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.name))) if ids else []


@bp.route("/audit/export", methods=["GET", "POST"])
@login_required
def export_page() -> ResponseReturnValue:
    """Auditors download the trail they may read, as CSV or JSON Lines with a manifest, in one zip."""
    bodies = _readers_bodies()
    if not bodies and not current_user.is_beheerder:
        raise NotPermitted(_("Exporteren is voor auditors, het secretariaat en beheer."))
    form = ExportForm()
    form.body.choices = [("", _("Alle overleggen"))] + [(b.id, b.name) for b in bodies]
    if not form.validate_on_submit():
        return render_template("audit/export.html", form=form), 400 if request.method == "POST" else 200
    # The actor goes into the filter as the address typed, never looked up here: an address without
    # an account, or of someone whose records the reader may not read, gives the same file as an
    # account without records. The reader learns who exists only from records they may read.
    selection = export.ExportFilter(
        start=form.start.data,
        end=form.end.data,
        body_id=form.body.data,
        case_id=form.case.data,
        actor=form.actor.data.lower() if form.actor.data else None,
    )
    chunks = export.taken(current_user._get_current_object(), selection, form.form.data or "jsonl", export.zipped)
    name = f"audittrail-{now().strftime('%Y%m%d-%H%M')}.zip"
    return Response(
        stream_with_context(chunks),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
