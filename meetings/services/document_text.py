"""The text of an uploaded document, for search.

Reading a file is the riskiest thing Regiotafel does with it: a PDF of a few kilobytes kept a reader
busy for most of a minute, a Word file of a few hundred kilobytes unpacked to gigabytes. So it never
happens in a web request, nor inside a database transaction: the scheduler reads pending documents
(``meetings.jobs.documents``) in a child process with limits on CPU time, memory and time on the clock
(``core.sandbox``, running the readers of ``core.filetext``). A document that needs more is kept all
the same, without text, and says why (``TextStatus``); search finds it by its title.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from core import sandbox
from meetings.models import TextStatus

log = logging.getLogger(__name__)

#: Documents whose text can be read, by the content type stored with them.
READABLE = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


@dataclass(frozen=True)
class Reading:
    status: TextStatus
    text: str | None = None


def limits() -> sandbox.Limits:
    """The reader's limits, from the configuration (``DOCUMENT_TEXT_*``)."""
    config = current_app.config
    return sandbox.Limits(
        cpu_seconds=int(config["DOCUMENT_TEXT_CPU_SECONDS"]),
        wall_seconds=float(config["DOCUMENT_TEXT_WALL_SECONDS"]),
        memory_bytes=int(config["DOCUMENT_TEXT_MEMORY_MB"]) * 1024 * 1024,
    )


def read_text(content_type: str, content: bytes) -> Reading:
    """Read a document's text in a limited child process: the text, or why there is none."""
    extension = READABLE.get(content_type)
    if extension is None:
        return Reading(TextStatus.NIET_ONDERSTEUND)
    max_unpacked = str(current_app.config["MAX_DOCUMENT_UNPACKED_BYTES"])
    result = sandbox.run("core.filetext:text_of", content, limits(), extension, max_unpacked)
    if result.outcome is sandbox.Outcome.TOO_HEAVY:
        log.warning("tekst van %s-document te zwaar om te lezen: %s", extension, result.detail)
        return Reading(TextStatus.TE_ZWAAR)
    if result.outcome is sandbox.Outcome.FAILED:
        log.info("tekst van %s-document niet te lezen: %s", extension, result.detail)
        return Reading(TextStatus.ONLEESBAAR)
    text = result.output.decode("utf-8", "replace")
    return Reading(TextStatus.GELEZEN, text) if text else Reading(TextStatus.GEEN_TEKST)
