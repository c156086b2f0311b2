"""The agenda and the besluitenlijst of a meeting to take away, as Word and as PDF, and the vergaderbundel.

Each file holds what the page shows its reader: the same policy, the same numbering. A meeting the
reader may not see, and a paper still waiting for publication, answer 404 like a missing one.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from meetings import bp, storage
from meetings.papers import bundle_pdf as bundle
from meetings.papers import docx as docx_papers
from meetings.papers import pdf as papers
from meetings.papers.bundle import bundle_of
from meetings.papers.pdf import Paper
from meetings.papers.reading import agenda_paper, besluitenlijst_paper, filename
from meetings.services import cycles

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RENDERERS: dict[str, tuple[Callable[[Paper], bytes], str]] = {
    "docx": (docx_papers.to_docx, DOCX),
    "pdf": (papers.to_pdf, "application/pdf"),
}


def _download(meeting_id: int, which: str, extension: str) -> ResponseReturnValue:
    meeting = cycles.get_meeting(current_user, meeting_id)
    build = agenda_paper if which == "agenda" else besluitenlijst_paper
    render, mimetype = RENDERERS[extension]
    response = send_file(
        io.BytesIO(render(build(current_user, meeting))),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename(meeting, which, extension),
    )
    response.headers["Cache-Control"] = "no-store"  # what one reader may see, no shared cache keeps
    return response


@bp.get("/vergaderingen/<int:meeting_id>/agenda.docx")
@login_required
def agenda_docx(meeting_id: int) -> ResponseReturnValue:
    """The agenda as the reader may see it, as a Word file."""
    return _download(meeting_id, "agenda", "docx")


@bp.get("/vergaderingen/<int:meeting_id>/agenda.pdf")
@login_required
def agenda_pdf(meeting_id: int) -> ResponseReturnValue:
    """The agenda as the reader may see it, as PDF."""
    return _download(meeting_id, "agenda", "pdf")


@bp.get("/vergaderingen/<int:meeting_id>/vergaderbundel.pdf")
@login_required
def bundle_pdf(meeting_id: int) -> ResponseReturnValue:
    """The vergaderbundel: the agenda and every document the reader may see, in one PDF that opens in
    the browser."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    reader_bundle = bundle_of(current_user, meeting)
    response = send_file(
        bundle.bundle_pdf(reader_bundle, storage.read),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"{reader_bundle.name}.pdf",
    )
    response.headers["Cache-Control"] = "no-store"  # what one reader may see, no shared cache keeps
    return response


@bp.get("/vergaderingen/<int:meeting_id>/vergaderbundel.zip")
@login_required
def bundle_zip(meeting_id: int) -> ResponseReturnValue:
    """Alles downloaden: the vergaderbundel and the reader's documents themselves, in one zip."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    reader_bundle = bundle_of(current_user, meeting)
    pdf = bundle.bundle_pdf(reader_bundle, storage.read)
    response = send_file(
        bundle.bundle_zip(reader_bundle, pdf, storage.read),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{reader_bundle.name}.zip",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/vergaderingen/<int:meeting_id>/besluitenlijst.docx")
@login_required
def besluitenlijst_docx(meeting_id: int) -> ResponseReturnValue:
    """The besluitenlijst as the reader may see it, as a Word file."""
    return _download(meeting_id, "besluitenlijst", "docx")


@bp.get("/vergaderingen/<int:meeting_id>/besluitenlijst.pdf")
@login_required
def besluitenlijst_pdf(meeting_id: int) -> ResponseReturnValue:
    """The besluitenlijst as the reader may see it, as PDF."""
    return _download(meeting_id, "besluitenlijst", "pdf")
