"""Import, step 2 → 3: the checked rows sealed into a signed payload the page carries to the last step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from auth.models import User
from auth.policy import Action, ensure
from cases.services.excel.checks import CheckedRow, check_rows
from cases.services.excel.reader import Sheet, SheetRow
from core.db import Audience
from core.errors import DomainError
from meetings.models import Body

#: How long a preview may be carried to the import.
PREVIEW_MAX_AGE = 60 * 60
#: Longest payload a page carries; a form field beyond ~500 kB is refused by the web server.
MAX_PAYLOAD_CHARS = 400_000
_SALT = "regiotafel.cases.actielijst-import"
IMPORT_AUDIENCES = (Audience.OPENBAAR, Audience.OVERLEG, Audience.RIJK, Audience.REGIO)


@dataclass(frozen=True)
class SealedImport:
    """What a preview carries to the import: the rows as read, for which body, by whom, for whom."""

    body_id: int
    user_id: int
    filename: str
    audience: Audience
    rows: list[SheetRow]
    #: The rows that were good at the preview: the import refuses to store another selection.
    valid: list[int]


@dataclass
class Preview:
    sealed: SealedImport
    rows: list[CheckedRow]
    payload: str
    columns: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.ok]

    @property
    def bad(self) -> list[CheckedRow]:
        return [row for row in self.rows if not row.ok]


class PreviewChanged(DomainError):
    """The rows check out differently than at the preview; ``preview`` is how they stand now."""

    def __init__(self, message: str, preview: Preview) -> None:
        super().__init__(message)
        self.preview = preview


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def check_audience(actor: User, audience: Audience) -> None:
    if audience not in IMPORT_AUDIENCES:
        raise DomainError(_("Kies openbaar, het hele overleg of uw eigen kant."), field="audience")
    if audience in (Audience.RIJK, Audience.REGIO) and audience.value != actor.side.value:
        raise DomainError(_("U kunt niets maken dat alleen voor de andere kant zichtbaar is."), field="audience")


def preview_import(actor: User, body: Body, sheet: Sheet, *, audience: Audience) -> Preview:
    """Check the sheet's rows for an import into ``body`` and seal them for the next step."""
    ensure(actor, Action.MANAGE, body)
    audience = Audience(audience)
    check_audience(actor, audience)
    checked = check_rows(sheet.rows, body.id)
    sealed = SealedImport(
        body_id=body.id,
        user_id=actor.id,
        filename=sheet.filename,
        audience=audience,
        rows=sheet.rows,
        valid=[row.sheet.row for row in checked if row.ok],
    )
    payload = _seal(sealed)
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise DomainError(_("Deze lijst is te groot om in één keer te importeren. Splits haar in delen."), field="file")
    return Preview(sealed=sealed, rows=checked, payload=payload, columns=sheet.columns, ignored=sheet.ignored)


def _seal(sealed: SealedImport) -> str:
    data = {
        "v": 1,
        "body": sealed.body_id,
        "user": sealed.user_id,
        "file": sealed.filename,
        "audience": sealed.audience.value,
        "valid": sealed.valid,
        # Fields by position, empty ones as "": the payload travels in the page, so keep it small.
        "rows": [[value for value in asdict(row).values()] for row in sealed.rows],
    }
    return _serializer().dumps(data)


def open_preview(actor: User, body: Body, payload: str) -> SealedImport:
    """The rows a preview sealed; refused when the payload was changed, is stale, or is someone else's."""
    again = _("Upload het bestand opnieuw.")
    try:
        data = _serializer().loads(payload, max_age=PREVIEW_MAX_AGE)
    except SignatureExpired as exc:
        raise DomainError(
            _("De voorvertoning is verlopen (ouder dan %(minutes)s minuten).", minutes=PREVIEW_MAX_AGE // 60)
            + " "
            + again
        ) from exc
    except BadSignature as exc:
        raise DomainError(_("De voorvertoning is ongeldig of gewijzigd.") + " " + again) from exc
    try:
        sealed = SealedImport(
            body_id=int(data["body"]),
            user_id=int(data["user"]),
            filename=str(data["file"]),
            audience=Audience(data["audience"]),
            rows=[SheetRow(int(values[0]), *(str(v) for v in values[1:])) for values in data["rows"]],
            valid=[int(n) for n in data["valid"]],
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise DomainError(_("De voorvertoning is ongeldig of gewijzigd.") + " " + again) from exc
    if sealed.body_id != body.id or sealed.user_id != actor.id:
        raise DomainError(_("Deze voorvertoning hoort bij een ander overleg of een andere gebruiker.") + " " + again)
    return sealed


def preview_again(actor: User, body: Body, sealed: SealedImport) -> Preview:
    """The preview of sealed rows as they check out now."""
    sheet = Sheet(filename=sealed.filename, rows=sealed.rows, columns={}, ignored=[])
    return preview_import(actor, body, sheet, audience=sealed.audience)
