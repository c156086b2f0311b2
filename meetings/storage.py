"""Uploaded files: what may be uploaded, and where their content lives (the database, by SHA-256).

The content goes into ``stored_files`` in the transaction that records its document or attachment:
a failed upload leaves neither, a backup of the database holds both, and every web node serves every
upload. Content-addressed, a write is idempotent: the same file uploaded again is kept once.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import LargeBinary, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, OperationalError

from core.archive import ArchiveTooLarge, open_archive, read_member
from core.db import is_storage_full, utcnow
from core.errors import DomainError
from core.extensions import db
from meetings.models import StoredFile


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


_OOXML = {
    "docx": ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "pptx": (
        "ppt/",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
    ),
}
_ODF = {
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument-tekst"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument-rekenblad"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "OpenDocument-presentatie"),
}
ALLOWED_EXTENSIONS = ("pdf", *_OOXML, *_ODF)
#: The longest ``mimetype`` entry read from an OpenDocument file (its content type is shorter).
_MIMETYPE_MAX = 100


def sniff(filename: str, content: bytes, *, max_unpacked: int | None = None) -> FileType:
    """The type of an upload, judged by its content *and* its name; a mismatch is refused.

    A zip (Word, Excel, PowerPoint, OpenDocument) is refused too when it would unpack to more than
    ``max_unpacked`` bytes (``MAX_DOCUMENT_UNPACKED_BYTES``), before any of it is unpacked.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = ", ".join(e.upper() for e in ALLOWED_EXTENSIONS)
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(_("Dit soort bestand kan niet. Toegestaan zijn: %(allowed)s.", allowed=allowed), field="file")
    mismatch = DomainError(
        _(
            "De inhoud van dit bestand past niet bij de extensie .%(extension)s. Toegestaan zijn: %(allowed)s.",
            extension=extension,
            allowed=allowed,
        ),
        field="file",
    )
    if extension == "pdf":
        if not content.startswith(b"%PDF-"):
            raise mismatch
        return FileType("pdf", "application/pdf", "PDF")
    if not content.startswith(b"PK\x03\x04"):
        raise mismatch
    try:
        with open_archive(content, max_unpacked=max_unpacked or max_unpacked_bytes()) as archive:
            names = archive.namelist()
            if extension in _OOXML:
                prefix, content_type, label = _OOXML[extension]
                if "[Content_Types].xml" not in names or not any(n.startswith(prefix) for n in names):
                    raise mismatch
                return FileType(extension, content_type, label)
            content_type, label = _ODF[extension]
            if "mimetype" not in names:
                raise mismatch
            try:
                declared = read_member(archive, "mimetype", limit=_MIMETYPE_MAX)
            except ArchiveTooLarge as exc:  # the entry holds one short content type and nothing else
                raise mismatch from exc
            if declared.decode("ascii", "replace").strip() != content_type:
                raise mismatch
            return FileType(extension, content_type, label)
    except ArchiveTooLarge as exc:
        raise DomainError(
            _(
                "Dit bestand pakt uit tot meer dan Regiotafel veilig kan lezen (zoals een zipbom); het is niet "
                "opgeslagen. Sla het document opnieuw op in het programma waarmee het is gemaakt, of kies een PDF."
            ),
            field="file",
        ) from exc
    # What a damaged zip makes zipfile raise: a broken directory, a broken stream, a method or an
    # encryption it cannot read.
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise mismatch from exc


@dataclass(frozen=True)
class Upload:
    """One file of an upload, as the form received it; ``title`` None when none was typed."""

    filename: str
    content: bytes
    title: str | None = None

    @property
    def default_title(self) -> str:
        """The file's name without its extension (and without a folder some browsers send along)."""
        name = self.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return stem.strip()[:200] or name[:200]


def safe_filename(filename: str, file_type: FileType) -> str:
    """The name a stored file is offered under again: no folders, at most 200 characters."""
    return filename.replace("/", "_").replace("\\", "_").strip()[:200] or f"document.{file_type.extension}"


def check_uploads(uploads: list[Upload], *, field: str = "file") -> list[FileType]:
    """Check every file of an upload before any is stored: not empty, not too large, of an allowed type
    by content and name, no zip bomb. A refusal names the file, next to ``field``; nothing is kept."""
    limit = max_files()
    if not uploads:
        raise DomainError(_("Kies een bestand."), field=field)
    if len(uploads) > limit:
        raise DomainError(
            _("Kies hoogstens %(n)s bestanden tegelijk; u koos er %(m)s.", n=limit, m=len(uploads)), field=field
        )
    types = []
    for upload in uploads:
        try:
            check_size(upload.content)
            types.append(sniff(upload.filename, upload.content))
        except DomainError as exc:
            raise DomainError(f"{upload.filename}: {exc.message}", field=field) from exc
    return types


def max_files() -> int:
    return int(current_app.config["MAX_UPLOAD_FILES"])


def max_bytes() -> int:
    return int(current_app.config["MAX_DOCUMENT_BYTES"])


def max_unpacked_bytes() -> int:
    return int(current_app.config["MAX_DOCUMENT_UNPACKED_BYTES"])


def check_size(content: bytes) -> None:
    limit = max_bytes()
    if not content:
        raise DomainError(_("Dit bestand is leeg."), field="file")
    if len(content) > limit:
        raise DomainError(
            _(
                "Dit bestand is %(size)s MB; hoogstens %(limit)s MB mag.",
                size=format_decimal(len(content) / 1048576, "0.0"),
                limit=format_decimal(limit / 1048576, "0"),
            ),
            field="file",
        )


#: A download leaves in pieces of this size: a worker holds one piece of a file, not all of it.
PIECE = 1024 * 1024


def store(content: bytes, *, field: str = "file") -> str:
    """Keep ``content`` (once) in the transaction at hand, the one that records its document, and
    return its SHA-256. Two uploads of the same new file at once both succeed: the second insert
    finds the first's row (on PostgreSQL it waits for the first transaction to end) and adds nothing.

    A database that refuses the bytes because it is full (its disk, or a limit) refuses the upload with a
    message next to ``field``; the service around it then stores nothing of it."""
    digest = hashlib.sha256(content).hexdigest()
    if db.session.scalar(select(StoredFile.size).where(StoredFile.sha256 == digest)) is not None:
        return digest  # kept already: no need to send the bytes to the database again
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    try:
        # In a savepoint of its own: PostgreSQL refuses every further statement of a transaction in
        # which one failed, and the service must still be able to take back what it wrote before.
        with db.session.begin_nested():
            db.session.execute(
                insert(StoredFile)
                .values(sha256=digest, content=content, size=len(content), created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
    except (OperationalError, DataError) as exc:
        if not is_storage_full(exc):
            raise
        raise DomainError(
            _(
                "De opslag van Regiotafel is vol: dit bestand kon niet worden bewaard. Er is niets opgeslagen. "
                "Probeer het later opnieuw of meld het aan beheer."
            ),
            field=field,
        ) from exc
    return digest


def read(sha256: str) -> bytes | None:
    """The content kept under ``sha256``; None when there is none (a file that was already missing
    when the documents moved from the instance folder into the database)."""
    return db.session.scalar(select(StoredFile.content).where(StoredFile.sha256 == sha256))


def is_stored(sha256: str) -> bool:
    """Whether content is kept under ``sha256``, without reading it."""
    return db.session.scalar(select(StoredFile.size).where(StoredFile.sha256 == sha256)) is not None


def open_pieces(sha256: str) -> tuple[int, Iterator[bytes]] | None:
    """The size of the content under ``sha256`` and its bytes in pieces of ``PIECE``, read as they are
    sent, in the session's transaction (the caller keeps its context until the last piece); None when
    there is none. SQLite reads the blob incrementally; PostgreSQL a ``substr`` per piece."""
    size = db.session.scalar(select(StoredFile.size).where(StoredFile.sha256 == sha256))
    if size is None:
        return None
    if db.session.get_bind().dialect.name == "sqlite":
        return size, _sqlite_pieces(sha256)
    return size, _substring_pieces(sha256, size)


def _sqlite_pieces(sha256: str) -> Iterator[bytes]:
    connection = db.session.connection()
    rowid = connection.scalar(
        select(literal_column("rowid")).select_from(StoredFile.__table__).where(StoredFile.sha256 == sha256)
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.blobopen("stored_files", "content", rowid, readonly=True) as blob:
        while piece := blob.read(PIECE):
            yield piece


def _substring_pieces(sha256: str, size: int) -> Iterator[bytes]:
    for start in range(0, size, PIECE):
        piece = db.session.scalar(
            select(func.substr(StoredFile.content, start + 1, PIECE, type_=LargeBinary)).where(
                StoredFile.sha256 == sha256
            )
        )
        if piece is None:
            return
        yield piece
