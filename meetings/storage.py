"""Where uploaded documents live: files under the instance folder, named by their SHA-256.

Content-addressed storage makes a write idempotent: if the database transaction that records a
document fails, the file left behind is harmless, and a second upload of the same file reuses it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from core.archive import ArchiveTooLarge, open_archive, read_member
from core.errors import DomainError


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


def _root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(sha256: str) -> Path:
    return _root() / sha256[:2] / sha256


def store(content: bytes) -> str:
    """Write the content (once) and return its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write aside and rename, so a crash never leaves a half-written file under the real name.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, target)
    return digest
