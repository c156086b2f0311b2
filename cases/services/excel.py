"""Action lists in Excel: a body's actions and commitments to take away (.xlsx, CSV), and an existing
action list (.xlsx) brought in.

The import runs in three steps and stores nothing before the last one:

1. ``read_sheet`` reads the first worksheet of the upload: it finds the header row, recognises the
   columns by their usual names ("Actie", "Titel" or "Omschrijving"; "Eigenaar" or "Organisatie";
   "Deadline", "Datum" or "Gereed op"; …) and takes the rows below it as text.
2. ``preview_import`` checks every row (organisation known and at the body's table, date understood,
   assignee working at that organisation, …) and seals the rows into a signed, compressed payload, so the page can
   carry them to the last step without anything kept on the server.
3. ``import_follow_ups`` opens the payload again (refusing a changed or stale one), checks every
   row again, and creates the actions through ``create_follow_up`` in one transaction, so each is
   audited and planned like any other, and a failure leaves none stored.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from openpyxl import load_workbook
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from auth.models import Organisation, User
from auth.policy import Action, ensure, visible
from cases.engine import is_overdue, workflow_of
from cases.models import Case, CaseType
from cases.services.cases import create_follow_up, follow_up_overview
from cases.workflows import TYPE_LABELS
from core.acting import service
from core.archive import ArchiveTooLarge, open_archive
from core.dates import today
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.forms import TEXT_MAX, TITLE_MAX
from core.labels import label
from core.spreadsheet import Column, Table
from meetings.models import Body, Decision
from meetings.services.bodies import organisations_of
from meetings.services.numbering import numberings
from meetings.storage import sniff

# --- export ----------------------------------------------------------------------------------------

ACTION_COLUMNS = (
    Column(_l("Kenmerk"), 10),
    Column(_l("Soort"), 12),
    Column(_l("Titel"), 50, wrap=True),
    Column(_l("Eigenaar"), 30),
    Column(_l("Uitvoerder"), 24),
    Column(_l("Datum gereed"), 14),
    Column(_l("Status"), 16),
    Column(_l("Te laat"), 9),
    Column(_l("Herkomst"), 30, wrap=True),
    Column(_l("Besluit"), 30, wrap=True),
    Column(_l("Zichtbaarheid"), 22),
    Column(_l("Toelichting"), 50, wrap=True),
)


def actions_table(user: User, body: Body, *, include_closed: bool = False) -> Table:
    """The body's actions and commitments as the overview page lists them, for this reader only."""
    cases = [case for row in follow_up_overview(user, body, include_closed=include_closed) for case in row.cases]
    decisions = _decisions_seen(user, {case.decision_id for case in cases if case.decision_id is not None})
    rows = [
        [
            case.reference,
            TYPE_LABELS[case.type],
            case.title,
            case.owner_organisation.name,
            case.assignee.name if case.assignee is not None else None,
            case.due_date,
            workflow_of(case).label(case.state),
            is_overdue(case),
            case.source,
            decisions.get(case.decision_id) if case.decision_id is not None else None,
            label(case.audience),
            case.description or None,
        ]
        for case in cases
    ]
    return Table(sheet=_("Acties"), columns=ACTION_COLUMNS, rows=rows)


def actions_filename(body: Body) -> str:
    """``acties-bo-brainport-2026-11-23`` (without extension)."""
    return f"acties-{body.slug}-{today().isoformat()}"


def _decisions_seen(user: User, decision_ids: set[int]) -> dict[int, str]:
    """The number and meeting of each decision the reader may see, as the reader numbers it; a
    decision the reader may not see is left out, so the action names no hidden decision."""
    if not decision_ids:
        return {}
    found = list(
        db.session.scalars(
            select(Decision)
            .where(Decision.id.in_(decision_ids), visible(user, Decision))
            .options(joinedload(Decision.meeting))
        )
    )
    numbers = numberings(user, {d.meeting_id for d in found})
    shown = {}
    for decision in found:
        number = numbers[decision.meeting_id].decision(decision)
        if number:  # unnumbered: its agenda item is hidden from this reader
            shown[decision.id] = f"{number} ({decision.meeting.title})"
    return shown


# --- import, step 1: reading the sheet ---------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
#: What the workbook may unpack to; an upload that claims more is refused before it is read. A real
#: list of 1,000 rows unpacks to a few MB; the reader holds all shared text in memory, so a zip bomb must not.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 1000
#: Rows scanned at most (empty ones included): a sheet formatted down to row 1,048,576 stops here.
_MAX_SCAN = 20_000
_MAX_COLUMNS = 60
#: Rows at the top in which to look for the header (a title row above it is common).
_HEADER_SEARCH = 10

#: The row's fields and the column names they are recognised by, most telling first (compared
#: without case, accents, punctuation and anything in brackets). A column serves one field;
#: "Omschrijving" is the title unless a column says "Titel" or "Actie", else the description.
HEADERS: dict[str, tuple[str, ...]] = {
    "title": ("titel", "actie", "actiepunt", "actiepunten", "toezegging", "onderwerp", "omschrijving", "wat"),
    "owner": (
        "eigenaar",
        "organisatie",
        "eigenaar organisatie",
        "organisatie eigenaar",
        "verantwoordelijke organisatie",
        "partij",
    ),
    "assignee": ("uitvoerder", "trekker", "actiehouder", "behandelaar", "contactpersoon", "wie"),
    "due": (
        "datum gereed",
        "gereed op",
        "deadline",
        "datum",
        "einddatum",
        "streefdatum",
        "uiterlijk",
        "gereed",
        "termijn",
    ),
    "kind": ("soort", "type"),
    "source": ("herkomst", "bron"),
    "description": ("toelichting", "omschrijving", "opmerking", "opmerkingen", "beschrijving", "notitie", "notities"),
}
REQUIRED = ("title", "owner", "due")
#: How the page names each field's column, with the other names it recognises.
FIELD_NAMES: dict[str, Any] = {
    "title": _l("Titel (of Actie, Omschrijving)"),
    "owner": _l("Eigenaar (of Organisatie)"),
    "assignee": _l("Uitvoerder (of Trekker)"),
    "due": _l("Datum gereed (of Deadline, Datum, Gereed op)"),
    "kind": _l("Soort"),
    "source": _l("Herkomst"),
    "description": _l("Toelichting"),
}
#: Longest text kept per field; one more character than allowed, so "too long" can still be told.
_KEEP = {"title": TITLE_MAX + 1, "source": TITLE_MAX + 1, "description": TEXT_MAX + 1}
_SHORT_KEEP = 300


#: The columns of the empty action list the upload page offers; each header is one ``read_sheet`` knows.
TEMPLATE_COLUMNS = (
    Column(_l("Soort"), 12),
    Column(_l("Titel"), 50, wrap=True),
    Column(_l("Eigenaar"), 30),
    Column(_l("Uitvoerder"), 30),
    Column(_l("Datum gereed"), 14),
    Column(_l("Herkomst"), 30, wrap=True),
    Column(_l("Toelichting"), 50, wrap=True),
)


def import_template() -> Table:
    """An empty action list to fill in: only the header row."""
    return Table(sheet=_("Actielijst"), columns=TEMPLATE_COLUMNS, rows=[])


@dataclass(frozen=True)
class SheetRow:
    """What one row of the sheet says, as text; a date cell as ``jjjj-mm-dd``."""

    row: int
    title: str = ""
    kind: str = ""
    owner: str = ""
    assignee: str = ""
    due: str = ""
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class Sheet:
    filename: str
    rows: list[SheetRow]
    #: field → the header it was read from.
    columns: dict[str, str]
    #: Headers of columns that are not read (e.g. "Status").
    ignored: list[str]


def read_sheet(filename: str, content: bytes) -> Sheet:
    """Read the rows of an uploaded action list; refuse what is no readable .xlsx with a header."""
    _check_file(filename, content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # whatever a damaged or disguised file makes the reader raise
        raise _not_xlsx() from exc
    try:
        if not book.worksheets:
            raise DomainError(_("Dit Excel-bestand heeft geen werkblad."), field="file")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        try:
            return _read_rows(filename, sheet.iter_rows(values_only=True, max_col=_MAX_COLUMNS))
        except DomainError:
            raise
        except Exception as exc:
            raise _not_xlsx() from exc
    finally:
        book.close()


def _check_file(filename: str, content: bytes) -> None:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xls":
        raise DomainError(
            _(
                "Oude Excel-bestanden (.xls) kunnen niet. Sla het bestand in Excel op als Excel-werkmap (.xlsx) "
                "en probeer het opnieuw."
            ),
            field="file",
        )
    if extension != "xlsx":
        raise _not_xlsx()
    if not content:
        raise DomainError(_("Dit bestand is leeg."), field="file")
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError(
            _(
                "Dit bestand is %(size)s MB; hoogstens %(max)s MB mag. Splits de lijst in delen.",
                size=format_decimal(len(content) / 1048576, format="0.0"),
                max=MAX_IMPORT_BYTES // 1048576,
            ),
            field="file",
        )
    try:
        with open_archive(content, max_unpacked=MAX_UNPACKED_BYTES):
            pass
    except ArchiveTooLarge as exc:
        raise DomainError(
            _("Dit Excel-bestand is uitgepakt te groot om te lezen. Splits de lijst in delen."), field="file"
        ) from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # no zip, or a damaged one
        raise _not_xlsx() from exc
    try:
        if sniff(filename, content, max_unpacked=MAX_UNPACKED_BYTES).extension != "xlsx":
            raise _not_xlsx()
    except DomainError as exc:
        raise _not_xlsx() from exc


def _not_xlsx() -> DomainError:
    return DomainError(
        _("Dit is geen Excel-bestand (.xlsx) dat Regiotafel kan lezen. Kies een Excel-werkmap (.xlsx)."), field="file"
    )


def normalise_header(value: Any) -> str:
    """``"Gereed op (dd-mm-jjjj)"`` → ``"gereed op"``: no case, accents, brackets or punctuation."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").casefold()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _match_columns(header: Sequence[Any]) -> dict[str, int]:
    """field → column index, each column serving one field, the most telling name first."""
    names = {index: normalise_header(value) for index, value in enumerate(header) if _text(value)}
    matched: dict[str, int] = {}
    for name, synonyms in HEADERS.items():
        for synonym in synonyms:
            index = next((i for i, n in names.items() if n == synonym and i not in matched.values()), None)
            if index is not None:
                matched[name] = index
                break
    return matched


def _read_rows(filename: str, rows: Iterator[tuple[Any, ...]]) -> Sheet:
    header: tuple[Any, ...] | None = None
    columns: dict[str, int] = {}
    seen_anything = False
    found: list[SheetRow] = []
    for number, values in enumerate(rows, start=1):
        if number > _MAX_SCAN:
            break
        if header is None:
            if any(_text(v) for v in values):
                seen_anything = True
                matched = _match_columns(values)
                if "title" in matched or len(matched) >= 2:
                    header, columns = values, matched
                    continue
            if number >= _HEADER_SEARCH:
                break
            continue
        cells = {name: _cell(values[index] if index < len(values) else None, name) for name, index in columns.items()}
        if not any(cells.values()):
            continue  # an empty line, or one with only unread columns
        if len(found) >= MAX_ROWS:
            raise DomainError(
                _(
                    "Dit blad heeft meer dan %(max)s rijen. Splits de lijst in delen.",
                    max=format_decimal(MAX_ROWS),
                ),
                field="file",
            )
        found.append(SheetRow(row=number, **cells))
    if header is None:
        if not seen_anything:
            raise DomainError(_("Het eerste werkblad van dit bestand is leeg."), field="file")
        raise DomainError(
            _(
                "Geen kopregel gevonden in de eerste %(n)s rijen. Verwacht worden de kolommen %(columns)s.",
                n=_HEADER_SEARCH,
                columns=", ".join(str(FIELD_NAMES[name]) for name in REQUIRED),
            ),
            field="file",
        )
    missing = [str(FIELD_NAMES[name]) for name in REQUIRED if name not in columns]
    if missing:
        raise DomainError(
            _("Deze kolom ontbreekt: %(columns)s.", columns=missing[0])
            if len(missing) == 1
            else _("Deze kolommen ontbreken: %(columns)s.", columns="; ".join(missing)),
            field="file",
        )
    if not found:
        raise DomainError(_("Onder de kopregel staan geen rijen om te importeren."), field="file")
    used = set(columns.values())
    return Sheet(
        filename=filename,
        rows=found,
        columns={name: _text(header[index]) for name, index in columns.items()},
        ignored=[_text(v) for i, v in enumerate(header) if _text(v) and i not in used],
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell(value: Any, name: str) -> str:
    """A cell as text; a date (or a date's serial number) in a date column as ``jjjj-mm-dd``."""
    if name == "due":
        if isinstance(value, datetime | date):
            return (value.date() if isinstance(value, datetime) else value).isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool) and 36526 <= value < 73051:
            return (date(1899, 12, 30) + timedelta(days=int(value))).isoformat()  # Excel's serial date
    text = _text(value)
    if name != "description":
        text = " ".join(text.split())
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]  # our own export's guard against formulas
    return text[: _KEEP.get(name, _SHORT_KEEP)]


# --- import, step 2: checking the rows ---------------------------------------------------------------------

_KINDS = {
    "actiepunt": CaseType.ACTIEPUNT,
    "actie": CaseType.ACTIEPUNT,
    "ap": CaseType.ACTIEPUNT,
    "toezegging": CaseType.TOEZEGGING,
    "tz": CaseType.TOEZEGGING,
}
_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_WRITTEN = re.compile(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})")


def parse_date(text: str) -> date | None:
    """A date as people type it in a Dutch sheet: 23-11-2026, 23/11/26, 23 november 2026, 2026-11-23.
    None when it is not understood."""
    text = text.strip().casefold()
    try:
        if match := _ISO.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := _DMY.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if (match := _WRITTEN.fullmatch(text)) and match.group(2) in _MONTHS:
            return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:  # 31-02-2026
        return None
    return None


@dataclass
class CheckedRow:
    """A row of the sheet with what it resolves to, and what is wrong with it (in Dutch)."""

    sheet: SheetRow
    problems: list[str] = field(default_factory=list)
    case_type: CaseType = CaseType.ACTIEPUNT
    #: False when the "Soort" column says something else than actiepunt or toezegging.
    kind_understood: bool = True
    owner: Organisation | None = None
    assignee_id: int | None = None
    assignee_name: str | None = None
    due_date: date | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def kind_label(self) -> str:
        return TYPE_LABELS[self.case_type]


@dataclass(frozen=True)
class _Person:
    id: int
    email: str
    name: str
    organisation_id: int
    active: bool


class _Lookups:
    """The organisations and the people the rows name, and the organisations at the body's table,
    loaded in three queries for all rows."""

    def __init__(self, rows: Sequence[SheetRow], body_id: int) -> None:
        self.organisations: dict[str, list[Organisation]] = {}
        for organisation in db.session.scalars(select(Organisation)):
            for key in {_key(organisation.name), _key(organisation.short_name)}:
                self.organisations.setdefault(key, []).append(organisation)
        self.at_table = {organisation.id for organisation in organisations_of(body_id)}
        wanted = {row.assignee.casefold() for row in rows if row.assignee}
        emails = [w for w in wanted if "@" in w]
        names = [w for w in wanted if "@" not in w]
        self.by_email: dict[str, _Person] = {}
        self.by_name: dict[str, list[_Person]] = {}
        if wanted:
            query = select(User.id, User.email, User.name, User.organisation_id, User.active).where(
                or_(User.email.in_(emails), func.lower(User.name).in_(names))
            )
            for found in db.session.execute(query):
                person = _Person(*found)
                self.by_email[person.email.casefold()] = person
                self.by_name.setdefault(_key(person.name), []).append(person)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def check_rows(rows: Sequence[SheetRow], body_id: int) -> list[CheckedRow]:
    """Every row, for an import into the body ``body_id``, with what it resolves to and what is wrong with it."""
    lookups = _Lookups(rows, body_id)
    return [_check(row, lookups) for row in rows]


def _check(row: SheetRow, lookups: _Lookups) -> CheckedRow:
    checked = CheckedRow(sheet=row)
    problems = checked.problems
    if not row.title:
        problems.append(_("De titel is leeg."))
    elif len(row.title) > TITLE_MAX:
        problems.append(_("De titel is te lang: hoogstens %(max)s tekens.", max=TITLE_MAX))
    if row.kind:
        kind = _KINDS.get(_key(row.kind))
        if kind is None:
            checked.kind_understood = False
            problems.append(_("Soort ‘%(kind)s’ onbekend: kies actiepunt of toezegging.", kind=row.kind))
        else:
            checked.case_type = kind
    if not row.owner:
        problems.append(_("Geen eigenaar (organisatie)."))
    else:
        matches = lookups.organisations.get(_key(row.owner), [])
        if not matches:
            problems.append(_("Organisatie ‘%(name)s’ onbekend.", name=row.owner))
        elif len({o.id for o in matches}) > 1:
            problems.append(_("Meer dan één organisatie heet ‘%(name)s’: gebruik de volledige naam.", name=row.owner))
        elif matches[0].id not in lookups.at_table:
            problems.append(
                _(
                    "%(name)s zit niet aan tafel bij dit overleg: kies een organisatie met een zetel of met leden.",
                    name=matches[0].name,
                )
            )
        else:
            checked.owner = matches[0]
    if row.assignee:
        _check_assignee(checked, row.assignee, lookups)
    if row.due:
        due = parse_date(row.due)
        if due is None:
            problems.append(
                _("Datum ‘%(text)s’ niet begrepen: schrijf dd-mm-jjjj, bijvoorbeeld 23-11-2026.", text=row.due)
            )
        elif not 2000 <= due.year < 2100:
            problems.append(_("Datum %(date)s ligt niet tussen 2000 en 2100.", date=due.strftime("%d-%m-%Y")))
        else:
            checked.due_date = due
    elif checked.case_type is CaseType.ACTIEPUNT:
        problems.append(_("Geen datum gereed: een actiepunt heeft er een nodig."))
    if len(row.source) > TITLE_MAX:
        problems.append(_("De herkomst is te lang: hoogstens %(max)s tekens.", max=TITLE_MAX))
    if len(row.description) > TEXT_MAX:
        problems.append(_("De toelichting is te lang: hoogstens %(max)s tekens.", max=format_decimal(TEXT_MAX)))
    return checked


def _check_assignee(checked: CheckedRow, text: str, lookups: _Lookups) -> None:
    owner = checked.owner
    if "@" in text:
        person = lookups.by_email.get(text.casefold())
        candidates = [person] if person is not None else []
    else:
        candidates = lookups.by_name.get(_key(text), [])
        if len(candidates) > 1 and owner is not None:
            candidates = [p for p in candidates if p.organisation_id == owner.id] or candidates
    if not candidates:
        checked.problems.append(_("Uitvoerder ‘%(name)s’ onbekend.", name=text))
        return
    if len(candidates) > 1:
        checked.problems.append(_("Meer dan één gebruiker heet ‘%(name)s’: gebruik het e-mailadres.", name=text))
        return
    person = candidates[0]
    if not person.active:
        checked.problems.append(_("Uitvoerder %(name)s is geen actieve gebruiker meer.", name=person.name))
    elif owner is not None and person.organisation_id != owner.id:
        checked.problems.append(
            _("Uitvoerder %(name)s werkt niet bij %(organisation)s.", name=person.name, organisation=owner.name)
        )
    else:
        checked.assignee_id, checked.assignee_name = person.id, person.name


# --- import, step 2 → 3: the sealed preview --------------------------------------------------------------

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


# --- import, step 3: storing -----------------------------------------------------------------------------


@service
def import_follow_ups(actor: User, body: Body, sealed: SealedImport, *, only_valid: bool) -> list[Case]:
    """Create the actions and commitments of a previewed action list, all or none.

    Every row is checked again: what was good at the preview must still be. With ``only_valid``
    the good rows are stored and the others left; without it, every row must be good.
    """
    ensure(actor, Action.MANAGE, body)
    if sealed.body_id != body.id or sealed.user_id != actor.id:
        raise DomainError(_("Deze voorvertoning hoort bij een ander overleg of een andere gebruiker."))
    check_audience(actor, sealed.audience)
    checked = check_rows(sealed.rows, body.id)
    good = [row for row in checked if row.ok]
    if [row.sheet.row for row in good] != sealed.valid:
        raise PreviewChanged(
            _("Sinds de voorvertoning is er iets veranderd. Bekijk de rijen opnieuw; er is niets opgeslagen."),
            preview_again(actor, body, sealed),
        )
    if not good:
        raise DomainError(_("Geen enkele rij is goed; er is niets opgeslagen."))
    if len(good) < len(checked) and not only_valid:
        raise DomainError(
            _(
                "Niet alle rijen zijn goed. Importeer alleen de goede rijen, "
                "of verbeter het bestand en upload het opnieuw."
            )
        )
    cases = []
    for row in good:
        assert row.owner is not None
        cases.append(
            create_follow_up(
                actor,
                body,
                case_type=row.case_type,
                title=row.sheet.title,
                owner_organisation_id=row.owner.id,
                due_date=row.due_date,
                description=row.sheet.description,
                assignee_id=row.assignee_id,
                source=row.sheet.source or None,
                audience=sealed.audience,
            )
        )
    return cases
