"""What the API answers, one marshmallow schema per kind of object. The same schemas write the OpenAPI
document. Only what the pages show; a reference to another object is its id when the caller may see
that object, and null otherwise (an id would tell that something hidden exists)."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from auth.policy import Action, can
from cases.models import Case
from core.db import Audience
from core.extensions import db
from core.forms import TEXT_MAX, TITLE_MAX
from meetings.models import AgendaItem, AgendaItemKind, Cycle, Decision, Meeting


class Ref(fields.Integer):
    """The id of another object, or null when the caller may not see it."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        super().__init__(allow_none=True, dump_only=True, **kwargs)
        self.model = model

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        target = db.session.get(self.model, value)
        return value if target is not None and can(current_user, Action.VIEW, target) else None


class _Item(Schema):
    id = fields.Integer(required=True)


class _Shared(_Item):
    body_id = fields.Integer(required=True)
    audience = fields.String(required=True, metadata={"description": "overleg, rijk, regio of vertrouwelijk"})


class BodySchema(_Item):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)


class MilestoneSchema(_Item):
    kind = fields.String(required=True)
    due_date = fields.Date(required=True)


class CycleSchema(_Item):
    body_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    season = fields.String(required=True)
    meeting_date = fields.Date(required=True)
    milestones = fields.Method("_milestones", required=True, metadata={"type": "array", "items": {"type": "object"}})

    def _milestones(self, cycle: Cycle) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from meetings.models import Milestone

        rows = db.session.scalars(select(Milestone).where(Milestone.cycle_id == cycle.id).order_by(Milestone.due_date))
        return MilestoneSchema(many=True).dump(rows)


class MeetingSchema(_Shared):
    cycle_id = Ref(Cycle, required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    location = fields.String(required=True)
    kenmerk = fields.String(allow_none=True, required=True)
    chair = fields.String(required=True)
    agenda_published_at = fields.AwareDateTime(allow_none=True, required=True)
    besluitenlijst_status = fields.String(required=True)
    besluitenlijst_published_at = fields.AwareDateTime(allow_none=True, required=True)
    besluitenlijst_adopted_at = fields.AwareDateTime(allow_none=True, required=True)
    comments_deadline = fields.Date(allow_none=True, required=True)


class AgendaItemSchema(_Shared):
    meeting_id = Ref(Meeting, required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    kind = fields.String(required=True)
    duration_minutes = fields.Integer(allow_none=True, required=True)
    is_progress_report = fields.Boolean(required=True)


class DocumentSchema(_Shared):
    meeting_id = Ref(Meeting, required=True)
    agenda_item_id = Ref(AgendaItem, required=True)
    title = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = fields.AwareDateTime(required=True)


class DecisionSchema(_Shared):
    meeting_id = Ref(Meeting, required=True)
    agenda_item_id = Ref(AgendaItem, required=True)
    sequence = fields.Integer(required=True)
    text = fields.String(required=True)
    amends_id = Ref(Decision, required=True)
    created_at = fields.AwareDateTime(required=True)


class CommentSchema(_Item):
    decision_id = fields.Integer(required=True)
    text = fields.String(required=True)
    status = fields.String(required=True)
    response = fields.String(allow_none=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    handled_at = fields.AwareDateTime(allow_none=True, required=True)


class MinutesSchema(_Shared):
    meeting_id = Ref(Meeting, required=True)
    text = fields.String(required=True)
    status = fields.String(required=True)
    adopted_at = fields.AwareDateTime(allow_none=True, required=True)
    updated_at = fields.AwareDateTime(required=True)


class CaseSchema(_Shared):
    type = fields.String(required=True, metadata={"description": "actie, toezegging, agendaverzoek, nota, dossier, …"})
    state = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    due_date = fields.Date(allow_none=True, required=True)
    cycle_id = Ref(Cycle, required=True)
    agenda_item_id = Ref(AgendaItem, required=True)
    decision_id = Ref(Decision, required=True)
    kenmerk = fields.String(allow_none=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(allow_none=True, required=True)


class CaseEventSchema(_Item):
    kind = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    transition = fields.String(allow_none=True, required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    previous_due_date = fields.Date(allow_none=True, required=True)
    due_date = fields.Date(allow_none=True, required=True)


class CaseDetailSchema(CaseSchema):
    events = fields.Method("_events", required=True, metadata={"type": "array", "items": {"type": "object"}})

    def _events(self, case: Case) -> list[dict[str, Any]]:
        from cases.services.cases import history_of

        return CaseEventSchema(many=True).dump(history_of(case))


class HistoryRecordSchema(Schema):
    """One record of an object's history, as far as the caller may read it (the page's history)."""

    id = fields.Integer(required=True)
    occurred_at = fields.Raw(required=True, metadata={"type": "string", "format": "date-time"})
    action = fields.String(required=True)
    actor_label = fields.String(allow_none=True)
    object_type = fields.String(required=True)
    object_id = fields.Integer(allow_none=True)
    object_label = fields.String(allow_none=True)
    changes = fields.Raw(allow_none=True, metadata={"type": "object"})
    reason = fields.String(allow_none=True)


class MeSchema(Schema):
    """Who the token acts as, and what it may do."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    organisation = fields.String(required=True)
    side = fields.String(required=True)
    roles = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True, metadata={"description": "rol per overleg-id"}
    )
    scope = fields.String(required=True)
    token_expires_at = fields.AwareDateTime(required=True)


# --- what the API takes: the bodies of the writes -----------------------------------------------
# The forms' rules (required, at most TITLE_MAX or TEXT_MAX characters, one of the choices) in the forms'
# words, in the caller's language; the services check the rest, as they do for the pages.


class TextLength(validate.Length):
    """A text's length as the forms count it and refuse it: blank is empty (``Required``), too long says
    how long (``MaxLength``). A ``Length`` still, so the document states minLength and maxLength."""

    def __call__(self, value: Any) -> Any:
        if self.min and not str(value).strip():
            raise ValidationError(gettext("Vul dit veld in."))
        if self.max is not None and len(value) > self.max:
            raise ValidationError(
                gettext(
                    "Deze tekst is te lang: hoogstens %(max)s tekens, u gaf er %(n)s.",
                    max=format_decimal(self.max),
                    n=format_decimal(len(value)),
                )
            )
        return value


def _messages(**more: Any) -> dict[str, Any]:
    """Marshmallow's refusals in the forms' words (lazy: said in the language of the request)."""
    return {"required": _l("Vul dit veld in."), "null": _l("Vul dit veld in."), **more}


def text(maximum: int, *, required: bool = True, **kwargs: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=TextLength(min=1 if required else None, max=maximum),
        error_messages=_messages(invalid=_l("Vul dit veld in.")),
        **kwargs,
    )


def choice(values: Any, **kwargs: Any) -> fields.String:
    options = [str(v) for v in values]
    return fields.String(
        validate=validate.OneOf(options, error=_l("Kies een van de mogelijkheden.")),
        error_messages=_messages(invalid=_l("Kies een van de mogelijkheden.")),
        **kwargs,
    )


def ref(description: str, **kwargs: Any) -> fields.Integer:
    """The id of an object the caller names; one it may not see is a missing one."""
    return fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1, error=_l("Kies een item uit de lijst.")),
        error_messages=_messages(invalid=_l("Kies een item uit de lijst.")),
        metadata={"description": description},
        **kwargs,
    )


class Input(Schema):
    """A write's body. In JSON a field the API does not know is refused, not ignored (a typo would be lost)."""

    error_messages = {"unknown": _l("Dit veld kent deze handeling niet."), "type": _l("Stuur een JSON-object.")}


class AgendaRequestInput(Input):
    """Agendaverzoek indienen, as *Agendaverzoek indienen* on a body's page."""

    body_id = ref("het overleg / the body", required=True)
    title = text(TITLE_MAX, metadata={"description": "Onderwerp"})
    description = text(TEXT_MAX, metadata={"description": "Toelichting: wat vraagt u van het overleg, en waarom nu?"})
    requested_kind = choice(
        AgendaItemKind, load_default=AgendaItemKind.TER_BESPREKING.value, metadata={"description": "Gevraagd"}
    )
    theme_id = ref("een thema / a theme", allow_none=True)


class CommentInput(Input):
    """Een reactie op een besluit van de concept-besluitenlijst / a comment on a concept decision."""

    text = text(TEXT_MAX, metadata={"description": "Uw reactie op dit besluit"})


class ProgressInput(Input):
    """Voortgang melden / a progress report."""

    text = text(TEXT_MAX, metadata={"description": "Voortgang"})


class TransitionInput(Input):
    """A workflow step, by name, with what the step asks for: ``reason`` (required by afwijzen,
    doorschuiven, laten vervallen, uitstel aanvragen/weigeren, …), ``kind`` and ``position`` (agenderen),
    ``due_date`` (uitstel aanvragen). GET /cases/{id} shows the case's state."""

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60, error=_l("Kies een van de mogelijkheden.")),
        error_messages=_messages(invalid=_l("Kies een van de mogelijkheden.")),
        metadata={"description": "de stap, bijv. in_behandeling, agenderen, afwijzen, starten, gereed_melden"},
    )
    reason = text(TEXT_MAX, required=False, allow_none=True, metadata={"description": "Reden of toelichting"})
    kind = choice(AgendaItemKind, allow_none=True, metadata={"description": "Soort agendapunt (agenderen)"})
    position = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=9999, error=_l("Kies een plaats op de agenda.")),
        error_messages=_messages(invalid=_l("Kies een plaats op de agenda.")),
        metadata={"description": "Plaats op de agenda (agenderen); 1 is bovenaan"},
    )
    due_date = fields.Date(
        allow_none=True,
        error_messages=_messages(invalid=_l("Vul een geldige datum in.")),
        metadata={"description": "Nieuwe datum (uitstel aanvragen), JJJJ-MM-DD"},
    )


class FileUpload(Upload):
    """A file part of a multipart body; a plain field of that name is no file."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class DocumentInput(Input):
    """A document's file and what the upload page asks with it (multipart/form-data)."""

    file = FileUpload(
        required=True,
        error_messages=_messages(required=_l("Kies een bestand."), invalid=_l("Kies een bestand.")),
        metadata={"description": "Het bestand (PDF, Word, Excel, PowerPoint, OpenDocument, …)"},
    )
    title = text(TITLE_MAX, required=False, metadata={"description": "Titel; zonder: de bestandsnaam"})
    agenda_item_id = ref("een agendapunt van deze vergadering / an agenda item of this meeting")
    audience = choice(
        Audience, metadata={"description": "Zichtbaar voor; zonder: zoals het agendapunt of de vergadering"}
    )
    shared_with = fields.List(
        ref("een lid van het overleg / a member of the body"),
        metadata={"description": "Bij vertrouwelijk: wie het mag zien (herhaal het veld)"},
    )
