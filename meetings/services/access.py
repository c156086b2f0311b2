"""The access review of a body: who holds which role since when, who signed in last when, open
invitations, who is named on vertrouwelijk items, and the reviews confirmed so far (BIO 9.2.5:
access rights are reviewed at regular intervals; the record shows who did it when).

The secretariat and the auditors of the body read it, and the beheerder (who is no member: the
named people column then stays empty, because the beheerder sees no item). The named people are
counted only on items the reader may see: a regio auditor does not learn of a Rijk-only item here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, joinedload

from auth.models import AudienceGrant, Invitation, Membership, User
from auth.policy import Action, can, ensure, visible
from core.acting import service
from core.dates import local_to_utc, now, to_local
from core.db import Audience, AudienceMixin, Base
from core.errors import NotVisible
from core.extensions import db
from core.labels import label
from core.spreadsheet import Column, Table
from meetings.models import AccessReview, Body

# --- the period -----------------------------------------------------------------------------------


def period_start(day: date) -> date:
    """The first day of the review period that holds ``day`` (a quarter with the default of 3 months)."""
    months = int(current_app.config["ACCESS_REVIEW_MONTHS"])
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def period_key(start: date) -> str:
    return f"{start:%Y-%m}"


def period_begins_at(start: date) -> datetime:
    """The moment a period begins, in UTC (midnight in Amsterdam)."""
    return local_to_utc(start, time(0))


def reviewed_since(body_ids: list[int], moment: datetime) -> set[int]:
    """Of these bodies, the ones whose access review was confirmed at or after ``moment``."""
    if not body_ids:
        return set()
    return set(
        db.session.scalars(
            select(AccessReview.body_id).where(AccessReview.body_id.in_(body_ids), AccessReview.confirmed_at >= moment)
        )
    )


# --- the page ---------------------------------------------------------------------------------------


def _body_for(user: User, slug: str, action: Action) -> Body:
    """A body by slug for ``action``: 404 for whoever is no member (the beheerder excepted), 403 for
    a member whose role does not allow it."""
    body = db.session.scalars(select(Body).where(Body.slug == slug)).one_or_none()
    if body is None or not (user.is_beheerder or can(user, Action.VIEW, body)):
        raise NotVisible("bodies", body.id if body else None)
    ensure(user, action, body)
    return body


def reviewable_body(user: User, slug: str) -> Body:
    """A body for its access review (secretariat, auditors, beheerder)."""
    return _body_for(user, slug, Action.REVIEW_ACCESS)


def invitable_body(user: User, slug: str) -> Body:
    """A body to invite someone into (the beheerder; its secretariat where the body allows it)."""
    return _body_for(user, slug, Action.INVITE)


@dataclass(frozen=True)
class NamedItem:
    """A vertrouwelijk item that names a member, as its reader may see it."""

    kind: str
    title: str
    url: str | None


@dataclass
class MemberLine:
    membership: Membership
    user: User
    invitation: Invitation | None
    named: list[NamedItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The account's state, in words."""
        if not self.user.active:
            return _("uitgeschakeld")
        if self.user.has_credentials:
            return _("actief")
        if self.invitation is not None and self.invitation.expires_at > now():
            return _("uitgenodigd")
        return _("uitnodiging verlopen")


@dataclass(frozen=True)
class AccessOverview:
    body: Body
    lines: list[MemberLine]
    open_invitations: list[Invitation]
    reviews: list[AccessReview]
    period_start: date
    reviewed_this_period: bool


def overview(viewer: User, body: Body) -> AccessOverview:
    """Everything on the review page, in a fixed number of queries (one per kind of named item)."""
    memberships = list(
        db.session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .options(joinedload(Membership.user))
            .where(Membership.body_id == body.id)
            .order_by(User.name, Membership.id)
        )
    )
    user_ids = [m.user_id for m in memberships]
    invitations = _latest_invitations(user_ids)
    named = _named_items(viewer, body, user_ids)
    lines = [
        MemberLine(membership=m, user=m.user, invitation=invitations.get(m.user_id), named=named.get(m.user_id, []))
        for m in memberships
    ]
    open_ones = [
        line.invitation
        for line in lines
        if line.invitation is not None and line.invitation.ended_at is None and not line.user.has_credentials
    ]
    reviews = list(
        db.session.scalars(
            select(AccessReview)
            .options(joinedload(AccessReview.reviewer))
            .where(AccessReview.body_id == body.id)
            .order_by(AccessReview.confirmed_at.desc(), AccessReview.id.desc())
        )
    )
    start = period_start(to_local(now()).date())
    return AccessOverview(
        body=body,
        lines=lines,
        open_invitations=open_ones,
        reviews=reviews,
        period_start=start,
        reviewed_this_period=any(r.confirmed_at >= period_begins_at(start) for r in reviews),
    )


def _latest_invitations(user_ids: list[int]) -> dict[int, Invitation]:
    """Per user, their latest invitation (with who sent it), if any."""
    if not user_ids:
        return {}
    latest = (
        select(func.max(Invitation.id)).where(Invitation.user_id.in_(user_ids)).group_by(Invitation.user_id)
    ).scalar_subquery()
    return {
        invitation.user_id: invitation
        for invitation in db.session.scalars(
            select(Invitation).options(joinedload(Invitation.invited_by)).where(Invitation.id.in_(latest))
        )
    }


#: How a named item is called and where it is, per table; an item of another kind is named without a link.
_KINDS: dict[str, tuple[Any, Any]] = {
    "meetings": (_l("Vergadering"), lambda o: ("meetings.meeting", {"meeting_id": o.id})),
    "agenda_items": (_l("Agendapunt"), lambda o: ("meetings.agenda_item", {"item_id": o.id})),
    "documents": (_l("Document"), lambda o: ("meetings.document_download", {"document_id": o.id})),
    "decisions": (_l("Besluit"), lambda o: ("meetings.decision", {"decision_id": o.id})),
    "minutes": (_l("Verslag"), lambda o: ("meetings.minutes", {"meeting_id": o.meeting_id})),
    "notes": (_l("Notitie"), lambda o: ("meetings.note", {"note_id": o.id})),
    "cases": (_l("Zaak"), lambda o: ("cases.case", {"case_id": o.id})),
}


def _title(obj: Any) -> str:
    for name in ("title", "text"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value if len(value) <= 120 else value[:119] + "…"
    return str(obj.audit_label)


def _audience_models() -> list[Any]:
    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, AudienceMixin)),
        key=lambda model: model.__tablename__,
    )


def _named_items(viewer: User, body: Body, user_ids: list[int]) -> dict[int, list[NamedItem]]:
    """Per member, the vertrouwelijk items of this body that name them and that ``viewer`` may see."""
    found: dict[int, list[NamedItem]] = defaultdict(list)
    if not user_ids:
        return found
    # An alias: the policy's filter asks about the reader's own grant, which must not correlate with these.
    grant = aliased(AudienceGrant)
    for model in _audience_models():
        table = model.__tablename__
        rows = db.session.execute(
            select(grant.user_id, model)
            .join(model, and_(grant.object_type == table, grant.object_id == model.id))
            .where(
                grant.user_id.in_(user_ids),
                model.body_id == body.id,
                model.audience == Audience.VERTROUWELIJK,
                visible(viewer, model),
            )
            .order_by(model.id)
        )
        kind, link = _KINDS.get(table, (_l("Stuk"), None))
        for user_id, obj in rows:
            url = None
            if link is not None:
                endpoint, values = link(obj)
                url = url_for(endpoint, **values)
            found[user_id].append(NamedItem(kind=str(kind), title=_title(obj), url=url))
    return found


# --- confirming a review ---------------------------------------------------------------------------


@service
def confirm_review(actor: User, body: Body, *, note: str | None = None) -> AccessReview:
    """Record that ``actor`` reviewed who has access to ``body``, now, with what they found."""
    ensure(actor, Action.CONFIRM_REVIEW, body)
    review = AccessReview(body_id=body.id, reviewer_id=actor.id, confirmed_at=now(), note=(note or "").strip())
    db.session.add(review)
    return review


# --- the export --------------------------------------------------------------------------------------


def review_table(viewer: User, body: Body) -> Table:
    """The review page's list of people as a table (XLSX, CSV), for the periodic review's file."""
    view = overview(viewer, body)
    columns = [
        Column(_l("Naam"), 28),
        Column(_l("E-mailadres"), 32),
        Column(_l("Organisatie"), 28),
        Column(_l("Kant"), 8),
        Column(_l("Rol"), 14),
        Column(_l("Rol sinds"), 12),
        Column(_l("Laatst aangemeld"), 16),
        Column(_l("Account"), 18),
        Column(_l("Tweede stap"), 10),
        Column(_l("Genoemd op vertrouwelijke stukken"), 50, wrap=True),
    ]
    rows = [
        [
            line.user.name,
            line.user.email,
            line.user.organisation.name,
            label(line.user.side),
            label(line.membership.role),
            line.membership.role_since,
            line.user.last_login_at,
            line.status,
            line.user.mfa_enabled,
            "; ".join(f"{item.kind}: {item.title}" for item in line.named),
        ]
        for line in view.lines
    ]
    return Table(sheet=_("Toegang %(body)s", body=body.name), columns=columns, rows=rows)


def review_filename(body: Body) -> str:
    return f"toegang-{body.slug}-{to_local(now()).date().isoformat()}"
