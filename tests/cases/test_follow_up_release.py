"""What follows from a decision becomes visible, and is announced, when the decision does: an action
recorded on a concept besluitenlijst waits with it for the secretariat to publish."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from cases.models import Case
from core.dates import today
from core.extensions import db
from meetings.models import AgendaItem, Meeting
from meetings.services import decisions
from notify.models import Notification
from notify.services import plan_due
from tests.conftest import in_app, user
from tests.meetings.builders import OWNER, SEC, meeting_with_items

YEAR = date.today().year + 2


def _concept_with_an_action(app, clock) -> tuple[int, int, int]:
    """(meeting, action, the item it came from) on a concept besluitenlijst; the action's owner is the
    province."""
    with in_app(app):
        meeting = meeting_with_items(YEAR, clock=clock, release=False)
        action = db.session.scalars(
            select(Case).join(Meeting, Meeting.id == meeting).where(Case.title.like("Actie %"))
        ).all()
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting)).one()
        case = next(c for c in action if c.agenda_item_id == item.id)
        return meeting, case.id, item.id


def _announcements(case_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.kind == "zaak-nieuw",
                Notification.subject_type == "cases",
                Notification.subject_id == case_id,
            )
        )
    )


def test_the_owner_meets_the_action_only_once_the_besluitenlijst_is_out(app, clients, clock):
    meeting, case_id, _item = _concept_with_an_action(app, clock)
    owner = clients(OWNER)
    assert owner.get(f"/zaken/{case_id}").status_code == 404
    for page in ("/", "/acties", "/overleggen/bo-brainport/acties"):
        assert f"/zaken/{case_id}" not in owner.get(page).get_data(as_text=True), page
    assert clients(SEC).get(f"/zaken/{case_id}").status_code == 200
    with in_app(app):
        decisions.publish_besluitenlijst(
            user(SEC), db.session.get(Meeting, meeting), comments_deadline=today() + timedelta(days=10)
        )
    assert owner.get(f"/zaken/{case_id}").status_code == 200
    assert f"/zaken/{case_id}" in owner.get("/acties").get_data(as_text=True)


def test_the_action_is_announced_when_the_besluitenlijst_goes_out_not_before(app, clock):
    meeting, case_id, _item = _concept_with_an_action(app, clock)
    with in_app(app):
        plan_due()
        assert _announcements(case_id) == []
        decisions.publish_besluitenlijst(
            user(SEC), db.session.get(Meeting, meeting), comments_deadline=today() + timedelta(days=10)
        )
    with in_app(app):
        plan_due()
        told = _announcements(case_id)
        assert {n.recipient_id for n in told} == {user(OWNER).id}
        published = db.session.get(Meeting, meeting).besluitenlijst_published_at
        assert all(n.due_at == published for n in told)
        plan_due()
        assert len(_announcements(case_id)) == len(told)  # once


def test_the_progress_item_of_a_later_meeting_lists_the_action_only_once_it_is_out(app, clients, clock):
    _meeting, case_id, _item = _concept_with_an_action(app, clock)
    from cases.services.cases import progress_report
    from meetings.services import agenda
    from tests.conftest import new_meeting

    with in_app(app):
        later = new_meeting(date(YEAR + 1, 3, 10))
        progress = agenda.add_progress_item(user(SEC), later)
        open_cases, _closed, _previous = progress_report(user(OWNER), progress)
        assert case_id not in {c.id for c in open_cases}
        assert case_id in {c.id for c in progress_report(user(SEC), progress)[0]}
