"""Leavers (issue 15; BIO: access ends at once): switching an account off, or a person leaving their
organisation, ends their sessions, calendar feed, roles, the people vertrouwelijk items name, and the
messages still waiting for them, in one audited step. What they wrote stays with their name. An account
switched on again starts afresh with an invitation."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from auth import signals
from auth.feeds import create_feed
from auth.models import AudienceGrant, CalendarFeed, Invitation, Membership, Organisation, UserSession
from core.db import Side
from core.extensions import db
from meetings.models import Note
from notify import services as notify
from notify.models import Notification, NotificationState
from tests.auth.conftest import link_in, to, token_of
from tests.conftest import DEMO_PASSWORD, in_app, user

BEHEER, BRABANT = "beheer@regiotafel.test", "economie@noord-brabant.test"
SIGNAL = "Signaal: mogelijke uitbreiding van een hightechbedrijf in de regio"


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def waiting(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.recipient_id == user_id,
            Notification.state.in_([NotificationState.GEPLAND, NotificationState.IN_POSTVAK]),
        )
    )


def prepared(app):
    """The province's deelnemer with a calendar feed and reminders waiting; the token of the feed."""
    with in_app(app):
        token = create_feed(user(BRABANT)).token
        notify.plan_due()
        person = user(BRABANT)
        assert person.memberships and person.grants and waiting(person.id) > 0
    return token


def test_switching_off_ends_everything_at_once_in_one_audited_step(app, clients):
    token = prepared(app)
    browser = clients(BRABANT)
    stolen = session_cookie(browser)
    assert browser.get(f"/agenda/{token}.ics").status_code == 200
    beheer = clients(BEHEER)
    with in_app(app):
        target = user(BRABANT).id
        records = db.session.scalar(select(func.max(AuditRecord.id)))
    response = beheer.post_form(f"/beheer/gebruikers/{target}/uitzetten", {"reason": "Uit dienst per 1 mei"})
    assert response.status_code == 302
    with in_app(app):
        step = db.session.scalars(select(AuditRecord).where(AuditRecord.id > records)).all()
    # At once: the cookie, and the feed's address, answer as if they never were.
    assert replay(app, stolen).get("/").status_code == 302
    assert browser.get("/acties").status_code == 302
    assert app.test_client().get(f"/agenda/{token}.ics").status_code == 404
    assert app.test_client().login(BRABANT, DEMO_PASSWORD).status_code == 400
    with in_app(app):
        gone = user(BRABANT)
        assert not gone.active and gone.password_hash is None and not gone.mfa_enabled
        assert db.session.scalar(select(func.count(Membership.id)).where(Membership.user_id == target)) == 0
        assert db.session.scalar(select(func.count(AudienceGrant.id)).where(AudienceGrant.user_id == target)) == 0
        assert (
            db.session.scalar(
                select(func.count(CalendarFeed.id)).where(
                    CalendarFeed.user_id == target, CalendarFeed.revoked_at.is_(None)
                )
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count(UserSession.id)).where(
                    UserSession.user_id == target, UserSession.revoked_at.is_(None)
                )
            )
            == 0
        )
        assert waiting(target) == 0
        lapsed = db.session.scalars(select(Notification.note).where(Notification.recipient_id == target)).all()
        assert "De ontvanger heeft geen toegang meer." in lapsed
        summary = [r for r in step if r.action == "account_closed"]
        assert len(summary) == 1 and summary[0].reason == "Uit dienst per 1 mei"
        counts = {key: value[1] for key, value in summary[0].changes.items()}
        assert counts["sessies"] == 1 and counts["agendakoppelingen"] == 1 and counts["lidmaatschappen"] == 2
        assert counts["gedeeld"] >= 1 and counts["meldingen"] > 0
        # One service did all of it (and all or nothing: see the next test).
        assert {r.service for r in step} == {"auth.switch_off_user"}
        assert {r.object_type for r in step} >= {"users", "memberships", "audience_grants", "calendar_feeds"}
        # What they wrote stays, with their name.
        note = db.session.scalars(select(Note).where(Note.author_id == target)).first()
        assert note is not None
    page = clients("economie@eindhoven.test").get(f"/notities/{note.id}").get_data(as_text=True)
    assert "Geschreven door" in page and html.escape(gone.name) in page


def test_the_step_is_all_or_nothing(app, clients):
    """A package that cannot end what it keeps for the leaver stops the whole step: nothing half-done."""
    token = prepared(app)
    browser = clients(BRABANT)

    def failing(_user: object, **_details: object) -> dict[str, int]:
        raise RuntimeError("de sleutels van de API konden niet worden ingetrokken")

    signals.account_closed.connect(failing)
    try:
        with in_app(app):
            from auth.services import switch_off_user

            with pytest.raises(RuntimeError):
                switch_off_user(user(BEHEER), user(BRABANT))
            db.session.rollback()
    finally:
        signals.account_closed.disconnect(failing)
    assert browser.get("/acties").status_code == 200
    assert app.test_client().get(f"/agenda/{token}.ics").status_code == 200
    with in_app(app):
        person = user(BRABANT)
        assert person.active and len(person.memberships) == 2 and waiting(person.id) > 0


def test_what_other_packages_keep_ends_through_the_signal_in_the_same_step(app):
    """The seam for personal API tokens (issue 7): a package connects to ``account_closed``, ends what it
    keeps for the user inside the step's transaction, and its count lands in the step's record."""
    seen: list[int] = []

    def api_tokens(person: object, **_details: object) -> dict[str, int]:
        seen.append(person.id)  # type: ignore[attr-defined]
        return {"api-sleutels": 2}

    signals.account_closed.connect(api_tokens)
    try:
        with in_app(app):
            from auth.services import switch_off_user

            target = user(BRABANT)
            switch_off_user(user(BEHEER), target)
            record = db.session.scalars(
                select(AuditRecord).where(AuditRecord.action == "account_closed", AuditRecord.object_id == target.id)
            ).one()
    finally:
        signals.account_closed.disconnect(api_tokens)
    assert seen == [target.id]
    assert record.changes["api-sleutels"] == [None, 2]


def test_leaving_the_organisation_ends_the_same_but_keeps_the_account(app, clients):
    token = prepared(app)
    browser = clients(BRABANT)
    with in_app(app):
        person = user(BRABANT)
        data = {"email": person.email, "name": person.name, "organisation_id": "", "function": ""}
        gelderland = db.session.scalars(
            select(Organisation.id).where(Organisation.name == "Provincie Gelderland")
        ).one()
        assert db.session.get(Organisation, gelderland).side is Side.REGIO
        target = person.id
    data["organisation_id"] = gelderland
    assert clients(BEHEER).post_form(f"/beheer/gebruikers/{target}", data).status_code == 302
    assert browser.get("/acties").status_code == 302
    assert app.test_client().get(f"/agenda/{token}.ics").status_code == 404
    with in_app(app):
        moved = user(BRABANT)
        assert moved.active and moved.organisation.name == "Provincie Gelderland"
        assert moved.memberships == [] and waiting(moved.id) == 0
        assert db.session.scalars(select(AuditRecord.action).where(AuditRecord.action == "left_organisation")).all()
    newcomer = app.test_client()
    assert newcomer.login(BRABANT, DEMO_PASSWORD).status_code == 302  # same person, same password
    assert SIGNAL not in newcomer.get("/overleggen").get_data(as_text=True)
    assert newcomer.get("/overleggen/bo-brainport").status_code == 404


def test_a_reactivated_account_gets_a_new_invitation_and_nothing_of_the_old_password(app, clients, client, mailbox):
    mailbox()
    beheer = clients(BEHEER)
    with in_app(app):
        target = user(BRABANT).id
    assert beheer.post_form(f"/beheer/gebruikers/{target}/uitzetten", {"reason": ""}).status_code == 302
    assert beheer.post_form(f"/beheer/gebruikers/{target}/aanzetten").status_code == 302
    assert app.test_client().login(BRABANT, DEMO_PASSWORD).status_code == 400
    with in_app(app):
        again = user(BRABANT)
        assert again.active and again.password_hash is None
        assert db.session.scalars(select(Invitation).where(Invitation.user_id == target)).one().ended_at is None
    sent = mailbox()
    assert [to(m) for m in sent] == [BRABANT]
    link = link_in(sent[0])
    fresh = "een heel nieuw begin hier"
    answer = client.post_form("/auth/uitnodiging", {"token": token_of(link), "password": fresh, "confirm": fresh})
    assert answer.status_code == 302
    assert app.test_client().login(BRABANT, fresh).status_code == 302
    assert app.test_client().login(BRABANT, DEMO_PASSWORD).status_code == 400


def test_nobody_switches_themselves_off_and_others_may_not(app, clients):
    with in_app(app):
        beheer_id, target = user(BEHEER).id, user(BRABANT).id
    refused = clients(BEHEER).post_form(f"/beheer/gebruikers/{beheer_id}/uitzetten", {"reason": ""})
    assert refused.status_code == 400 and "niet uitzetten" in refused.get_data(as_text=True)
    with in_app(app):
        assert user(BEHEER).active
    assert clients("secretariaat@ezk.test").post_form(f"/beheer/gebruikers/{target}/uitzetten").status_code == 403
    with in_app(app):
        assert user(BRABANT).active


def test_a_switched_off_account_gets_no_role_again_until_it_is_on(app, clients):
    with in_app(app):
        target = user(BRABANT).id
    beheer = clients(BEHEER)
    beheer.post_form(f"/beheer/gebruikers/{target}/uitzetten", {"reason": ""})
    response = beheer.post_form("/beheer/overleggen/bo-brainport/leden", {"user_id": target, "role": "deelnemer"})
    assert response.status_code == 400
    with in_app(app):
        assert user(BRABANT).memberships == []
