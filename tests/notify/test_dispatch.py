"""Planning and sending within one process: the outbox, retries, what lapses, and what a message
may say to whom."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from auth.models import Membership
from cases import engine
from cases.models import Case, CaseType
from cases.services.cases import change_due_date, create_follow_up
from cases.services.planning import REMINDER, occurrences
from cases.workflows import FOLLOW_UP_REMINDERS
from core.dates import local_to_utc, to_local, today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItem, AgendaItemKind, Meeting
from meetings.services import agenda, cycles
from meetings.services.bodies import remove_member
from notify import services
from notify.models import Notification, NotificationState
from notify.registry import Planned
from tests.conftest import account, find_body, in_app, new_meeting, user
from tests.notify.conftest import SmtpServer

TOKEN = "test:1:abc"
WEEK_BEFORE, DAY_BEFORE, ESCALATION = FOLLOW_UP_REMINDERS


def plan_and_dispatch() -> services.DispatchReport:
    services.plan_due()
    return services.dispatch(TOKEN)


def rows(**where: Any) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    for key, value in where.items():
        query = query.where(getattr(Notification, key) == value)
    return list(db.session.scalars(query))


def user_email(user_id: int) -> str:
    from auth.models import User

    return db.session.get(User, user_id).email  # type: ignore[union-attr]


def new_action(**changes: Any) -> Case:
    values: dict[str, Any] = {
        "case_type": CaseType.ACTIEPUNT,
        "title": "Verkenning laadpleinen op bedrijventerreinen",
        "owner_organisation_id": user("economie@noord-brabant.test").organisation_id,
        "assignee_id": user("economie@noord-brabant.test").id,
        "due_date": today() + timedelta(days=5),
        **changes,
    }
    case = create_follow_up(user("secretariaat@ezk.test"), find_body(), **values)
    db.session.flush()
    return case


# --- when reminders fall --------------------------------------------------------------------------


def test_reminders_fall_a_week_and_a_day_before_and_escalate_weekly_without_a_backlog():
    due = date(2026, 3, 20)
    assert occurrences(WEEK_BEFORE, due, date(2026, 3, 1)) == []  # more than a week ahead of its day
    assert occurrences(WEEK_BEFORE, due, date(2026, 3, 10)) == [date(2026, 3, 13)]
    assert occurrences(DAY_BEFORE, due, date(2026, 3, 15)) == [date(2026, 3, 19)]
    # After the due date a reminder "before" is of no use: it is not planned any more.
    assert occurrences(WEEK_BEFORE, due, date(2026, 3, 21)) == []
    # Escalation: the day after, then every week; only the latest one due and the next within a week.
    assert occurrences(ESCALATION, due, date(2026, 3, 18)) == [date(2026, 3, 21)]
    assert occurrences(ESCALATION, due, date(2026, 3, 21)) == [date(2026, 3, 21), date(2026, 3, 28)]
    assert occurrences(ESCALATION, due, date(2026, 5, 1)) == [date(2026, 4, 25), date(2026, 5, 2)]


def test_a_new_action_plans_its_reminders_for_the_assignee_and_the_secretariat(app):
    with in_app(app):
        case = new_action(due_date=today() + timedelta(days=5))
        planned = rows(subject_type="cases", subject_id=case.id)
        brabant, sec = user("economie@noord-brabant.test"), user("secretariaat@ezk.test")
        variants = {(n.variant, n.recipient_id) for n in planned}
        assert ("dag-vooraf", brabant.id) in variants
        # Made five days before its date: no reminder "a week before", dated before it existed.
        assert ("week-vooraf", brabant.id) not in variants
        later = new_action(title="Over tien dagen", due_date=today() + timedelta(days=10))
        assert {(n.variant, n.recipient_id) for n in rows(subject_type="cases", subject_id=later.id)} >= {
            ("week-vooraf", brabant.id)
        }
        # The secretariat hears of it only if it gets overdue: the first escalation is planned for
        # the day after the due date (and lapses if the action is done by then).
        escalations = [n for n in planned if n.recipient_id == sec.id]
        assert escalations and all(n.variant == "escalatie" for n in escalations)
        assert min(n.due_at for n in escalations) == local_to_utc(case.due_date + timedelta(days=1), time(8))
        day_before = next(n for n in planned if n.variant == "dag-vooraf")
        assert day_before.due_at == local_to_utc(today() + timedelta(days=4), time(8))
        # The new action itself is told to its assignee.
        assert rows(kind="zaak-nieuw", subject_id=case.id, recipient_id=brabant.id)


def test_planning_the_same_thing_twice_plans_it_once(app):
    with in_app(app):
        entry = Planned(
            key="test:dubbel",
            kind=REMINDER,
            recipient_id=user("beleid@ezk.test").id,
            subject_type="cases",
            subject_id=1,
            due_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
        assert services.plan([entry, entry]) == 1
        assert services.plan([entry]) == 0
        assert len(rows(key="test:dubbel")) == 1


# --- the outbox, the mail server, retries ---------------------------------------------------------


def test_without_a_mail_server_due_messages_wait_in_the_outbox_and_go_out_once_there_is_one(
    app, smtp: SmtpServer, monkeypatch
):
    with in_app(app):
        report = plan_and_dispatch()
        kept = rows(state=NotificationState.IN_POSTVAK)
        assert report.kept == len(kept) > 0 and report.sent == 0
        assert all(n.mail_subject and n.mail_text for n in kept)
        for key, value in smtp.config().items():
            monkeypatch.setitem(app.config, key, value)
        report = services.dispatch(TOKEN)
        assert report.sent == len(kept)
        assert not rows(state=NotificationState.IN_POSTVAK)
        received = smtp.inbox.message_ids()
        assert len(received) == len(kept) and set(received.values()) == {1}
        sent = rows(state=NotificationState.VERZONDEN)
        assert {n.message_id for n in sent} == set(received)


def test_the_beheerder_reads_the_outbox_and_each_message(app, clients):
    with in_app(app):
        plan_and_dispatch()
        kept = rows(state=NotificationState.IN_POSTVAK)[0]
        subject, email = kept.mail_subject, user_email(kept.recipient_id)
    beheer = clients("beheer@regiotafel.test")
    page = beheer.get("/beheer/postvak?status=in_postvak").get_data(as_text=True)
    assert "geen mailserver" in page and email in page
    message = beheer.get(f"/beheer/postvak/{kept.id}").get_data(as_text=True)
    assert email in message and "in postvak" in message
    # The beheerder is a member of no body: who gets what kind of message, and when, but not what
    # it says about items the beheerder may not see.
    assert str(subject) not in page and str(subject) not in message
    assert "alleen te lezen voor wie mag zien" in message
    assert clients("secretariaat@ezk.test").get("/beheer/postvak").status_code == 403


def test_a_server_that_says_try_later_gets_the_message_again_later_and_one_that_refuses_marks_it_failed(
    app, smtp: SmtpServer, monkeypatch
):
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)
    with in_app(app):
        services.plan_due()
        smtp.inbox.refuse = "451 4.7.1 Probeer het later nog eens"
        report = services.dispatch(TOKEN)
        due = report.retried
        assert due > 0 and report.sent == 0
        retried = [n for n in rows() if n.attempts == 1]
        assert len(retried) == due
        assert all(n.state is NotificationState.GEPLAND and n.due_at > datetime.now(UTC) for n in retried)
        assert "451" in (retried[0].note or "")
        # Due again (a minute later), and now the server refuses for good.
        smtp.inbox.refuse = "550 5.1.1 Onbekende ontvanger"
        for notification in retried:
            notification.due_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        report = services.dispatch(TOKEN)
        assert report.failed == due
        assert all(n.state is NotificationState.MISLUKT for n in rows() if n.attempts == 1)
        assert not smtp.inbox.accepted


def test_a_message_still_held_by_another_process_is_left_alone_until_its_lease_runs_out(app, clock):
    with in_app(app):
        services.plan_due()
        theirs = services.claim("other:2:def", with_mail_server=False, batch=100)
        assert theirs
        assert services.dispatch(TOKEN).kept == 0  # all due ones are theirs
        assert all(n.state is NotificationState.BEZIG for n in rows() if n.id in theirs)
        clock(datetime.now(UTC) + timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1))
        report = services.dispatch(TOKEN)
        assert report.kept + report.lapsed >= len(theirs)
        assert not any(n.state is NotificationState.BEZIG for n in rows() if n.id in theirs)


# --- what lapses ----------------------------------------------------------------------------------


def test_a_reminder_lapses_when_the_action_is_done_or_its_date_moved(app, clock):
    with in_app(app):
        sec, brabant = user("secretariaat@ezk.test"), user("economie@noord-brabant.test")
        done = new_action(title="Gereed voordat de herinnering uitging")
        moved = new_action(title="Datum verschoven")
        engine.fire(brabant, done, "gereed_melden")
        change_due_date(sec, moved, due_date=today() + timedelta(days=9), reason="Na het BO.")
        db.session.commit()
        clock(local_to_utc(today() + timedelta(days=4), time(9)))
        plan_and_dispatch()
        lapsed = {
            (n.subject_id, n.note)
            for n in rows(kind=REMINDER, state=NotificationState.VERVALLEN)
            if n.subject_id in (done.id, moved.id)
        }
        assert (done.id, "De zaak is gereed gemeld.") in lapsed
        assert (moved.id, "De datum is verplaatst.") in lapsed
        # The moved action has reminders for its new date instead.
        assert any(n.planned_for == moved.due_date for n in rows(kind=REMINDER, subject_id=moved.id))


def test_a_reminder_lapses_for_someone_who_left_the_body(app, clock):
    with in_app(app):
        case = new_action()
        brabant = user("economie@noord-brabant.test")
        membership = db.session.scalars(
            select(Membership).where(Membership.user_id == brabant.id, Membership.body_id == find_body().id)
        ).one()
        remove_member(user("beheer@regiotafel.test"), membership)
        db.session.commit()
        clock(local_to_utc(today() + timedelta(days=4), time(9)))
        services.dispatch(TOKEN)
        mine = [n for n in rows(subject_id=case.id, kind=REMINDER) if n.recipient_id == brabant.id]
        assert mine and all(n.state is NotificationState.VERVALLEN for n in mine if n.due_at <= datetime.now(UTC))
        assert any("niet (meer) zien" in (n.note or "") for n in mine)


# --- what a message may say -----------------------------------------------------------------------


def _internal_titles_hidden_from(email: str) -> list[str]:
    """Titles of cases and agenda items this user may not see (Rijk-internal ones, for a regio user)."""
    from auth.policy import visible

    person = user(email)
    titles = []
    for model in (Case, AgendaItem):
        titles += db.session.scalars(select(model.title).where(~visible(person, model))).all()
    return [t for t in titles if len(t) > 12]


def test_no_message_to_a_regio_user_names_a_rijk_internal_item(app, smtp: SmtpServer, monkeypatch):
    with in_app(app):
        # A Rijk-only action due soon, and a stale plan that names it to the province (as if it
        # had been planned while the action was still for the whole table).
        sec, brabant = user("secretariaat@ezk.test"), user("economie@noord-brabant.test")
        secret = new_action(
            title="Geheime inzet Rijk voor het BO over de netcapaciteit",
            owner_organisation_id=sec.organisation_id,
            assignee_id=None,
            audience=Audience.RIJK,
        )
        services.plan(
            [
                Planned(
                    key=f"zaak:{secret.id}:test:{brabant.id}",
                    kind=REMINDER,
                    variant="week-vooraf",
                    recipient_id=brabant.id,
                    subject_type="cases",
                    subject_id=secret.id,
                    planned_for=secret.due_date,
                    due_at=datetime.now(UTC) - timedelta(minutes=1),
                )
            ]
        )
        # The next BO-Brainport's agenda, with a Rijk-only item, goes out: invitations follow.
        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == find_body().id, Meeting.agenda_published_at.is_(None))
        ).one()
        rijk_item = agenda.add_agenda_item(
            sec,
            upcoming,
            title="Rijksvoorbereiding: onderhandelingsruimte",
            kind=AgendaItemKind.TER_BESPREKING,
            audience=Audience.RIJK,
        )
        db.session.flush()
        agenda.move_agenda_item(sec, rijk_item, position=rijk_item.position - 2)  # in the middle: a gap would show
        agenda.publish_agenda(sec, upcoming)
        db.session.commit()
        for key, value in smtp.config().items():
            monkeypatch.setitem(app.config, key, value)
        plan_and_dispatch()
        hidden = _internal_titles_hidden_from("economie@noord-brabant.test")
        assert "Geheime inzet Rijk voor het BO over de netcapaciteit" in hidden
        to_province = [m for m in smtp.inbox.accepted if brabant.email in str(m["To"])]
        invitation = next(m for m in to_province if "Uitnodiging" in str(m["Subject"]))
        text = invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        numbers = [int(n) for n in re.findall(r"^  (\d+)\. ", text, flags=re.MULTILINE)]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 4, text
        for message in to_province:
            text = str(message["Subject"]) + message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            for title in hidden:
                assert title not in text, f"{title!r} in a message to the province: {message['Subject']}"
        stale = rows(key=f"zaak:{secret.id}:test:{brabant.id}")[0]
        assert stale.state is NotificationState.VERVALLEN and "kan de zaak niet" in (stale.note or "")
        # The Rijk gets the same invitation with its own item on it.
        to_ezk = [
            m for m in smtp.inbox.accepted if "beleid@ezk.test" in str(m["To"]) and "Uitnodiging" in str(m["Subject"])
        ]
        assert "Rijksvoorbereiding" in to_ezk[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_meeting_invitation_carries_an_icalendar_event(app, smtp: SmtpServer, monkeypatch):
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)
    with in_app(app):
        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == find_body().id, Meeting.agenda_published_at.is_(None))
        ).one()
        agenda.publish_agenda(user("secretariaat@ezk.test"), upcoming)
        db.session.commit()
        plan_and_dispatch()
        invitation = next(
            m for m in smtp.inbox.accepted if "Uitnodiging" in str(m["Subject"]) and "beleid@ocw.test" in str(m["To"])
        )
        ics = next(part for part in invitation.iter_attachments() if part.get_content_type() == "text/calendar")
        calendar = Calendar.from_ical(ics.get_content())
        assert str(calendar["METHOD"]) == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert event.decoded("DTSTART") == upcoming.starts_at
        assert str(event["UID"]).startswith(f"vergadering-{upcoming.id}@")
        assert f"/vergaderingen/{upcoming.id}" in str(event["URL"])
        assert "beleid@ocw.test" in str(event["ATTENDEE"])


@pytest.mark.parametrize("moved", [False, True])
def test_a_meeting_that_moves_after_its_invitation_gets_a_new_one(app, moved):
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == find_body().id, Meeting.agenda_published_at.is_(None))
        ).one()
        agenda.publish_agenda(sec, upcoming)
        db.session.commit()
        plan_and_dispatch()
        first = len(rows(kind="uitnodiging"))
        if moved:
            cycles.update_meeting(
                sec,
                upcoming,
                meeting_date=to_local(upcoming.starts_at).date(),
                start_time=time(15),
                end_time=time(17),
                location=upcoming.location,
                chair=upcoming.chair,
            )
            db.session.commit()
        plan_and_dispatch()
        assert len(rows(kind="uitnodiging")) == (2 * first if moved else first)


# --- the progress item ----------------------------------------------------------------------------


def test_the_scheduler_puts_the_progress_item_on_a_coming_agenda_once(app, clock):
    from meetings.jobs.notifications import _progress_items_job

    with in_app(app):
        sec = user("secretariaat@ezk.test")
        meeting = new_meeting(today() + timedelta(days=300), location="Eindhoven")
        db.session.commit()
        assert "0 voortgangspunt" in _progress_items_job(TOKEN)  # too far ahead yet
        clock(meeting.starts_at - timedelta(days=30))
        assert "1 voortgangspunt" in _progress_items_job(TOKEN)
        item = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.is_progress_report)
        ).one()
        assert item.audience is meeting.audience
        # Taken off by the secretariat, it is not put back.
        agenda.remove_agenda_item(sec, item)
        db.session.commit()
        assert "0 voortgangspunt" in _progress_items_job(TOKEN)


def test_the_progress_item_lists_open_and_overdue_actions_as_far_as_the_reader_may_see(app, clients):
    with in_app(app):
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.is_progress_report)).one()
        agenda.publish_agenda(user("secretariaat@ezk.test"), db.session.get(Meeting, item.meeting_id))
        annotation = db.session.scalars(
            select(Case).where(Case.title == "Annotatie voor de bewindspersonen opstellen")
        ).one()
        overdue = db.session.scalars(
            select(Case).where(Case.title == "Knelpunten netcapaciteit in kaart brengen met de netbeheerder")
        ).one()
    rijk = clients("beleid@ezk.test").get(f"/agendapunten/{item.id}").get_data(as_text=True)
    regio = clients("economie@noord-brabant.test").get(f"/agendapunten/{item.id}").get_data(as_text=True)
    assert overdue.title in rijk and overdue.title in regio and "te laat" in regio
    assert annotation.title in rijk and annotation.title not in regio


def test_postponing_an_overdue_action_keeps_the_escalations_coming(app, clock):
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        late = new_action(title="Al over de datum")
        postponed = late.due_date + timedelta(days=1)
        clock(local_to_utc(late.due_date + timedelta(days=3), time(9)))  # three days after its due date
        services.plan_due()
        first = rows(kind=REMINDER, subject_id=late.id, variant="escalatie")
        assert first
        change_due_date(sec, late, due_date=postponed, reason="Een dag uitstel, toch te laat.")
        db.session.commit()
        services.plan_due()
        moved = [
            n for n in rows(kind=REMINDER, subject_id=late.id, variant="escalatie") if n.planned_for == late.due_date
        ]
        assert moved, "the new date has escalations of its own"


def test_a_day_before_reminder_sent_on_the_day_itself_says_today(app, clock, smtp: SmtpServer, monkeypatch):
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)
    with in_app(app):
        # Made at seven in the morning: its own announcement is over three days old when the reminders
        # go out at nine, whatever the hour this test runs at.
        clock(local_to_utc(today(), time(7)))
        case = new_action(title="Vandaag klaar", due_date=today() + timedelta(days=3))
        clock(local_to_utc(today() + timedelta(days=3), time(9)))  # the scheduler was down a day
        services.dispatch(TOKEN)
        subjects = [str(m["Subject"]) for m in smtp.inbox.accepted if case.reference in str(m["Subject"])]
        assert subjects == [f"Vandaag gereed: {case.reference} Vandaag klaar"]


def test_an_unreachable_mail_server_costs_no_attempt_and_the_next_round_sends(app, smtp: SmtpServer, monkeypatch):
    from tests.notify.conftest import free_port

    with in_app(app):
        services.plan_due()
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens
        report = services.dispatch(TOKEN)
        assert report.sent == 0 and report.retried == 0 and report.failed == 0
        assert report.errors and "Geen verbinding" in report.errors[0]
        assert not rows(state=NotificationState.BEZIG)
        assert all(n.attempts == 0 for n in rows())
        for key, value in smtp.config().items():
            monkeypatch.setitem(app.config, key, value)
        assert services.dispatch(TOKEN).sent > 0


def test_the_beheerder_sends_a_failed_message_again(app, clients, smtp: SmtpServer, monkeypatch):
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)
    smtp.inbox.refuse = "550 5.1.1 Onbekende ontvanger"
    with in_app(app):
        services.plan_due()
        services.dispatch(TOKEN)
        failed = rows(state=NotificationState.MISLUKT)[0]
    smtp.inbox.refuse = None
    beheer = clients("beheer@regiotafel.test")
    assert "Opnieuw versturen" in beheer.get(f"/beheer/postvak/{failed.id}").get_data(as_text=True)
    assert beheer.post_form(f"/beheer/postvak/{failed.id}/opnieuw").status_code == 302
    with in_app(app):
        again = db.session.get(Notification, failed.id)
        assert again.state is NotificationState.GEPLAND and again.attempts == 0
        services.dispatch(TOKEN)
        assert db.session.get(Notification, failed.id).state is NotificationState.VERZONDEN


def test_a_regio_beheerder_does_not_learn_of_messages_about_rijk_items(app, clients):
    with in_app(app):
        brabant = user("economie@noord-brabant.test")
        account(
            "beheer@noord-brabant.test",
            "Beheer provincie",
            brabant.organisation_id,
            password="een-lang-wachtwoord-voor-de-test",
            is_beheerder=True,
        )
        services.plan_due()
        annotation = db.session.scalars(
            select(Case).where(Case.title == "Annotatie voor de bewindspersonen opstellen")
        ).one()
        about_it = rows(subject_type="cases", subject_id=annotation.id)
        assert about_it
    regio = app.test_client()
    assert regio.login("beheer@noord-brabant.test", "een-lang-wachtwoord-voor-de-test").status_code == 302
    page = regio.get("/beheer/postvak").get_data(as_text=True)
    for notification in about_it:
        assert f'/beheer/postvak/{notification.id}"' not in page
        assert regio.get(f"/beheer/postvak/{notification.id}").status_code == 404
    rijk = clients("beheer@regiotafel.test").get("/beheer/postvak").get_data(as_text=True)
    assert f'/beheer/postvak/{about_it[0].id}"' in rijk
