"""A zip is opened only when what it says it unpacks to is within bounds; nothing is unpacked before."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as DocxDocument

from core.archive import MAX_MEMBERS, ArchiveTooLarge, open_archive, read_member

MB = 1024 * 1024


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_word_file_opens_and_its_members_can_be_read():
    buffer = io.BytesIO()
    word = DocxDocument()
    word.add_paragraph("Netcongestie in de Brainportregio")
    word.save(buffer)
    with open_archive(buffer.getvalue(), max_unpacked=10 * MB) as archive:
        assert b"Netcongestie" in read_member(archive, "word/document.xml", limit=MB)


def test_a_member_that_unpacks_beyond_the_ratio_is_refused():
    bomb = zipped({"word/document.xml": b"\0" * (20 * MB)})  # about 1000 times its packed size
    with pytest.raises(ArchiveTooLarge, match=r"document\.xml"), open_archive(bomb, max_unpacked=100 * MB):
        pass


def test_small_members_may_pack_tightly_but_not_many_together_beyond_the_total():
    tight = zipped({f"part{i}.xml": b" " * 50_000 for i in range(10)})  # each far over the ratio, but small
    with open_archive(tight, max_unpacked=MB) as archive:
        assert len(archive.namelist()) == 10
    with pytest.raises(ArchiveTooLarge, match="more than"), open_archive(tight, max_unpacked=400_000):
        pass


def test_members_that_do_not_pack_count_against_the_total():
    stored = zipped({"media/a.bin": b"x" * 300_000, "media/b.bin": b"y" * 300_000}, zipfile.ZIP_STORED)
    with pytest.raises(ArchiveTooLarge), open_archive(stored, max_unpacked=500_000):
        pass


def test_an_archive_of_too_many_members_is_refused_before_its_directory_is_read(monkeypatch):
    many = zipped({f"{i}": b"" for i in range(MAX_MEMBERS + 1)}, zipfile.ZIP_STORED)

    def no_directory_reading(*_args, **_kwargs):
        raise AssertionError("zipfile read the central directory")

    monkeypatch.setattr(zipfile.ZipFile, "__init__", no_directory_reading)
    with pytest.raises(ArchiveTooLarge, match="members"), open_archive(many, max_unpacked=100 * MB):
        pass


def test_a_member_is_read_only_up_to_its_limit_even_when_it_understates_its_size():
    content = zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})
    with open_archive(content, max_unpacked=MB) as archive:
        with pytest.raises(ArchiveTooLarge):
            read_member(archive, "mimetype", limit=10)
        # A directory that lies: the member says 10 bytes but holds more. zipfile stops at what the
        # member declares, so the bound holds (and the checksum then fails).
        archive.getinfo("mimetype").file_size = 10
        with pytest.raises((ArchiveTooLarge, zipfile.BadZipFile)):
            read_member(archive, "mimetype", limit=10)


def test_what_is_no_zip_is_no_archive():
    with pytest.raises(zipfile.BadZipFile), open_archive(b"PK\x03\x04 not really", max_unpacked=MB):
        pass
