"""The agenda and the besluitenlijst of a meeting to take away, as Word and as PDF.

Each file holds what the page shows its reader: the same policy, the same numbering. A meeting the
reader may not see, and a paper still waiting for publication, answer 404 like a missing one.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from meetings import bp, docx_papers, papers
from meetings.papers import Paper
from meetings.services import cycles
from meetings.services.papers import agenda_paper, besluitenlijst_paper, filename

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
