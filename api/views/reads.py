"""What the API reads: bodies, cycles, meetings, agenda items, documents, decisions and their comments,
minutes, cases with their history lines, any object's audit history, and the audit trail for those who
may export it. Every list and every object as the pages show them: through the policy, hidden = 404."""

from __future__ import annotations

from typing import Any

from flask import Response, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from api import PREFIX
from api.bearer import ReadOnlyToken, Unauthorized, authenticate
from api.paging import ID, BodyListArgs, page, page_schema
from api.problems import problem
from api.schemas import (
    AgendaItemSchema,
    BodySchema,
    CaseDetailSchema,
    CaseSchema,
    CommentSchema,
    CycleSchema,
    DecisionSchema,
    DocumentSchema,
    HistoryRecordSchema,
    MeetingSchema,
    MeSchema,
    MinutesSchema,
)
from audit import export
from audit import services as audit_services
from auth.policy import Action, bodies_where, ensure_history, get_visible
from cases.models import Case, CaseType
from cases.services.cases import get_case
from core.db import is_storable_id
from core.errors import DomainError, InvalidTransition, NotPermitted, NotVisible, RaceLost
from core.extensions import db
from core.refs import ObjectRef
from core.signals import access_refused, answer
from meetings.models import AgendaItem, Body, Cycle, Decision, DecisionComment, Document, Meeting, Minutes

blp = Blueprint("api", __name__, url_prefix=PREFIX, description="Lezen / reading")


def _conditional(response: Response) -> Response:
    """An ETag on every answer read whole, and 304 when the client holds it (If-None-Match)."""
    if request.method == "GET" and response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.headers["Cache-Control"] = "private, no-cache"
        response.make_conditional(request)
    return response


_TITLES = {
    400: lambda: _("Ongeldig verzoek"),
    404: lambda: _("Pagina niet gevonden"),
    405: lambda: _("Niet toegestaan"),
    422: lambda: _("Ongeldige invoer"),
}


def http_problem(exc: HTTPException) -> ResponseReturnValue:
    """An HTTP error inside the API (a refused query or body, an abort) as problem+json."""
    if isinstance(exc, Unauthorized | ReadOnlyToken):
        return exc.get_response()
    code = exc.code or 500
    if code == 404:
        return problem(404, _("Pagina niet gevonden"), _("Deze pagina bestaat niet of is niet voor u bestemd."))
    messages = (getattr(exc, "data", None) or {}).get("messages")
    errors = (
        {k: v if isinstance(v, list | dict) else [v] for where in messages.values() for k, v in where.items()}
        if isinstance(messages, dict)
        else None
    )
    detail = exc.description if code == 400 and exc.description else _("Controleer de invoer.")
    return problem(code, _TITLES.get(code, lambda: _("Fout"))(), str(detail), errors)


def domain_problem(exc: DomainError) -> ResponseReturnValue:
    """A service's refusal: 422 with its message, next to its field where it has one."""
    if isinstance(exc, NotVisible):
        # As core.web answers a page: the refusal is noted, and the answer is a missing page's, to the byte.
        answer(access_refused, current_user, status=404, object_type=exc.object_type, object_id=exc.object_id)
        return problem(404, _("Pagina niet gevonden"), _("Deze pagina bestaat niet of is niet voor u bestemd."))
    if isinstance(exc, NotPermitted):
        answer(access_refused, current_user, status=403, object_type=exc.object_type, object_id=exc.object_id)
        return problem(403, _("Niet toegestaan"), exc.message)
    if isinstance(exc, InvalidTransition | RaceLost):
        # The request was understood, but the object's state (or another's change at the same moment)
        # does not allow it now.
        return problem(409, _("Niet mogelijk"), exc.message)
    errors: dict[str, Any] = {key: [message] for key, message in exc.errors.items()}
    if not errors and exc.field:
        errors = {exc.field: [exc.message]}
    return problem(422, _("Ongeldige invoer"), exc.message, errors)


def answer_as_api(blueprint: Blueprint) -> None:
    """What every blueprint of the API does: the token's user acts, ETags on what is read, and every
    refusal as problem+json."""
    blueprint.before_request(authenticate)
    blueprint.after_request(_conditional)
    blueprint.register_error_handler(HTTPException, http_problem)
    blueprint.register_error_handler(DomainError, domain_problem)


answer_as_api(blp)


class IdPath(Schema):
    id = fields.Integer(validate=ID)


# ``visible`` takes the lists through the policy; an id in a filter or a path that the caller may not
# see finds nothing, exactly like one that does not exist.


class CycleArgs(BodyListArgs):
    pass


class MeetingArgs(BodyListArgs):
    cycle = fields.Integer(validate=ID)


class ItemArgs(BodyListArgs):
    meeting = fields.Integer(validate=ID)
    cycle = fields.Integer(validate=ID)


class CaseArgs(BodyListArgs):
    cycle = fields.Integer(validate=ID)
    type = fields.String(validate=validate.OneOf([t.value for t in CaseType]))
    state = fields.String(validate=validate.Length(max=40))


def _in_cycle(model: Any, cycle: int | None) -> list[Any]:
    if cycle is None:
        return []
    return [model.meeting_id.in_(select(Meeting.id).where(Meeting.cycle_id == cycle))]


def _in_meeting(model: Any, meeting: int | None) -> list[Any]:
    return [] if meeting is None else [model.meeting_id == meeting]


@blp.get("/me")
@blp.response(200, MeSchema)
def me() -> Any:
    """Wie de token is / who the token acts as."""
    user = current_user
    token = request_token()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "organisation": user.organisation.name,
        "side": user.side.value,
        "roles": {str(body): role.value for body, role in user.roles.items()},
        "scope": token.scope.value,
        "token_expires_at": token.expires_at,
    }


def request_token() -> Any:
    from flask import g

    return g.api_token


@blp.get("/bodies")
@blp.arguments(BodyListArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(BodySchema))
def bodies_list(**args: Any) -> Any:
    """Overleggen / bodies the caller is a member of."""
    return page(current_user, Body, args)


@blp.get("/bodies/<int:id>")
@blp.response(200, BodySchema)
def bodies_get(id: int) -> Any:
    return get_visible(current_user, Body, id)


@blp.get("/cycles")
@blp.arguments(CycleArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(CycleSchema))
def cycles_list(**args: Any) -> Any:
    """Cycli met mijlpalen / cycles with their milestones."""
    return page(current_user, Cycle, args)


@blp.get("/cycles/<int:id>")
@blp.response(200, CycleSchema)
def cycles_get(id: int) -> Any:
    return get_visible(current_user, Cycle, id)


@blp.get("/meetings")
@blp.arguments(MeetingArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(MeetingSchema))
def meetings_list(cycle: int | None = None, **args: Any) -> Any:
    """Vergaderingen / meetings."""
    return page(current_user, Meeting, args, *([Meeting.cycle_id == cycle] if cycle else []))


@blp.get("/meetings/<int:id>")
@blp.response(200, MeetingSchema)
def meetings_get(id: int) -> Any:
    return get_visible(current_user, Meeting, id)


@blp.get("/agenda-items")
@blp.arguments(ItemArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(AgendaItemSchema))
def agenda_items_list(meeting: int | None = None, cycle: int | None = None, **args: Any) -> Any:
    """Agendapunten / agenda items."""
    return page(current_user, AgendaItem, args, *_in_meeting(AgendaItem, meeting), *_in_cycle(AgendaItem, cycle))


@blp.get("/agenda-items/<int:id>")
@blp.response(200, AgendaItemSchema)
def agenda_items_get(id: int) -> Any:
    return get_visible(current_user, AgendaItem, id)


@blp.get("/documents")
@blp.arguments(ItemArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(DocumentSchema))
def documents_list(meeting: int | None = None, cycle: int | None = None, **args: Any) -> Any:
    """Documenten (gegevens) / documents (metadata)."""
    return page(current_user, Document, args, *_in_meeting(Document, meeting), *_in_cycle(Document, cycle))


@blp.get("/documents/<int:id>")
@blp.response(200, DocumentSchema)
def documents_get(id: int) -> Any:
    return get_visible(current_user, Document, id)


@blp.get("/documents/<int:id>/content")
@blp.response(200, description="Het bestand / the file", content_type="application/octet-stream")
def documents_content(id: int) -> Any:
    """Het bestand van een document / a document's file (its ETag is its SHA-256).

    The page's own download: the same policy check, the same file, name and headers."""
    from meetings.views.agenda import document_download

    return document_download(id)


@blp.get("/decisions")
@blp.arguments(ItemArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(DecisionSchema))
def decisions_list(meeting: int | None = None, cycle: int | None = None, **args: Any) -> Any:
    """Besluiten / decisions."""
    return page(current_user, Decision, args, *_in_meeting(Decision, meeting), *_in_cycle(Decision, cycle))


@blp.get("/decisions/<int:id>")
@blp.response(200, DecisionSchema)
def decisions_get(id: int) -> Any:
    return get_visible(current_user, Decision, id)


@blp.get("/decisions/<int:id>/comments")
@blp.arguments(BodyListArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(CommentSchema))
def decision_comments(id: int, **args: Any) -> Any:
    """Reacties op een besluit die de aanroeper mag zien / the comments on a decision the caller may see."""
    decision = get_visible(current_user, Decision, id)
    return page(current_user, DecisionComment, args, DecisionComment.decision_id == decision.id)


@blp.get("/minutes")
@blp.arguments(ItemArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(MinutesSchema))
def minutes_list(meeting: int | None = None, cycle: int | None = None, **args: Any) -> Any:
    """Verslagen / minutes."""
    return page(current_user, Minutes, args, *_in_meeting(Minutes, meeting), *_in_cycle(Minutes, cycle))


@blp.get("/minutes/<int:id>")
@blp.response(200, MinutesSchema)
def minutes_get(id: int) -> Any:
    return get_visible(current_user, Minutes, id)


@blp.get("/cases")
@blp.arguments(CaseArgs, location="query", as_kwargs=True)
@blp.response(200, page_schema(CaseSchema))
def cases_list(cycle: int | None = None, type: str | None = None, state: str | None = None, **args: Any) -> Any:
    """Zaken: acties, toezeggingen, agendaverzoeken, nota's, dossiers / cases."""
    where = [
        *([Case.cycle_id == cycle] if cycle else []),
        *([Case.type == type] if type else []),
        *([Case.state == state] if state else []),
    ]
    return page(current_user, Case, args, *where)


@blp.get("/cases/<int:id>")
@blp.response(200, CaseDetailSchema)
def cases_get(id: int) -> Any:
    """Een zaak met haar geschiedenis (voortgang, stappen, termijnen) / a case with its history lines."""
    return get_case(current_user, id)


#: The kinds of object whose audit history the API reads, as the pages' *Geschiedenis* does.
HISTORY_KINDS = ("bodies", "cycles", "meetings", "agenda_items", "documents", "decisions", "minutes", "cases")


class HistoryPath(Schema):
    object_type = fields.String(validate=validate.OneOf(HISTORY_KINDS))
    id = fields.Integer(validate=ID)


@blp.get("/history/<any(" + ",".join(HISTORY_KINDS) + "):object_type>/<int:id>")
@blp.response(200, HistoryRecordSchema(many=True))
def history(object_type: str, id: int) -> Any:
    """De geschiedenis van een object, voor wie die mag lezen / an object's audit history."""
    obj = ObjectRef(object_type, id).load(db.session) if is_storable_id(id) else None
    if obj is None:
        raise NotVisible(object_type, id)
    ensure_history(current_user, obj)
    return audit_services.readable_history(current_user, object_type, id)


class AuditArgs(Schema):
    start = fields.Date(metadata={"description": "eerste dag (Amsterdam)"})
    end = fields.Date(metadata={"description": "laatste dag (Amsterdam)"})
    body = fields.Integer(validate=ID)
    case = fields.Integer(validate=ID)
    actor = fields.Email(validate=validate.Length(max=254))


@blp.get("/audit-trail")
@blp.arguments(AuditArgs, location="query", as_kwargs=True)
@blp.response(
    200,
    description='JSON Lines: één record per regel, als laatste regel {"manifest": …} (zoals audit export)',
    content_type="application/x-ndjson",
)
def audit_trail(
    start: Any = None, end: Any = None, body: int | None = None, case: int | None = None, actor: str | None = None
) -> Any:
    """De audittrail die de aanroeper mag lezen, gestreamd / the audit trail the caller may read, streamed.

    The same export as the page *Audittrail exporteren* (same filters, same records, same manifest),
    as JSON Lines; the manifest comes last, on a line of its own, and its sha256 covers the lines
    before it."""
    if not bodies_where(current_user, Action.VIEW_HISTORY) and not current_user.is_beheerder:
        raise NotPermitted(_("Exporteren is voor auditors, het secretariaat en beheer."))
    selection = export.ExportFilter(
        start=start, end=end, body_id=body, case_id=case, actor=actor.lower() if actor else None
    )
    chunks = export.taken(current_user._get_current_object(), selection, "jsonl", export.with_manifest_line, via="API")
    return Response(stream_with_context(chunks), mimetype="application/x-ndjson")
