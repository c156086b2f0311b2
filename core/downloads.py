"""The names under which files leave Regiotafel: readable, safe on every file system, never a header break.

A download is named after what people call the thing (a document's title, not the name the file had on
the uploader's computer). The title is typed text: it may hold a slash, a colon, quotes, a line break
or characters outside ASCII. Werkzeug writes the ``Content-Disposition`` header with an ASCII
``filename`` and, when needed, an RFC 6266 ``filename*`` in UTF-8; here the name is made fit to be one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from flask import Response, request, stream_with_context

#: Characters Windows, macOS or a zip reader refuse or read as a path, and every control character.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_SPACES = re.compile(r"\s+")
#: Names Windows keeps for devices: ``CON.pdf`` cannot be saved there.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
)
#: Short enough for every file system (255 bytes) with room for a number in front and the extension.
MAX_STEM = 120


def filename_for(title: str, extension: str, *, fallback: str = "document") -> str:
    """``title`` as a file name with ``extension`` (without the dot): unsafe characters become a
    space, white space is folded, and an empty or reserved result gives ``fallback``."""
    stem = unicodedata.normalize("NFC", title).replace(":", " -")  # "Inbreng regio: positie" reads on
    stem = _SPACES.sub(" ", _UNSAFE.sub(" ", stem)).strip(" .")
    if len(stem) > MAX_STEM:
        stem = stem[:MAX_STEM].rstrip(" .")
    if not stem or stem.upper() in _RESERVED:
        stem = fallback
    extension = re.sub(r"[^A-Za-z0-9]", "", extension).lower()
    return f"{stem}.{extension}" if extension else stem


def streamed(
    pieces: Iterator[bytes], *, size: int, mimetype: str, download_name: str, as_attachment: bool, etag: str
) -> Response:
    """A download sent as ``pieces`` come, with the request's context kept until the last one (they are
    read from the database in its session); headers as ``send_file`` writes them, and a 304 for a
    browser that has this ``etag`` already."""
    response = Response(stream_with_context(pieces), mimetype=mimetype, direct_passthrough=True)
    response.content_length = size
    try:
        download_name.encode("ascii")
        names = {"filename": download_name}
    except UnicodeEncodeError:  # an ASCII name for old clients, the real one in RFC 6266's filename*
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple, "filename*": f"UTF-8''{quote(download_name, safe='!#$&+-.^_`|~')}"}
    response.headers.set("Content-Disposition", "attachment" if as_attachment else "inline", **names)
    response.set_etag(etag)
    response.make_conditional(request)
    return response
