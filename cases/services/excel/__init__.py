"""Action lists in Excel: a body's actions and commitments to take away (.xlsx, CSV: ``export``), and an
existing action list (.xlsx) brought in (``reader``, ``checks``, ``preview``, ``importer``).

The import runs in three steps and stores nothing before the last one:

1. ``read_sheet`` reads the first worksheet of the upload: it finds the header row, recognises the
   columns by their usual names ("Actie", "Titel" or "Omschrijving"; "Eigenaar" or "Organisatie";
   "Deadline", "Datum" or "Gereed op"; …) and takes the rows below it as text.
2. ``preview_import`` checks every row (organisation known and at the body's table, date understood,
   assignee working at that organisation, …) and seals the rows into a signed, compressed payload,
   so the page can carry them to the last step without anything kept on the server.
3. ``import_follow_ups`` opens the payload again (refusing a changed or stale one), checks every
   row again, and creates the actions through ``create_follow_up`` in one transaction, so each is
   audited and planned like any other, and a failure leaves none stored.
"""

from cases.services.excel.checks import CheckedRow, check_rows, parse_date
from cases.services.excel.export import actions_filename, actions_table
from cases.services.excel.importer import import_follow_ups
from cases.services.excel.preview import (
    IMPORT_AUDIENCES,
    PREVIEW_MAX_AGE,
    Preview,
    PreviewChanged,
    SealedImport,
    open_preview,
    preview_again,
    preview_import,
)
from cases.services.excel.reader import (
    FIELD_NAMES,
    HEADERS,
    MAX_IMPORT_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    REQUIRED,
    Sheet,
    SheetRow,
    import_template,
    normalise_header,
    read_sheet,
)

__all__ = [
    "FIELD_NAMES",
    "HEADERS",
    "IMPORT_AUDIENCES",
    "MAX_IMPORT_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "PREVIEW_MAX_AGE",
    "REQUIRED",
    "CheckedRow",
    "Preview",
    "PreviewChanged",
    "SealedImport",
    "Sheet",
    "SheetRow",
    "actions_filename",
    "actions_table",
    "check_rows",
    "import_follow_ups",
    "import_template",
    "normalise_header",
    "open_preview",
    "parse_date",
    "preview_again",
    "preview_import",
    "read_sheet",
]
