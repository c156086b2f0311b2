"""Opening uploaded zip archives (Word, Excel, PowerPoint and OpenDocument files are zips) so that
none can unpack into more than it may.

A few hundred kilobytes of zip can unpack to gigabytes. Every member says in the archive's central
directory how large it unpacks to, and Python's zipfile never hands out more than a member declares
(it stops there and reports a bad checksum). So ``open_archive`` checks the declared sizes before any
reader sees a member: how many members there are, each member's ratio of unpacked to packed size, and
all members together; ``read_member`` reads one member with a bound of its own. Uploads, the Excel
import and the text reader all open archives here, with their own bound on the total.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

#: A member may unpack to at most this many times its packed size. Office XML packs ten to thirty
#: times, images not at all; a zip bomb hundreds to a thousand times. (Apache POI uses the same bound.)
MAX_RATIO = 100
#: Members up to this size may have any ratio (a ``mimetype`` entry, an empty part).
RATIO_GRACE = 100 * 1024
#: Members at most; a real office file has tens to a few thousand. The central directory of
#: hundreds of thousands of tiny members would itself fill the memory before anything is read.
MAX_MEMBERS = 10_000

_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"


class ArchiveTooLarge(ValueError):
    """The archive unpacks, or says it unpacks, to more than it may; nothing has been unpacked."""


@contextmanager
def open_archive(content: bytes, *, max_unpacked: int) -> Iterator[zipfile.ZipFile]:
    """The zip archive in ``content``, once its declared sizes are within bounds.

    Raises ``ArchiveTooLarge`` for a bomb and ``zipfile.BadZipFile`` for what is no zip.
    """
    # Every member has an entry in the central directory, and every entry starts with this
    # signature: counting it bounds the members before zipfile builds an object for each.
    if content.count(_CENTRAL_DIRECTORY_ENTRY) > MAX_MEMBERS:
        raise ArchiveTooLarge(f"more than {MAX_MEMBERS} members")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        check_sizes(archive.infolist(), max_unpacked=max_unpacked)
        yield archive


def check_sizes(members: list[zipfile.ZipInfo], *, max_unpacked: int) -> None:
    """Refuse members that unpack too far, one by one or together."""
    if len(members) > MAX_MEMBERS:
        raise ArchiveTooLarge(f"{len(members)} members")
    total = 0
    for info in members:
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ArchiveTooLarge(f"{info.filename!r} unpacks {info.file_size} bytes from {info.compress_size}")
        total += info.file_size
        if total > max_unpacked:
            raise ArchiveTooLarge(f"the members unpack to more than {max_unpacked} bytes")


def read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """One member's content, refused when it is (or turns out to be) larger than ``limit`` bytes."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ArchiveTooLarge(f"{name!r} unpacks to {info.file_size} bytes, more than {limit}")
    with archive.open(info) as member:
        content = member.read(limit + 1)
    if len(content) > limit:
        raise ArchiveTooLarge(f"{name!r} unpacks to more than {limit} bytes")
    return content
