"""Attendance ahead: members sign in or off for a meeting, per seat of their own organisation, and name
a stand-in; what they said pre-fills the secretariat's attendance on the day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.models import User
from auth.policy import Action, can, ensure
from core.acting import service
from core.dates import now, show_date
from core.db import is_storable_id
from core.errors import DomainError
from core.extensions import db
from meetings.models import Attendance, AttendanceNotice, AttendanceStatus, Meeting, Seat


def notices_of(meeting: Meeting) -> dict[int, AttendanceNotice]:
    """Every notice given for this meeting, per seat, with who gave it (for the secretariat's form)."""
    return {
        notice.seat_id: notice
        for notice in db.session.scalars(
            select(AttendanceNotice)
            .where(AttendanceNotice.meeting_id == meeting.id)
            .options(joinedload(AttendanceNotice.user))
        )
    }


def may_give_notice(user: User, meeting: Meeting) -> bool:
    """Members who take part may sign in or off until the meeting's day."""
    return can(user, Action.PARTICIPATE, meeting) and not meeting.day_reached


@dataclass
class OwnSeat:
    """A seat of the reader's organisation at this meeting's table, and what was said about it."""

    seat: Seat
    notice: AttendanceNotice | None


def own_seats(user: User, meeting: Meeting) -> list[OwnSeat]:
    """The seats of the user's organisation in the meeting's body, with their notices, for members who
    take part (nobody else signs in or off, and nobody else reads it here)."""
    if not can(user, Action.PARTICIPATE, meeting):
        return []
    seats = list(
        db.session.scalars(
            select(Seat)
            .where(Seat.body_id == meeting.body_id, Seat.organisation_id == user.organisation_id)
            .order_by(Seat.position, Seat.id)
        )
    )
    notices = notices_of(meeting) if seats else {}
    return [OwnSeat(seat, notices.get(seat.id)) for seat in seats]


@service
def give_notice(
    actor: User,
    meeting: Meeting,
    *,
    seat_id: int,
    status: AttendanceStatus,
    replaced_by: str | None = None,
) -> AttendanceNotice:
    """A member says, for a seat of their own organisation, whether its holder comes, does not come, or
    is replaced (by whom); until the meeting's day. The last word per seat counts."""
    ensure(actor, Action.PARTICIPATE, meeting)
    if meeting.day_reached:
        raise DomainError(
            _(
                "Aan- of afmelden kon tot de dag van de vergadering (%(date)s). Laat het secretariaat weten wie er "
                "komt.",
                date=show_date(meeting.day),
            )
        )
    seat = db.session.get(Seat, seat_id) if is_storable_id(seat_id) else None
    if seat is None or seat.body_id != meeting.body_id or seat.organisation_id != actor.organisation_id:
        raise DomainError(_("U kunt alleen aan- of afmelden voor een zetel van uw eigen organisatie."))
    status = AttendanceStatus(status)
    stand_in = (replaced_by or "").strip() or None
    if status is AttendanceStatus.VERVANGEN and not stand_in:
        raise DomainError(_("Vul in wie de zetel vervangt."), field="replaced_by")
    if status is not AttendanceStatus.VERVANGEN:
        stand_in = None
    notice = db.session.scalars(
        select(AttendanceNotice).where(AttendanceNotice.meeting_id == meeting.id, AttendanceNotice.seat_id == seat.id)
    ).one_or_none()
    if notice is None:
        notice = AttendanceNotice(meeting_id=meeting.id, seat_id=seat.id, body_id=meeting.body_id)
        db.session.add(notice)
    notice.status, notice.replaced_by = status, stand_in
    notice.user_id, notice.updated_at = actor.id, now()
    return notice


def attendance_entries(
    rows: list[tuple[Seat, Attendance | None]], notices: dict[int, AttendanceNotice]
) -> list[dict[str, Any]]:
    """The attendance form's first values per seat: what was recorded, else what the members said ahead,
    else present."""
    entries = []
    for seat, record in rows:
        said = notices.get(seat.id)
        source: Attendance | AttendanceNotice | None = record or said
        entries.append(
            {
                "seat_id": seat.id,
                "status": (source.status if source else AttendanceStatus.AANWEZIG).value,
                "replaced_by": source.replaced_by if source else None,
            }
        )
    return entries
