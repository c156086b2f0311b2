"""Invitations (issue 15, ASVS 5.0 V6.4): nobody sets another person's password. The beheerder, or a
body's secretariat where the beheerder allows it, invites; the person gets an e-mail with a link that
works once and for 72 hours, and chooses a password there."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
from sqlalchemy import func, select, text

from audit.models import AuditRecord
from auth.models import Invitation, Role, User
from core.extensions import db
from notify.models import Notification
from tests.auth.conftest import invited, link_in, text_of, to, token_of
from tests.conftest import find_body, in_app, user

BEHEER, SEC = "beheer@regiotafel.test", "secretariaat@ezk.test"
PASSWORD = "een zin die alleen ik ken"


def invite_form(**changes: object) -> dict[str, object]:
    with_roles: dict[str, object] = {
        "name": "Noor Peeters",
        "email": "noor.peeters@limburg.test",
        "function": "beleidsmedewerker",
        "organisation_id": "",
        "locale": "nl",
    }
    return {**with_roles, **changes}


ROW = re.compile(r'name="roles-(\d+)-body_id" type="hidden" value="(\d+)">\s*<div[^>]*>\s*<label[^>]*>([^<]+)<')


def choose(web, token: str, password: str = PASSWORD):
    """Post the invitation's form: the token (as the page carries it) and the chosen password twice."""
    return web.post_form("/auth/uitnodiging", {"token": token, "password": password, "confirm": password})


def role_rows(page: str, wanted: dict[str, str]) -> dict[str, str]:
    """The form's hidden body ids per row, with the role wanted for the body named on the row's label."""
    rows = ROW.findall(page)
    data = {}
    for index, body_id, name in rows:
        data[f"roles-{index}-body_id"] = body_id
        data[f"roles-{index}-role"] = wanted.get(html.unescape(name).strip(), "")
    assert rows, page[:3000]
    return data


def test_the_new_user_form_has_no_password_field_and_nobody_sets_a_password(app, clients):
    beheer = clients(BEHEER)
    page = beheer.get("/beheer/gebruikers/nieuw").get_data(as_text=True)
    assert 'type="password"' not in page and 'name="password' not in page
    assert "Iemand uitnodigen" in page
    with in_app(app):
        target = user("beleid@ocw.test").id
    page = beheer.get(f"/beheer/gebruikers/{target}").get_data(as_text=True)
    assert 'type="password"' not in page
    # The beheerder's "set a password" is gone: its address answers like any unknown one.
    response = beheer.post_form(f"/beheer/gebruikers/{target}/wachtwoord", {"pw-password": PASSWORD})
    assert response.status_code == 404


def test_an_invitation_mail_carries_a_link_that_sets_the_password_once(app, clients, client, mailbox):
    mailbox()  # what the demo had waiting goes out first
    beheer = clients(BEHEER)
    with in_app(app):
        ezk = user(SEC).organisation_id
    form = beheer.get("/beheer/gebruikers/nieuw").get_data(as_text=True)
    data = invite_form(organisation_id=ezk, **role_rows(form, {"BO-Brainport": "deelnemer"}))
    response = beheer.post_form("/beheer/gebruikers/nieuw", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with in_app(app):
        noor = user("noor.peeters@limburg.test")
        assert noor.password_hash is None and noor.has_credentials is False
        assert {(m.body.slug, m.role) for m in noor.memberships} == {("bo-brainport", Role.DEELNEMER)}

    sent = mailbox()
    assert [to(m) for m in sent] == ["noor.peeters@limburg.test"]
    message = sent[0]
    assert message["Subject"] == "Uitnodiging voor Regiotafel"
    assert "BO-Brainport: deelnemer" in text_of(message)
    link = link_in(message)

    # Opening the link shows the form and changes nothing; only the POST uses it.
    with in_app(app):
        records = db.session.scalar(select(func.count(AuditRecord.id)))
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
        assert page.headers["Referrer-Policy"] == "no-referrer"
    with in_app(app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == records

    response = choose(client, token_of(link))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Noor Peeters" in client.get("/").get_data(as_text=True)  # signed in
    assert app.test_client().login("noor.peeters@limburg.test", PASSWORD).status_code == 302

    # A second use of the same link fails, and says why.
    again = app.test_client()
    second = choose(again, token_of(link))
    assert second.status_code == 410
    assert "Deze uitnodiging is al gebruikt" in html.unescape(second.get_data(as_text=True))
    assert "al gebruikt" in html.unescape(again.get(link).get_data(as_text=True))


def test_an_expired_link_fails_with_a_message_in_dutch_and_in_english(app, client, clock):
    with in_app(app):
        invitation = invited("laat@ezk.test", "Te Laat")
        link = f"/auth/uitnodiging/{_token(invitation)}"
        sent_at = invitation.created_at
    clock(sent_at + timedelta(hours=71, minutes=59))
    assert client.get(link).status_code == 200
    clock(sent_at + timedelta(hours=72))
    expired = client.get(link)
    assert expired.status_code == 410
    assert "Deze uitnodiging is verlopen" in html.unescape(expired.get_data(as_text=True))
    refused = choose(client, token_of(link))
    assert refused.status_code == 410
    english = app.test_client()
    english.set_cookie("regiotafel_taal", "en")
    assert "This invitation has expired" in html.unescape(english.get(link).get_data(as_text=True))
    with in_app(app):
        assert user("laat@ezk.test").password_hash is None


def _token(invitation: Invitation) -> str:
    """The token of a link made in the test itself (the e-mail's own link is tested with the mail server)."""
    from auth.invitations import token_of as derive

    return derive(invitation)


def test_sending_again_makes_a_new_link_and_the_old_one_stops(app, clients, client, mailbox):
    mailbox()
    with in_app(app):
        invitation = invited("twee@ezk.test", "Twee Keer")
        first_id = invitation.id
    old = link_in(mailbox()[0])
    beheer = clients(BEHEER)
    assert beheer.post_form(f"/uitnodigingen/{first_id}/opnieuw").status_code == 302
    sent = mailbox()
    assert [to(m) for m in sent] == ["twee@ezk.test"]
    new = link_in(sent[0])
    assert new != old
    stale = client.get(old)
    assert stale.status_code == 410 and "opnieuw verstuurd" in html.unescape(stale.get_data(as_text=True))
    used = choose(client, token_of(new))
    assert used.status_code == 302


def test_a_withdrawn_invitation_fails_and_its_account_goes_off_with_its_roles(app, clients, client):
    with in_app(app):
        invitation = invited("weg@ezk.test", "Weg Ermee", Role.WAARNEMER)
        link, invitation_id = f"/auth/uitnodiging/{_token(invitation)}", invitation.id
    assert clients(BEHEER).post_form(f"/uitnodigingen/{invitation_id}/intrekken").status_code == 302
    refused = client.get(link)
    assert refused.status_code == 410 and "ingetrokken" in refused.get_data(as_text=True)
    with in_app(app):
        gone = user("weg@ezk.test")
        assert not gone.active and gone.memberships == []


def test_a_secretariat_invites_into_its_own_body_only_where_the_beheerder_allows_it(app, clients):
    sec = clients(SEC)  # secretariat of both bodies
    with in_app(app):
        ezk = user(SEC).organisation_id
    data = invite_form(email="gast@ezk.test", organisation_id=ezk, role="deelnemer")
    assert sec.get("/overleggen/bo-brainport/toegang/uitnodigen").status_code == 403
    assert sec.post_form("/overleggen/bo-brainport/toegang/uitnodigen", data).status_code == 403
    beheer = clients(BEHEER)
    allowed = beheer.post_form("/beheer/overleggen/bo-brainport/uitnodigen", {"secretariat_invites": "y"})
    assert allowed.status_code == 302
    page = sec.get("/overleggen/bo-brainport/toegang/uitnodigen").get_data(as_text=True)
    assert 'value="deelnemer"' in page and 'value="waarnemer"' in page
    assert 'value="auditor"' not in page and 'value="secretariaat"' not in page
    # Who audits the secretariat is not the secretariat's choice.
    refused = sec.post_form("/overleggen/bo-brainport/toegang/uitnodigen", {**data, "role": "auditor"})
    assert refused.status_code == 400 and 'id="role-fout"' in refused.get_data(as_text=True)
    assert sec.post_form("/overleggen/bo-brainport/toegang/uitnodigen", data).status_code == 302
    # The other body did not allow it.
    assert sec.get("/overleggen/rom-overleg/toegang/uitnodigen").status_code == 403
    with in_app(app):
        guest = user("gast@ezk.test")
        assert [(m.body.slug, m.role) for m in guest.memberships] == [("bo-brainport", Role.DEELNEMER)]
        invitation = db.session.scalars(select(Invitation).where(Invitation.user_id == guest.id)).one()
        assert invitation.body_id == find_body().id and invitation.invited_by_id == user(SEC).id
    # A deelnemer of the body may not invite, and does not learn of the invitation.
    deelnemer = clients("beleid@ezk.test")
    assert deelnemer.get("/overleggen/bo-brainport/toegang/uitnodigen").status_code == 403
    assert deelnemer.post_form(f"/uitnodigingen/{invitation.id}/opnieuw").status_code == 404


def test_a_role_that_asks_for_a_second_factor_sets_it_up_right_after_the_password(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)
    with in_app(app):
        invitation = invited("tweede.secretaris@ezk.test", "Tweede Secretaris", Role.SECRETARIAAT)
        token = _token(invitation)
    page = client.get(f"/auth/uitnodiging/{token}").get_data(as_text=True)
    assert "aanmelden in twee stappen" in page
    response = choose(client, token)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/auth/tweede-stap/instellen")


def test_a_link_does_not_stand_in_for_a_second_factor_that_is_set_up(app, client):
    """Should an invitee already have a second factor, choosing the password does not replace it: the
    code is asked before a session opens."""
    from auth import mfa, sessions

    with in_app(app):
        invitation = invited("code@ezk.test", "Met Code")
        secret = mfa.new_secret()
        sessions.enable_second_factor(user("code@ezk.test"), secret=secret, code=pyotp.TOTP(secret).now())
        token = _token(invitation)
    response = choose(client, token)
    assert response.headers["Location"].endswith("/auth/tweede-stap")
    assert client.get("/").status_code == 302  # not signed in before the code


def test_a_bad_password_on_the_link_is_refused_next_to_the_field_and_the_link_still_works(app, client):
    with in_app(app):
        invitation = invited("zwak@ezk.test", "Zwak Wachtwoord")
        token = _token(invitation)
    refused = choose(client, token, "welkom2024!!")
    assert refused.status_code == 400
    assert 'id="password-fout"' in refused.get_data(as_text=True)
    assert "veelgebruikte" in refused.get_data(as_text=True)
    ok = choose(client, token)
    assert ok.status_code == 302


def test_the_token_reaches_neither_the_trail_nor_the_outbox(app, clients, client, mailbox):
    mailbox()
    with in_app(app):
        invitation = invited("geheim@ezk.test", "Geheim Houden")
        nonce = invitation.nonce
    link = link_in(mailbox()[0])
    token = token_of(link)
    client.get(link)
    choose(client, token, "kort")
    choose(client, token)
    with in_app(app):
        trail = repr(db.session.execute(text("SELECT * FROM audit_records")).all())
        assert token not in trail and nonce not in trail
        assert "/auth/uitnodiging/" not in trail  # no record's path holds a link
        kept = db.session.scalars(
            select(Notification.mail_text).where(Notification.kind == "account-uitnodiging")
        ).all()
        assert kept and all(token not in (t or "") for t in kept)
        assert any("de link staat alleen in het verzonden bericht" in (t or "") for t in kept)
        stored = repr(db.session.execute(text("SELECT * FROM invitations")).all())
        assert token not in stored
    outbox = clients(BEHEER).get("/beheer/postvak").get_data(as_text=True)
    assert token not in outbox


def test_an_invitee_who_has_not_accepted_gets_no_other_mail(app, mailbox):
    """If the address was wrong, a stranger must not read the table's mail: until the person chose a
    password only the invitation goes out."""
    mailbox()
    with in_app(app):
        invited("nog.niet@ezk.test", "Nog Niet", Role.DEELNEMER)
        from meetings.models import Meeting
        from meetings.services import agenda

        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == find_body().id, Meeting.agenda_published_at.is_(None))
        ).one()
        agenda.publish_agenda(user(SEC), upcoming)  # everyone at the table is invited to the meeting
    sent = mailbox()
    to_newcomer = [m["Subject"] for m in sent if to(m) == "nog.niet@ezk.test"]
    assert to_newcomer == ["Uitnodiging voor Regiotafel"]
    assert any(to(m) == "beleid@ezk.test" for m in sent)  # the members did get the meeting's invitation
    with in_app(app):
        newcomer = user("nog.niet@ezk.test").id
        lapsed = db.session.scalars(
            select(Notification.note).where(Notification.recipient_id == newcomer, Notification.kind == "uitnodiging")
        ).all()
        assert lapsed == ["De ontvanger heeft de uitnodiging nog niet aanvaard."]


def test_create_beheerder_takes_no_password_and_prints_a_link_that_works_once(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-beheerder", "--email", "eerste@beheer.test", "--password", "x" * 14])
    assert result.exit_code != 0 and "--password" in result.output  # no such option any more
    made = runner.invoke(args=["create-beheerder", "--email", "eerste@beheer.test", "--name", "Eerste Beheerder"])
    assert made.exit_code == 0, made.output
    path = re.search(r"http://\S+(/auth/uitnodiging/\S+)", made.output).group(1)  # type: ignore[union-attr]
    with in_app(app):
        first = user("eerste@beheer.test")
        assert first.is_beheerder and first.password_hash is None
    response = choose(client, token_of(path))
    assert response.status_code == 302
    assert client.get("/beheer").status_code == 200
    again = runner.invoke(args=["create-beheerder", "--email", "eerste@beheer.test"])
    assert again.exit_code != 0 and "al een wachtwoord" in again.output
    with in_app(app):  # the command line's own work is in the trail, as the system's
        records = db.session.scalars(
            select(AuditRecord).where(AuditRecord.object_type == "invitations", AuditRecord.actor_label == "systeem")
        ).all()
        assert records


def test_an_invitation_for_an_address_that_has_an_account_is_refused_at_the_field(app, clients):
    beheer = clients(BEHEER)
    with in_app(app):
        ezk = user(SEC).organisation_id
        before = db.session.scalar(select(func.count(User.id)))
    response = beheer.post_form("/beheer/gebruikers/nieuw", invite_form(email="Beleid@OCW.test", organisation_id=ezk))
    assert response.status_code == 400 and 'id="email-fout"' in response.get_data(as_text=True)
    with in_app(app):
        assert db.session.scalar(select(func.count(User.id))) == before


def test_no_log_line_holds_a_token(app, client, capsys, caplog, monkeypatch):
    """The access log (gunicorn, as ``make run`` starts it) and the app's error log keep the address of a
    link without its token, and a calendar feed's without its key."""
    from types import SimpleNamespace

    from gunicorn.config import Config

    from auth import invitations
    from core.serving import AccessLog

    config = Config()
    config.set("accesslog", "-")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/auth/uitnodiging/GEHEIM-een?taal=en",
        "PATH_INFO": "/auth/uitnodiging/GEHEIM-een",
        "QUERY_STRING": "taal=en",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://regiotafel.example/auth/wachtwoord-herstellen/GEHEIM-twee",
        "REMOTE_ADDR": "10.0.0.1",
    }
    AccessLog(config).access(
        SimpleNamespace(status="200 OK", sent=10, headers=[]),
        SimpleNamespace(headers=[("Referer", environ["HTTP_REFERER"])]),
        environ,
        timedelta(milliseconds=3),
    )
    AccessLog(config).access(
        SimpleNamespace(status="200 OK", sent=10, headers=[]),
        SimpleNamespace(headers=[]),
        {**environ, "RAW_URI": "/agenda/GEHEIM-drie.ics", "PATH_INFO": "/agenda/GEHEIM-drie.ics"},
        timedelta(milliseconds=3),
    )
    logged = capsys.readouterr().out
    assert "GET /auth/uitnodiging/[verborgen]?taal=en" in logged and "/agenda/[verborgen]" in logged
    assert "GEHEIM" not in logged

    def broken(_token: object) -> None:
        raise RuntimeError("de database is weg")

    monkeypatch.setattr(invitations, "find", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert client.get("/auth/uitnodiging/GEHEIM-vier").status_code == 500
    assert "Exception on /auth/uitnodiging/[verborgen]" in caplog.text and "GEHEIM" not in caplog.text
