"""Files on cases: a progress report's attachments and an agenda request's. They are checked as documents
are (type by content, size, zip bombs), stored all or none, seen by exactly who may see the case, and a
request's files become the documents of the agenda item it becomes, with that item's audience."""

from __future__ import annotations

import io
import re
from typing import Any

from sqlalchemy import func, select

from audit.models import AuditRecord
from audit.services import readable_history
from cases import engine
from cases.models import Case, CaseAttachment
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItem, Document, Meeting
from meetings.services import agenda
from tests.auth.test_access_matrix import run_matrix, world  # noqa: F401  (the matrix's world, as a fixture)
from tests.cases.people import EINDHOVEN, OWNER, REGIO_AUDITOR, RIJK, RIJK_AUDITOR, SEC
from tests.conftest import in_app, new_action, user
from tests.meetings.hostile import docx_bomb


def pdf(title: str) -> bytes:
    return text_pdf(title, ["Inhoud van " + title])


def action_id(app: Any, audience: Audience = Audience.OVERLEG) -> int:
    """A new action for the province (for the Rijk's own organisation when it is Rijk-only)."""
    owner = RIJK if audience is Audience.RIJK else OWNER
    with in_app(app):
        return new_action(
            title="Laadpleinen inventariseren", owner_organisation_id=user(owner).organisation_id, audience=audience
        ).id


def status(client: Any, url: str) -> int:
    """The status of a GET; a file served is closed again."""
    response = client.get(url)
    response.close()
    return int(response.status_code)


def report(client: Any, case_id: int, *files: tuple[bytes, str], text: str = "Werksessie gehouden.") -> Any:
    return client.post_form(
        f"/zaken/{case_id}/voortgang",
        {"text": text, "files": [(io.BytesIO(content), name) for content, name in files]},
        content_type="multipart/form-data",
    )


def attachments(app: Any, case_id: int) -> list[CaseAttachment]:
    with in_app(app):
        return list(
            db.session.scalars(
                select(CaseAttachment).where(CaseAttachment.case_id == case_id).order_by(CaseAttachment.id)
            )
        )


def test_a_progress_report_carries_files_that_whoever_sees_the_case_may_open(app, clients):
    case_id = action_id(app)
    owner = clients(OWNER)
    response = report(
        owner, case_id, (pdf("Verslag werksessie"), "verslag-werksessie.pdf"), (pdf("Kaart"), "kaart.pdf")
    )
    assert response.status_code == 302
    files = attachments(app, case_id)
    assert [(a.title, a.filename) for a in files] == [
        ("verslag-werksessie", "verslag-werksessie.pdf"),
        ("kaart", "kaart.pdf"),
    ]
    assert files[0].event_id is not None and files[0].event_id == files[1].event_id
    page = owner.get(f"/zaken/{case_id}").get_data(as_text=True)
    link = f"/zaken/{case_id}/bijlagen/{files[0].id}"
    assert link in page
    for email in (SEC, EINDHOVEN, RIJK, REGIO_AUDITOR):
        download = clients(email).get(link)
        assert download.status_code == 200 and download.data.startswith(b"%PDF-"), email
        assert download.headers["Cache-Control"] == "no-store"
        download.close()
    assert status(clients("economie@gelderland.test"), link) == 404, "no member of the body"
    # Under another case's address the file does not exist.
    other = action_id(app)
    assert owner.get(f"/zaken/{other}/bijlagen/{files[0].id}").status_code == 404


def test_a_regio_member_never_reaches_the_file_of_a_rijk_case(app, clients):
    case_id = action_id(app, Audience.RIJK)
    assert report(clients(RIJK), case_id, (pdf("Rijksinzet"), "rijksinzet.pdf")).status_code == 302
    (attachment,) = attachments(app, case_id)
    link = f"/zaken/{case_id}/bijlagen/{attachment.id}"
    assert status(clients(SEC), link) == 200
    for email in (OWNER, EINDHOVEN, REGIO_AUDITOR):
        assert status(clients(email), link) == 404, email
    with in_app(app):
        regio_trail = readable_history(user(REGIO_AUDITOR), "cases", case_id)
        rijk_trail = readable_history(user(RIJK_AUDITOR), "cases", case_id)
    assert not [r for r in regio_trail if r["object_type"] == "case_attachments"]
    assert [r["object_label"] for r in rijk_trail if r["object_type"] == "case_attachments"] == [
        f"bijlage rijksinzet (rijksinzet.pdf) bij zaak {case_id}"
    ]


def test_a_bad_file_stores_nothing_and_the_text_typed_stays(app, clients):
    case_id = action_id(app)
    owner = clients(OWNER)
    with in_app(app):
        before = db.session.scalar(select(func.count(AuditRecord.id)))
    bomb = docx_bomb()
    response = report(
        owner, case_id, (pdf("Goed"), "goed.pdf"), (bomb, "verslag.docx"), text="Tweede werksessie gehouden."
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="files-fout">([^<]*)</p>', page)
    assert error and error.group(1).startswith("verslag.docx: Dit bestand pakt uit tot meer dan")
    assert "Tweede werksessie gehouden." in page and "Kies het bestand of de bestanden opnieuw" in page
    assert attachments(app, case_id) == []
    with in_app(app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before


def test_only_who_may_report_progress_may_attach(app, clients):
    case_id = action_id(app)
    for email, status in ((EINDHOVEN, 403), (REGIO_AUDITOR, 403), ("economie@gelderland.test", 404)):
        assert report(clients(email), case_id, (pdf("Stuk"), "stuk.pdf")).status_code == status, email
    assert attachments(app, case_id) == []


def test_an_agenda_requests_files_become_the_new_items_documents_when_it_is_agendeerd(app, clients):
    eindhoven = clients(EINDHOVEN)
    response = eindhoven.post_form(
        "/overleggen/bo-brainport/agendaverzoeken/nieuw",
        {
            "title": "Laadpleinen bij de campus",
            "description": "Graag bespreken.",
            "requested_kind": "ter_bespreking",
            "files": [(io.BytesIO(pdf("Verkenning laadpleinen")), "Verkenning laadpleinen.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    (attachment,) = attachments(app, case_id)
    assert attachment.title == "Verkenning laadpleinen"
    link = f"/zaken/{case_id}/bijlagen/{attachment.id}"
    assert status(clients(OWNER), link) == 200, "a request is for the whole table"

    with in_app(app):
        engine.fire(user(SEC), db.session.get(Case, case_id), "agenderen")
    with in_app(app):
        case = db.session.get(Case, case_id)
        item = db.session.get(AgendaItem, case.agenda_item_id)
        (document,) = db.session.scalars(select(Document).where(Document.agenda_item_id == item.id)).all()
        meeting = db.session.get(Meeting, item.meeting_id)
        assert (document.title, document.filename, document.sha256) == (
            "Verkenning laadpleinen",
            "Verkenning laadpleinen.pdf",
            attachment.sha256,
        )
        assert document.audience is item.audience and not meeting.agenda_published
        assert (
            db.session.scalar(select(func.count()).select_from(CaseAttachment).where(CaseAttachment.case_id == case_id))
            == 0
        )
        document_id, meeting_id = document.id, meeting.id
    assert status(clients(OWNER), link) == 404, "it left the request"
    # On the unpublished agenda it waits with the item: the secretariat sees it, the members later.
    assert status(clients(SEC), f"/documenten/{document_id}/download") == 200
    assert status(clients(OWNER), f"/documenten/{document_id}/download") == 404
    with in_app(app):
        agenda.publish_agenda(user(SEC), db.session.get(Meeting, meeting_id))
    assert status(clients(OWNER), f"/documenten/{document_id}/download") == 200


def test_the_matrix_catches_an_attachment_download_that_skips_the_policy(app, world, undo, monkeypatch):  # noqa: F811
    """The mutation: load the file by id without the policy, and the access matrix reports every file
    of a case the regio deelnemer may not see."""
    import cases.views.cases as views

    def unchecked(_user: Any, model: Any, ident: int, *options: Any) -> Any:
        return db.get_or_404(model, ident)

    monkeypatch.setattr(views, "get_visible", unchecked)
    wrong = run_matrix(app, world, undo, "regio_deelnemer").wrong
    leaked = [line for line in wrong if "/bijlagen/" in line]
    # The regio deelnemer is named on the vertrouwelijk action: only the Rijk's file leaks, and nothing else.
    assert leaked == wrong == [f"GET /zaken/{world.attachment['rijk']}: expected hidden, got ok (200)"]
