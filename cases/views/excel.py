"""Pages of action lists in Excel: a body's actions and commitments as .xlsx or CSV, and the import of an
existing action list (upload, preview, import)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, ensure
from cases import bp
from cases.forms import ImportConfirmForm, ImportUploadForm
from cases.services import excel
from core.db import Audience
from core.errors import DomainError, NotPermitted, NotVisible
from core.extensions import db
from core.spreadsheet import download
from meetings.services import bodies as body_services


@bp.get("/overleggen/<slug>/acties.xlsx")
@login_required
def body_actions_xlsx(slug: str) -> ResponseReturnValue:
    """The body's actions and commitments as an Excel workbook, as far as the reader may see them."""
    return _actions_download(slug, "xlsx")


@bp.get("/overleggen/<slug>/acties.csv")
@login_required
def body_actions_csv(slug: str) -> ResponseReturnValue:
    """The same as CSV for Dutch Excel."""
    return _actions_download(slug, "csv")


def _actions_download(slug: str, fmt: str) -> ResponseReturnValue:
    body = body_services.body_by_slug(current_user, slug)
    include_closed = request.args.get("ook") == "afgerond"  # the overview page's switch
    table = excel.actions_table(current_user, body, include_closed=include_closed)
    return download(table, excel.actions_filename(body), fmt)


@bp.route("/overleggen/<slug>/acties/importeren", methods=["GET", "POST"])
@login_required
def actions_import(slug: str) -> ResponseReturnValue:
    """Steps 1 and 2 of importing an action list: upload the .xlsx, and see every row checked."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    form = _upload_form()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            sheet = excel.read_sheet(upload.filename or "", upload.read(excel.MAX_IMPORT_BYTES + 1))
            preview = excel.preview_import(current_user, body, sheet, audience=Audience(form.audience.data))
        except (NotVisible, NotPermitted):
            raise
        except DomainError as exc:
            if not form.add_domain_error(exc):
                flash(exc.message, "error")
        else:
            return _preview_page(body, preview)
    return _upload_page(body, form)


@bp.post("/overleggen/<slug>/acties/importeren/opslaan")
@login_required
def actions_import_save(slug: str) -> ResponseReturnValue:
    """Step 3: store all rows of the preview, or only the good ones; nothing when anything fails."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        refusal = _("De voorvertoning ontbreekt of is onvolledig. Upload het bestand opnieuw.")
        return _upload_page(body, _upload_form(fresh=True), refusal=refusal)
    try:
        sealed = excel.open_preview(current_user, body, form.payload.data or "")
    except DomainError as exc:
        return _upload_page(body, _upload_form(fresh=True), refusal=exc.message)
    try:
        cases = excel.import_follow_ups(current_user, body, sealed, only_valid=form.mode.data == "goede")
    except (NotVisible, NotPermitted):
        raise
    except excel.PreviewChanged as exc:
        return _preview_page(body, exc.preview, refusal=exc.message, status=409)
    except DomainError as exc:
        # The rows are still good to look at: show them again with the refusal, not an empty upload form.
        try:
            preview = excel.preview_again(current_user, body, sealed)
        except DomainError:
            return _upload_page(body, _upload_form(fresh=True), refusal=exc.message)
        return _preview_page(body, preview, refusal=exc.message, status=400)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d actie of toezegging geïmporteerd uit %(file)s.",
            "%(num)d acties en toezeggingen geïmporteerd uit %(file)s.",
            len(cases),
            file=sealed.filename,
        ),
        "success",
    )
    return redirect(url_for("cases.body_actions", slug=body.slug))


@bp.get("/overleggen/<slug>/acties/importeren/voorbeeld.xlsx")
@login_required
def actions_import_template(slug: str) -> ResponseReturnValue:
    """An empty action list with the column headers the import recognises, to fill in."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    return download(excel.import_template(), f"actielijst-{body.slug}", "xlsx")


def _upload_form(*, fresh: bool = False) -> ImportUploadForm:
    form = ImportUploadForm(formdata=None) if fresh else ImportUploadForm()
    # Only what the importer's own side may make: "Alleen regio" is no choice for the Rijk.
    other = Audience.REGIO if current_user.side.value == Audience.RIJK.value else Audience.RIJK
    form.audience.choices = [choice for choice in form.audience.choices or [] if choice[0] != other.value]
    return form


def _upload_page(body: Any, form: ImportUploadForm, *, refusal: str | None = None) -> ResponseReturnValue:
    """The upload form; 400 when it comes back after a refused POST."""
    page = render_template("cases/import_upload.html", form=form, body=body, refusal=refusal, **_upload_context())
    return page, 400 if request.method == "POST" else 200


def _upload_context() -> dict[str, Any]:
    return {
        "max_mb": excel.MAX_IMPORT_BYTES // (1024 * 1024),
        "max_rows": format_decimal(excel.MAX_ROWS),
        "fields": excel.FIELD_NAMES,
        "required": excel.REQUIRED,
    }


def _preview_page(
    body: Any, preview: excel.Preview, *, refusal: str | None = None, status: int = 200
) -> ResponseReturnValue:
    form = ImportConfirmForm(formdata=None, payload=preview.payload)
    return (
        render_template(
            "cases/import_preview.html",
            body=body,
            preview=preview,
            form=form,
            fields=excel.FIELD_NAMES,
            refusal=refusal,
        ),
        status,
    )
