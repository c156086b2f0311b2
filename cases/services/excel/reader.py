"""Import, step 1: reading the first worksheet of an uploaded action list, and the empty list the upload page offers."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from core.archive import ArchiveTooLarge, open_archive
from core.errors import DomainError
from core.forms import TEXT_MAX, TITLE_MAX
from core.spreadsheet import Column, Table
from meetings.storage import sniff

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
