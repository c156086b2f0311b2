"""The Woo and archive package of a meeting: what may be published, each file with its DiWoo record.

One zip: the agenda, the adopted besluitenlijst and the list of actions and commitments as PDF, and
the meeting's documents, each followed by a ``.diwoo.xml`` metadata record that validates against
DiWoo 0.9.8, plus ``inhoud.json`` listing every file with its SHA-256. Only what is publishable goes
in (``auth.policy.publishable``: audience openbaar, on a published agenda, from an adopted
besluitenlijst); the secretariat sees no more in it than the public will.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.models import Organisation as OrganisationRow
from auth.policy import publishable, publishes_agenda
from core.dates import AMSTERDAM, now, show_date
from core.errors import DomainError, NotPermitted
from core.extensions import db
from core.labels import label
from core.signals import answer
from meetings import signals, storage
from meetings.models import AgendaItem, Decision, Document, Meeting, ReviewStatus, Seat
from meetings.papers import pdf as papers
from meetings.papers.reading import (
    agenda_status,
    agenda_title,
    attendance_lines,
    besluitenlijst_status,
    besluitenlijst_title,
    meeting_facts,
)
from meetings.services.cycles import attendance_rows
from meetings.woo import diwoo


@dataclass(frozen=True)
class PackageFile:
    name: str
    content: bytes
    record: diwoo.Record


def kenmerk(meeting: Meeting) -> str:
    """The meeting's kenmerk; without one, the package's own reference (body and day), because an
    archived package must carry one. A reader's papers never make one up (``services.papers``)."""
    return meeting.kenmerk or f"{meeting.cycle.body.slug.upper()}/{meeting.starts_at.astimezone(AMSTERDAM):%Y%m%d}"


def _organisations(meeting: Meeting) -> tuple[diwoo.Organisation, list[diwoo.Organisation]]:
    """The publisher (the chair's organisation) and the other governments at the table."""
    seats = db.session.scalars(
        select(Seat).where(Seat.body_id == meeting.body_id).order_by(Seat.is_chair.desc(), Seat.position)
    ).all()
    known = [s.organisation for s in seats if s.organisation.tooi_uri]
    if not known:
        raise DomainError(
            _("Geen organisatie aan tafel heeft een TOOI-identificatie; vul die in bij beheer (organisaties).")
        )
    publisher = _tooi(known[0])
    others: list[diwoo.Organisation] = []
    for organisation in known[1:]:
        entry = _tooi(organisation)
        if entry != publisher and entry not in others:
            others.append(entry)
    return publisher, others


def _tooi(organisation: OrganisationRow) -> diwoo.Organisation:
    return diwoo.Organisation(uri=organisation.tooi_uri or "", name=organisation.name)


def _paper(meeting: Meeting, title: str, status: str, empty: str, **content: Any) -> papers.Paper:
    """A paper for the public, laid out as a reader's paper is (``meetings.papers.reading``)."""
    return papers.Paper(
        title=title,
        body=meeting.cycle.body.name,
        meeting=meeting.title,
        facts=meeting_facts(meeting, status=status, kenmerk=kenmerk(meeting)),
        empty=empty,
        reference=kenmerk(meeting),
        **content,
    )


def _agenda_items(items: list[AgendaItem], documents: dict[int, list[Document]]) -> tuple[papers.PaperItem, ...]:
    """The publishable items with their official numbers: a publication shows where it withholds."""
    return tuple(
        papers.PaperItem(
            number=item.number,
            title=item.title,
            kind=label(item.kind),
            submitter=item.organisation.name if item.organisation else None,
            description=item.description,
            documents=tuple(d.title for d in documents.get(item.id, [])),
        )
        for item in items
    )


def _decided_items(
    items: list[AgendaItem],
    decisions: dict[int, list[Decision]],
    follow_ups: dict[int, list[papers.FollowUpLine]],
) -> tuple[papers.PaperItem, ...]:
    return tuple(
        papers.PaperItem(
            number=item.number,
            title=item.title,
            kind=label(item.kind),
            decisions=tuple(
                papers.PaperDecision(
                    number=d.number_in(item),
                    text=d.text,
                    actions=tuple(_action(line) for line in follow_ups.get(d.id, [])),
                )
                for d in decisions[item.id]
            ),
        )
        for item in items
        if decisions.get(item.id)
    )


def _action(line: papers.FollowUpLine) -> papers.PaperAction:
    return papers.PaperAction(
        kind=line.kind, title=f"{line.reference} {line.title}", owner=line.owner, due=line.due, status=line.status
    )


def build(meeting: Meeting) -> tuple[bytes, list[PackageFile]]:
    """The package of a meeting whose agenda is published; the zip, and what it holds."""
    # A publication is in Dutch, whatever language the secretary who makes it reads.
    with force_locale("nl"):
        return _build(meeting)


def _build(meeting: Meeting) -> tuple[bytes, list[PackageFile]]:
    if not publishes_agenda(meeting):
        raise NotPermitted(obj=meeting)
    if not meeting.agenda_published:
        raise DomainError(_("Het Woo-pakket volgt op een gepubliceerde agenda."))
    publisher, others = _organisations(meeting)
    base = f"regiotafel:vergaderingen/{meeting.id}"
    part_of = (base, meeting.title)
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, publishable(AgendaItem))
            .options(joinedload(AgendaItem.organisation), joinedload(AgendaItem.theme))
            .order_by(AgendaItem.position)
        )
    )
    item_ids = {item.id for item in items}
    documents: dict[int, list[Document]] = defaultdict(list)
    for document in db.session.scalars(
        select(Document).where(Document.meeting_id == meeting.id, publishable(Document)).order_by(Document.id)
    ):
        if document.agenda_item_id in item_ids:
            documents[document.agenda_item_id].append(document)
    adopted = meeting.besluitenlijst_status is ReviewStatus.VASTGESTELD
    decisions: dict[int, list[Decision]] = defaultdict(list)
    if adopted:
        for decision in db.session.scalars(
            select(Decision)
            .where(Decision.meeting_id == meeting.id, publishable(Decision), Decision.agenda_item_id.in_(item_ids))
            .order_by(Decision.sequence)
        ):
            decisions[decision.agenda_item_id].append(decision)
    follow_ups: dict[int, list[papers.FollowUpLine]] = defaultdict(list)
    for answered in answer(signals.public_follow_ups, meeting):
        for decision_id, lines in answered.items():
            follow_ups[decision_id].extend(lines)

    themes = sorted({(i.theme.tooi_uri, i.theme.name) for i in items if i.theme and i.theme.tooi_uri})
    keywords = [meeting.cycle.body.name, *sorted({i.theme.name for i in items if i.theme})]
    files: list[PackageFile] = []

    def meeting_record(
        name: str,
        title: str,
        document_type: str,
        fixed_at: datetime,
        *,
        themes: list[tuple[str, str]] | None = None,
        description: str | None = None,
    ) -> diwoo.Record:
        """The record of a paper the meeting itself fixes (vaststelt) at ``fixed_at``, made here as a PDF."""
        return diwoo.Record(
            identifier=f"{base}/{name}",
            title=f"{title} {meeting.title}",
            description=description,
            publisher=publisher,
            co_responsible=others,
            document_type=document_type,
            created=fixed_at.astimezone(AMSTERDAM).date(),
            content_type="application/pdf",
            actions=[("vaststelling", fixed_at)],
            themes=themes or [],
            keywords=keywords,
            part_of=part_of,
        )

    published_at = meeting.agenda_published_at or now()
    files.append(
        PackageFile(
            "agenda.pdf",
            papers.to_pdf(
                _paper(
                    meeting,
                    agenda_title(meeting),
                    agenda_status(meeting),
                    _("Er zijn geen agendapunten om te tonen."),
                    items=_agenda_items(items, documents),
                )
            ),
            meeting_record("agenda", "Agenda", "agenda", published_at, themes=themes),
        )
    )
    if adopted and meeting.besluitenlijst_adopted_at is not None:
        adopted_at = meeting.besluitenlijst_adopted_at
        files.append(
            PackageFile(
                "besluitenlijst.pdf",
                papers.to_pdf(
                    _paper(
                        meeting,
                        besluitenlijst_title(meeting),
                        besluitenlijst_status(meeting),
                        _("Er zijn geen besluiten om te tonen."),
                        items=_decided_items(items, decisions, follow_ups),
                        # A publication names the functions at the table, not the people in them.
                        attendance=attendance_lines(attendance_rows(meeting), names=False),
                    )
                ),
                meeting_record("besluitenlijst", "Besluitenlijst", "besluitenlijst", adopted_at, themes=themes),
            )
        )
    moment = now()
    lines = [line for decision_lines in follow_ups.values() for line in decision_lines]
    files.append(
        PackageFile(
            "acties-en-toezeggingen.pdf",
            papers.follow_ups(
                _paper(
                    meeting,
                    _("Acties en toezeggingen"),
                    _("stand van %(date)s", date=show_date(moment)),
                    _("Er zijn geen acties of toezeggingen om te tonen."),
                    items=(),
                ),
                lines,
            ),
            meeting_record(
                f"acties-{moment:%Y%m%d}",
                "Acties en toezeggingen",
                "vergaderstuk",
                moment,
                description="Stand van de acties en toezeggingen uit de vergadering op de datum van vaststelling.",
            ),
        )
    )
    for item in items:
        for n, document in enumerate(documents.get(item.id, []), start=1):
            content = storage.read(document.sha256)
            if content is None:
                raise DomainError(
                    _("Het bestand van stuk %(title)s ontbreekt. Meld het aan beheer.", title=document.title)
                )
            files.append(
                PackageFile(
                    f"stukken/{item.number}.{n}-{document.filename}",
                    content,
                    diwoo.Record(
                        identifier=f"regiotafel:documenten/{document.id}",
                        title=document.title,
                        description=f"Stuk bij agendapunt {item.number}. {item.title}",
                        publisher=publisher,
                        co_responsible=others,
                        document_type="vergaderstuk",
                        created=document.uploaded_at.astimezone(AMSTERDAM).date(),
                        content_type=document.content_type,
                        actions=[("ontvangst", document.uploaded_at)],
                        themes=[(item.theme.tooi_uri, item.theme.name)] if item.theme and item.theme.tooi_uri else [],
                        keywords=keywords,
                        part_of=(f"{base}/agenda", f"Agenda {meeting.title}"),
                    ),
                )
            )
    return _zip(meeting, files), files


def _zip(meeting: Meeting, files: list[PackageFile]) -> bytes:
    out = io.BytesIO()
    index = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in files:
            record = diwoo.to_xml(entry.record)
            diwoo.validate(record)  # a record that does not validate never leaves the app
            archive.writestr(entry.name, entry.content)
            archive.writestr(f"{entry.name}.diwoo.xml", record)
            index.append(
                {
                    "bestand": entry.name,
                    "metadata": f"{entry.name}.diwoo.xml",
                    "identificatie": entry.record.identifier,
                    "titel": entry.record.title,
                    "bytes": len(entry.content),
                    "sha256": hashlib.sha256(entry.content).hexdigest(),
                }
            )
        summary = {
            "vergadering": meeting.title,
            "kenmerk": kenmerk(meeting),
            "gemaakt": now().isoformat(),
            "metadata": "DiWoo 0.9.8",
            "bestanden": index,
        }
        archive.writestr("inhoud.json", json.dumps(summary, indent=2, ensure_ascii=False))
    return out.getvalue()


def filename(meeting: Meeting) -> str:
    day: datetime = meeting.starts_at.astimezone(AMSTERDAM)
    return f"woo-{meeting.cycle.body.slug}-{day:%Y%m%d}.zip"
