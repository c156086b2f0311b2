"""Tables people take away: .xlsx and CSV the way Dutch Excel opens them, safe to open.

A table is columns and rows of plain values (text, numbers, dates, yes/no). The .xlsx has a bold,
frozen header row with a filter, set column widths and dates as real dates; the CSV is UTF-8 with a
byte order mark and ``;`` between the fields, which is what Excel in a Dutch locale expects.

Text that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-`` or ``@``, or a
tab or carriage return before one) gets a leading apostrophe in both formats: a title such as
``=HYPERLINK("http://…")`` typed by one user must not run in another user's Excel (OWASP "CSV
injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Response, send_file
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")

#: What makes a spreadsheet read a cell as a formula (or hide one behind a tab or line break).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DATE_FORMAT = "dd-mm-yyyy"


@dataclass(frozen=True)
class Column:
    #: The header, in Dutch (a lazy string is fine).
    title: Any
    #: Width in Excel's character units.
    width: int = 18
    #: Long text: wrapped in the .xlsx.
    wrap: bool = False


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]


def safe_text(value: str) -> str:
    """``value``, with an apostrophe in front when a spreadsheet would take it for a formula."""
    # Excel skips leading blanks and line breaks before it looks for a formula.
    formula = value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START)
    return "'" + value if formula else value


def _plain(value: Any, *, xlsx: bool = False) -> Any:
    """A cell's value: text made safe, yes/no in Dutch, dates and numbers as they are."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date | int | float):
        return value
    text = str(value)
    if xlsx:
        # Control characters are not allowed in the file; drop them before judging the first one.
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return safe_text(text)


def to_xlsx(table: Table) -> bytes:
    """The table as an .xlsx workbook of one sheet."""
    book = Workbook(write_only=True)
    book.properties.creator = "Regiotafel"
    sheet = book.create_sheet(_sheet_title(table.sheet))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=_plain(column.title, xlsx=True))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            plain = _plain(value, xlsx=True)
            cell = WriteOnlyCell(sheet, value=plain)
            if isinstance(plain, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl makes of the text
            elif isinstance(plain, date):
                cell.number_format = _DATE_FORMAT
            if column.wrap:
                cell.alignment = wrapped
            cells.append(cell)
        sheet.append(cells)
    last = get_column_letter(max(1, len(table.columns)))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(table: Table) -> bytes:
    """The table as CSV for Dutch Excel: UTF-8 with BOM, ``;`` between fields, dates as dd-mm-jjjj."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_text(str(column.title)) for column in table.columns])
    writer.writerows(_csv_row(row) for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_row(row: Iterable[Any]) -> list[str]:
    cells = []
    for value in row:
        plain = _plain(value)
        if plain is None:
            cells.append("")
        elif isinstance(plain, date):
            cells.append(plain.strftime("%d-%m-%Y"))
        else:
            cells.append(str(plain))
    return cells


def download(table: Table, basename: str, fmt: str) -> Response:
    """The table as a file to save: ``basename.xlsx`` or ``basename.csv``."""
    if fmt == "xlsx":
        content, mimetype = to_xlsx(table), XLSX_TYPE
    elif fmt == "csv":
        content, mimetype = to_csv(table), CSV_TYPE
    else:
        raise ValueError(f"unknown format {fmt!r}")
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=f"{basename}.{fmt}")
    response.headers["Cache-Control"] = "no-store"  # what one reader may see, no shared cache keeps
    return response


def _sheet_title(title: str) -> str:
    """Excel allows 31 characters and none of ``[]:*?/\\`` in a sheet's name."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Blad1"
