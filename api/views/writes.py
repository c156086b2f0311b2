"""What the API writes: agenda requests, comments on a concept besluitenlijst, progress reports and
workflow steps on cases, and documents for a meeting. Each through the one service the page calls, after
the same loads and checks as that page (a hidden object is a missing one: 404), committed once; the audit
trail records it as the token's user, from this request. A read token gets 403 before any of this."""

from __future__ import annotations

from typing import Any

import flask
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import abort as refuse
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import Schema
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import abort

from api import PREFIX
from api.schemas import (
    AgendaRequestInput,
    CaseDetailSchema,
    CommentInput,
    CommentSchema,
    DocumentInput,
    DocumentSchema,
    ProgressInput,
    TransitionInput,
)
from api.views.reads import answer_as_api
from auth.policy import Action, ensure, get_visible
from cases import engine
from cases.services import cases as case_services
from core.db import Audience
from core.errors import DomainError, InvalidTransition
from core.extensions import db
from meetings import storage
from meetings.models import AgendaItemKind, Body
from meetings.services import agenda, cycles
from meetings.services import decisions as decision_services


class _Parser(type(ArgumentsMixin.ARGUMENTS_PARSER)):  # type: ignore[misc]
    """flask-smorest's parser, with a ``multipart`` location (the form's fields and its files, as one
    schema and so one request body in the document) and bad JSON refused as the body's field error."""

    __location_map__ = {**ArgumentsMixin.ARGUMENTS_PARSER.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: Schema) -> Any:
        parts: list[MultiDict[str, Any]] = [req.form, req.files]
        return self._makeproxy(CombinedMultiDict(parts), schema)

    def _handle_invalid_json_error(self, error: Any, req: flask.Request, *args: Any, **kwargs: Any) -> Any:
        refuse(422, exc=error, messages={"json": {"json": [_("Dit is geen geldige JSON.")]}})


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = _Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **_Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


blp = Blueprint("api_writes", __name__, url_prefix=PREFIX, description="Schrijven / writing (a write token)")
answer_as_api(blp)

#: The address of what a write made, in ``Location``.
LOCATION = {
    "Location": {"description": "Het adres van wat er gemaakt is / where it can be read", "schema": {"type": "string"}}
}


def _created(obj: Any, endpoint: str) -> tuple[Any, int, dict[str, str]]:
    return obj, 201, {"Location": url_for(endpoint, id=obj.id)}


@blp.post("/agenda-requests")
@blp.arguments(AgendaRequestInput, as_kwargs=True)
@blp.response(201, CaseDetailSchema, headers=LOCATION)
def agenda_requests_create(body_id: int, theme_id: int | None = None, **fields: Any) -> Any:
    """Agendaverzoek indienen voor de volgende cyclus van een overleg / submit an agenda request.

    As *Agendaverzoek indienen* on the body's page: for its members (deelnemers and secretariaat), while
    the cycle takes requests."""
    body = get_visible(current_user, Body, body_id)
    ensure(current_user, Action.PARTICIPATE, body)
    case = case_services.submit_agenda_request(
        current_user,
        body,
        title=fields["title"],
        description=fields["description"],
        requested_kind=AgendaItemKind(fields["requested_kind"]),
        theme_id=theme_id,
    )
    db.session.commit()
    return _created(case, "api.cases_get")


@blp.post("/decisions/<int:id>/comments")
@blp.arguments(CommentInput, as_kwargs=True)
@blp.response(201, CommentSchema)
def decision_comment(id: int, text: str) -> Any:
    """Reageren op een besluit van de concept-besluitenlijst / comment on a concept decision.

    As the decision's page: for members, while the besluitenlijst is out for comments (ter commentaar,
    until its deadline); the secretariat handles the comment."""
    decision = decision_services.get_decision(current_user, id)
    ensure(current_user, Action.PARTICIPATE, decision)
    comment = decision_services.comment_on_decision(current_user, decision, text=text)
    db.session.commit()
    return comment, 201


@blp.post("/cases/<int:id>/progress")
@blp.arguments(ProgressInput, as_kwargs=True)
@blp.response(201, CaseDetailSchema, headers=LOCATION)
def case_progress(id: int, text: str) -> Any:
    """Voortgang melden op een zaak / report progress on a case (the case, with its new history line).

    As the case page: the secretariat and the owning organisation's participants."""
    case = case_services.get_case(current_user, id)
    case_services.ensure_may_add_note(current_user, case)
    case_services.add_progress_note(current_user, case, text=text)
    db.session.commit()
    return _created(case, "api.cases_get")


#: What a step may ask for besides its reason (``Transition.asks``), as the API's fields.
DETAILS = ("kind", "position", "due_date")


@blp.post("/cases/<int:id>/transitions")
@blp.arguments(TransitionInput, as_kwargs=True)
@blp.response(200, CaseDetailSchema)
def case_transition(id: int, name: str, reason: str | None = None, **given: Any) -> Any:
    """Een stap in de workflow van een zaak / take a workflow step on a case (the case, in its new state).

    As the buttons on the case page, through the case engine: a step the case's state does not allow is
    409, one the caller's role does not allow 403, a missing reason or date 422."""
    case = case_services.get_case(current_user, id)
    transition = engine.workflow_of(case).transition(name)
    if transition is not None and case.state in transition.sources:
        # As the page: whoever may not take the step learns nothing from its fields.
        engine.ensure_may_fire(current_user, case, transition)
    details = {key: given[key] for key in DETAILS if given.get(key) is not None}
    if transition is not None and (unasked := sorted(set(details) - set(transition.asks))):
        message = _("Deze stap vraagt hier niet om.")
        raise DomainError(message, errors={key: message for key in unasked})
    try:
        engine.fire(current_user, case, name, reason=reason, details=details)
    except InvalidTransition as exc:
        if transition is None:  # no such step: the name is wrong, not the case's state
            raise DomainError(exc.message, field="name") from exc
        raise
    db.session.commit()
    return case


@blp.post("/meetings/<int:id>/documents")
@blp.arguments(DocumentInput, location="multipart", as_kwargs=True)
@blp.response(201, DocumentSchema, headers=LOCATION)
def meeting_documents_add(
    id: int,
    file: Any,
    title: str | None = None,
    agenda_item_id: int | None = None,
    audience: str | None = None,
    shared_with: list[int] | None = None,
) -> Any:
    """Een document toevoegen aan een vergadering of een van haar agendapunten (multipart/form-data) /
    upload a document for a meeting or one of its agenda items.

    As the upload page: the secretariat anywhere, a member on the items its organisation brought in; the
    same checks of size, type and content, and a full storage refuses it with nothing stored."""
    meeting = cycles.get_meeting(current_user, id)
    item = agenda.get_agenda_item(current_user, agenda_item_id) if agenda_item_id else None
    if item is not None and item.meeting_id != meeting.id:
        abort(404)
    if not agenda.may_add_document(current_user, meeting, item):
        ensure(current_user, Action.MANAGE, meeting)
    upload = storage.Upload(filename=file.filename or "", content=file.read(), title=title)
    (document,) = agenda.add_documents(
        current_user,
        meeting,
        files=[upload],
        agenda_item=item,
        audience=Audience(audience) if audience else None,
        shared_with=list(shared_with or []),
    )
    db.session.commit()
    return _created(document, "api.documents_get")
