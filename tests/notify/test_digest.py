"""The digest of documents added after the agenda went out: one message per member per meeting per day,
the next morning, written when it goes out in the recipient's language with only what they may see.
A regio member is never told of a Rijk-only document: no message, no line, no count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from auth.models import User
from auth.services import set_own_language
from core.dates import local_to_utc
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.jobs.notifications import DIGEST
from meetings.models import AgendaItem, AgendaItemKind, Meeting
from meetings.services import agenda
from notify import services
from notify.models import Notification, NotificationState
from tests.conftest import in_app, new_meeting, user

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
EINDHOVEN = "economie@eindhoven.test"
WAARNEMER = "beleid@ienw.test"
TOKEN = "test:digest"

DAY = datetime.now(UTC).date() + timedelta(days=3)
MEETING_DAY = date(DAY.year + 3, 3, 10)


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute))


def setup_meeting(app: Any, clock: Any) -> tuple[int, int]:
    """A published BO-Brainport agenda with one item, the day before ``DAY``."""
    clock(moment(DAY - timedelta(days=1), 9))
    with in_app(app):
        meeting = new_meeting(MEETING_DAY, location="Eindhoven")
        item = agenda.add_agenda_item(user(SEC), meeting, title="Netcongestie", kind=AgendaItemKind.TER_BESPREKING)
        db.session.flush()
        agenda.publish_agenda(user(SEC), meeting)
        return meeting.id, item.id


def add(app: Any, clock: Any, meeting_id: int, item_id: int, title: str, hour: int, **options: Any) -> None:
    clock(moment(DAY, hour))
    with in_app(app):
        agenda.add_document(
            user(options.pop("by", SEC)),
            db.session.get(Meeting, meeting_id),
            agenda_item=db.session.get(AgendaItem, item_id),
            title=title,
            filename=f"{title.lower().replace(' ', '-')}.pdf",
            content=text_pdf(title, ["Inhoud."]),
            **options,
        )


def digests(meeting_id: int) -> dict[str, Notification]:
    rows = db.session.scalars(
        select(Notification).where(Notification.kind == DIGEST, Notification.subject_id == meeting_id)
    )
    return {db.session.get(User, n.recipient_id).email: n for n in rows}  # type: ignore[union-attr]


def test_one_digest_per_member_per_day_with_only_what_each_may_see(app, clock):
    meeting_id, item_id = setup_meeting(app, clock)
    add(app, clock, meeting_id, item_id, "Nagekomen notitie netcongestie", 10)
    add(app, clock, meeting_id, item_id, "Rijksinzet netcongestie", 11, audience=Audience.RIJK)
    add(app, clock, meeting_id, item_id, "Presentatie netbeheerder", 15)

    clock(moment(DAY, 16))
    with in_app(app):
        services.plan_due()
        services.plan_due()  # planning twice plans once
        planned = digests(meeting_id)
        assert {REGIO, EINDHOVEN, RIJK, WAARNEMER} <= set(planned)
        assert SEC not in planned, "the only secretariat member added them all"
        assert all(n.due_at == moment(DAY + timedelta(days=1), 8) for n in planned.values())
        assert all(n.planned_for == DAY for n in planned.values())
        assert len({n.key for n in planned.values()}) == len(planned)

    with in_app(app):
        set_own_language(user(EINDHOVEN), locale="en")  # written in the recipient's language, whoever sends it
    clock(moment(DAY + timedelta(days=1), 8, 5))
    with in_app(app):
        report = services.dispatch(TOKEN)
        assert report.failed == 0
        sent = {email: n for email, n in digests(meeting_id).items()}
        regio, rijk, english = sent[REGIO], sent[RIJK], sent[EINDHOVEN]
        assert regio.state is NotificationState.IN_POSTVAK
        assert "2 stukken toegevoegd" in regio.mail_text
        assert "1. Netcongestie: Nagekomen notitie netcongestie (PDF)" in regio.mail_text
        assert "Presentatie netbeheerder" in regio.mail_text
        assert "Rijksinzet" not in regio.mail_text and "Rijksinzet" not in (regio.mail_subject or "")
        assert "3 stukken toegevoegd" in rijk.mail_text and "Rijksinzet netcongestie" in rijk.mail_text
        assert english.mail_subject.startswith("New documents: ") and "2 documents were added" in english.mail_text
        # Sent once: a next round has nothing more to send.
        assert services.dispatch(TOKEN).kept == 0


def test_a_rijk_only_document_plans_nothing_for_the_regio(app, clock):
    meeting_id, item_id = setup_meeting(app, clock)
    add(app, clock, meeting_id, item_id, "Rijksinzet netcongestie", 10, audience=Audience.RIJK)
    clock(moment(DAY, 16))
    with in_app(app):
        services.plan_due()
        planned = digests(meeting_id)
        assert RIJK in planned and WAARNEMER in planned
        assert REGIO not in planned and EINDHOVEN not in planned, "not even a message that lapses"


def test_documents_on_the_agenda_before_it_went_out_bring_no_digest(app, clock):
    clock(moment(DAY, 9))
    with in_app(app):
        meeting = new_meeting(MEETING_DAY, location="Eindhoven")
        item = agenda.add_agenda_item(user(SEC), meeting, title="Netcongestie", kind=AgendaItemKind.TER_BESPREKING)
        db.session.flush()
        agenda.add_document(
            user(SEC), meeting, agenda_item=item, title="Annotatie", filename="annotatie.pdf", content=text_pdf("A", [])
        )
        clock(moment(DAY, 10))
        agenda.publish_agenda(user(SEC), meeting)
        meeting_id = meeting.id
    clock(moment(DAY, 16))
    with in_app(app):
        services.plan_due()
        assert digests(meeting_id) == {}, "the invitation lists the agenda; its documents are no news"


def test_a_digest_whose_documents_are_gone_or_hidden_by_then_lapses(app, clock):
    meeting_id, item_id = setup_meeting(app, clock)
    add(app, clock, meeting_id, item_id, "Voorlopige notitie", 10)
    clock(moment(DAY, 16))
    with in_app(app):
        services.plan_due()
        assert REGIO in digests(meeting_id)
        from meetings.models import Document

        document = db.session.scalars(select(Document).where(Document.title == "Voorlopige notitie")).one()
        agenda.remove_document(user(SEC), document)
    clock(moment(DAY + timedelta(days=1), 8, 5))
    with in_app(app):
        services.dispatch(TOKEN)
        lapsed = digests(meeting_id)[REGIO]
        assert lapsed.state is NotificationState.VERVALLEN and lapsed.mail_text is None
        assert lapsed.note == "Geen nieuwe stukken die de ontvanger kan zien."


def test_each_day_has_its_own_digest(app, clock):
    meeting_id, item_id = setup_meeting(app, clock)
    add(app, clock, meeting_id, item_id, "Eerste notitie", 10)
    clock(moment(DAY + timedelta(days=1), 10))
    with in_app(app):
        agenda.add_document(
            user(SEC),
            db.session.get(Meeting, meeting_id),
            agenda_item=db.session.get(AgendaItem, item_id),
            title="Tweede notitie",
            filename="tweede.pdf",
            content=text_pdf("Tweede", ["Inhoud."]),
        )
    clock(moment(DAY + timedelta(days=1), 16))
    with in_app(app):
        services.plan_due()
        mine = db.session.scalars(
            select(Notification).where(
                Notification.kind == DIGEST,
                Notification.subject_id == meeting_id,
                Notification.recipient_id == user(REGIO).id,
            )
        ).all()
        assert sorted(n.planned_for for n in mine) == [DAY, DAY + timedelta(days=1)]
