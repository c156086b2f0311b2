"""What the API answers, one marshmallow schema per kind of object. The same schemas write the OpenAPI
document. Only what the pages show; a reference to another object is its id when the caller may see
that object, and null otherwise (an id would tell that something hidden exists)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from marshmallow import Schema, fields

from auth.policy import Action, can
from cases.models import Case
from core.extensions import db
from meetings.models import AgendaItem, Cycle, Decision, Meeting


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
