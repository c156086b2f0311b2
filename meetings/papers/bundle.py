"""The vergaderbundel of a meeting as one reader may read it: the agenda, then every document that
reader may see, in agenda order.

Builds the content model that ``meetings.papers.bundle_pdf`` renders, from the same reads as the meeting page
(``agenda_of``, already filtered by the policy) and numbered as the reader sees the agenda
(``numbering``): a Rijk-only document is simply not there for the regio, not in the table of contents,
not in the outline, not in the page count, not in the zip. A bundle that waits for the agenda's
publication is the secretariat's alone, like the concept agenda.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from auth.models import User
from core.dates import AMSTERDAM
from core.downloads import filename_for
from meetings.models import Document, Meeting
from meetings.papers.pdf import MEETING_DOCUMENTS, Paper
from meetings.papers.reading import agenda_paper
from meetings.services.agenda import agenda_of
from meetings.services.numbering import numbering

#: Raise when the bundle's layout changes, so that bundles made before are not served from the cache.
FORMAT = 1

_KINDS = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
    "odt": "OpenDocument-tekst",
    "ods": "OpenDocument-rekenblad",
    "odp": "OpenDocument-presentatie",
}


@dataclass(frozen=True)
class BundleDocument:
    """One document in the bundle, as its reader may see it."""

    id: int
    title: str
    #: The name it has in the zip and on download: its title, with its own extension.
    filename: str
    #: "pdf", "docx", …; a PDF goes into the bundle itself, anything else only into the zip.
    extension: str
    #: "PDF", "Word", "Excel", …
    kind: str
    size: int
    #: Its content's SHA-256: where storage keeps it, and part of the cache key.
    sha256: str
    uploaded_at: datetime

    @property
    def is_pdf(self) -> bool:
        return self.extension == "pdf"


@dataclass(frozen=True)
class BundleSection:
    """The documents of one agenda item (``number`` as the reader sees it), or of the meeting as a
    whole (``number`` None)."""

    number: str | None
    title: str
    documents: tuple[BundleDocument, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(frozen=True)
class Bundle:
    """One meeting's bundle for one reader: the reader's agenda and the documents the reader may see."""

    body: str
    meeting: str
    #: ``vergaderbundel-bo-brainport-2023-03-14``: the file name of the PDF and the zip, without extension.
    name: str
    agenda: Paper
    sections: tuple[BundleSection, ...]
    #: The meeting's kenmerk, in every page's footer; None when it has none.
    reference: str | None = None

    @property
    def title(self) -> str:
        return _("Vergaderbundel")

    @property
    def documents(self) -> list[tuple[BundleSection, BundleDocument]]:
        return [(section, document) for section in self.sections for document in section.documents]

    def key(self, **settings: object) -> str:
        """A digest of everything the bundle is made of, for the cache: the reader's agenda, which
        documents the reader sees (by id and content hash), their titles and numbers, the language and
        ``settings`` (the limits). Two readers share a cached bundle only when theirs would be the same."""
        content = {
            "format": FORMAT,
            "locale": str(get_locale() or "nl"),
            "settings": settings,
            "bundle": asdict(self),
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _document(document: Document) -> BundleDocument:
    extension = document.extension.lower()
    return BundleDocument(
        id=document.id,
        title=document.title,
        filename=filename_for(document.title, extension),
        extension=extension,
        kind=_KINDS.get(extension, extension.upper()),
        size=document.size,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
    )


def bundle_of(user: User, meeting: Meeting) -> Bundle:
    """The bundle ``user`` may read: first the documents of the meeting as a whole, then per agenda
    item, in agenda order, the item's documents. Items without documents are there too (the table of
    contents lists the whole agenda). ``NotVisible`` while the agenda waits for publication, for
    everyone but the secretariat, as ``agenda_paper`` decides."""
    paper = agenda_paper(user, meeting)
    view = agenda_of(user, meeting)
    numbers = numbering(user, meeting.id)
    sections = []
    if view.meeting_documents:
        sections.append(
            BundleSection(None, str(MEETING_DOCUMENTS), tuple(_document(d) for d in view.meeting_documents))
        )
    for item in view.items:
        documents = tuple(_document(d) for d in view.documents_by_item.get(item.id, []))
        sections.append(BundleSection(numbers.item(item), item.title, documents))
    day = meeting.starts_at.astimezone(AMSTERDAM)
    return Bundle(
        body=meeting.cycle.body.name,
        meeting=meeting.title,
        name=f"vergaderbundel-{meeting.cycle.body.slug}-{day:%Y-%m-%d}",
        agenda=paper,
        sections=tuple(sections),
        reference=meeting.kenmerk,
    )
