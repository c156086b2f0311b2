"""The mail of accounts (issue 15): written when it is sent, in the recipient's language, with a link
only in the message as sent, and lapsing when the link no longer works."""

from __future__ import annotations

import re

from sqlalchemy import select

from auth.invitations import accept_invitation, invite_user
from auth.models import Invitation
from auth.services import set_own_language
from core.extensions import db
from notify import services
from notify.models import Notification, NotificationState
from tests.conftest import in_app, user
from tests.notify.conftest import SmtpServer

TOKEN = "test:accounts"
LINK = re.compile(r"/auth/uitnodiging/([A-Za-z0-9_-]{43})")


def invite(email: str = "nieuw@ezk.test", locale: str = "nl") -> Invitation:
    beheer = user("beheer@regiotafel.test")
    invitation = invite_user(
        beheer, email=email, name="Nieuwe Collega", organisation_id=beheer.organisation_id, locale=locale
    )
    db.session.flush()
    return invitation


def the_mail(invitation_id: int) -> Notification:
    return db.session.scalars(
        select(Notification).where(Notification.kind == "account-uitnodiging", Notification.subject_id == invitation_id)
    ).one()


def first_flush(app) -> None:
    with in_app(app):
        services.plan_due()
        services.dispatch(TOKEN)


def test_the_invitation_is_written_in_the_recipients_language_when_it_is_sent(app, smtp: SmtpServer, monkeypatch):
    first_flush(app)
    with in_app(app):
        invitation = invite(locale="nl")
        services.plan_due()
        # Before it goes out the person's language changes: the message follows, as it is written now.
        set_own_language(invitation.user, locale="en")
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)
    with in_app(app):
        services.dispatch(TOKEN)
    sent = [m for m in smtp.inbox.accepted if m["To"].addresses[0].addr_spec == "nieuw@ezk.test"]
    assert len(sent) == 1 and sent[0]["Subject"] == "Invitation to Regiotafel"
    body = sent[0].get_body(preferencelist=("plain",)).get_content()
    assert "Choose your password with this link" in body and LINK.search(body)


def test_the_outbox_keeps_the_message_without_its_link_and_sends_it_on_with_it(app, smtp: SmtpServer, monkeypatch):
    first_flush(app)
    with in_app(app):
        invitation = invite()
        services.plan_due()
        services.dispatch(TOKEN)  # no mail server: kept in the outbox
        kept = the_mail(invitation.id)
        assert kept.state is NotificationState.IN_POSTVAK
        assert "/auth/uitnodiging/" not in kept.mail_text
        assert "[de link staat alleen in het verzonden bericht]" in kept.mail_text
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)
    with in_app(app):
        services.dispatch(TOKEN)  # a scheduler with a mail server sends the kept one on
        assert the_mail(invitation.id).state is NotificationState.VERZONDEN
        assert "/auth/uitnodiging/" not in the_mail(invitation.id).mail_text
    sent = [m for m in smtp.inbox.accepted if m["To"].addresses[0].addr_spec == "nieuw@ezk.test"]
    assert len(sent) == 1 and LINK.search(sent[0].get_body(preferencelist=("plain",)).get_content())


def test_an_invitation_used_before_its_mail_went_out_lapses(app):
    first_flush(app)
    with in_app(app):
        invitation = invite()
        services.plan_due()
        accept_invitation(invitation.user, invitation, password="een zin die niemand raadt")
        services.dispatch(TOKEN)
        mail = the_mail(invitation.id)
        assert mail.state is NotificationState.VERVALLEN and "werkt niet meer" in (mail.note or "")


def test_a_new_secret_key_voids_the_open_links_and_their_mail_lapses(app, monkeypatch):
    first_flush(app)
    with in_app(app):
        invitation = invite()
        services.plan_due()
    monkeypatch.setitem(app.config, "SECRET_KEY", "een-andere-sleutel-dan-toen")
    with in_app(app):
        services.dispatch(TOKEN)
        mail = the_mail(invitation.id)
        assert mail.state is NotificationState.VERVALLEN and "sleutel" in (mail.note or "")
