"""*Wachtwoord vergeten* (issue 15, ASVS 5.0 V6.4): the same answer after the same work for every
address, a link by e-mail that works once and for at most an hour, throttled per address typed and per
client, ending every session, and never in place of the second factor."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from audit.events import NOBODY
from audit.models import AuditRecord
from auth import mfa, recovery, sessions
from auth.models import PasswordReset
from core.dates import now
from core.extensions import db
from tests.auth.conftest import from_address, link_in, text_of, to, token_of
from tests.conftest import DEMO_PASSWORD, in_app, user

KNOWN, UNKNOWN = "beleid@ezk.test", "niemand@ezk.test"
NEW = "een nieuwe zin om te onthouden"
CSRF = re.compile(r'name="csrf_token" (type="hidden" )?value="[^"]*"')
#: What differs between two runs of the same statements: nothing but their parameters, which are not here.
PARAMETER = re.compile(r"\b\d+\b")


def ask(web, email: str):
    web._token = None
    return web.post_form("/auth/wachtwoord-vergeten", {"email": email})


def reset_mail(sent: list) -> object:
    """The one reset message among what a round sent (reminders that fell due go out beside it)."""
    found = [m for m in sent if m["Subject"] == "Nieuw wachtwoord voor Regiotafel"]
    assert len(found) == 1, [m["Subject"] for m in sent]
    return found[0]


def choose(web, token: str, password: str = NEW):
    return web.post_form("/auth/wachtwoord-herstellen", {"token": token, "password": password, "confirm": password})


def test_known_and_unknown_addresses_get_the_same_page_after_the_same_work(app, count_queries, tick):
    """Byte for byte the same page (but for the CSRF token), after the same statements: nothing in the
    answer or in the work before it tells whether the address has an account."""
    with in_app(app):
        switched_off = user("beleid@ienw.test")
        from auth.services import switch_off_user

        switch_off_user(user("beheer@regiotafel.test"), switched_off)
    ask(from_address(app, "10.20.0.1"), "opwarmen@ezk.test")  # the first request of a process loads more
    pages, work = {}, {}
    for number, email in enumerate((KNOWN, UNKNOWN, "beleid@ienw.test", "Beleid@EZK.test")):
        tick()
        browser = from_address(app, f"10.20.1.{number}")
        browser.get("/auth/wachtwoord-vergeten")
        browser._token = None
        token = browser.csrf_token("/auth/wachtwoord-vergeten")
        with count_queries() as counter:
            response = browser.post("/auth/wachtwoord-vergeten", data={"email": email, "csrf_token": token})
        assert response.status_code == 200
        pages[email] = CSRF.sub("", response.get_data(as_text=True))
        work[email] = [PARAMETER.sub("?", statement) for statement in counter.statements]
    assert pages[KNOWN] == pages[UNKNOWN] == pages["beleid@ienw.test"] == pages["Beleid@EZK.test"]
    assert "Kijk in uw e-mail" in pages[KNOWN]
    assert work[KNOWN] == work[UNKNOWN] == work["beleid@ienw.test"]
    assert any("INSERT INTO password_resets" in s for s in work[UNKNOWN])


def test_the_known_address_receives_exactly_one_mail_and_no_other_address_any(app, mailbox, tick):
    mailbox()  # what the demo had waiting
    with in_app(app):
        from auth.invitations import invite_user
        from auth.services import switch_off_user

        switch_off_user(user("beheer@regiotafel.test"), user("beleid@ienw.test"))
        beheer = user("beheer@regiotafel.test")
        invite_user(
            beheer, email="uitgenodigd@ezk.test", name="Nog Geen Wachtwoord", organisation_id=beheer.organisation_id
        )
    mailbox()  # the invitation
    for number, email in enumerate((KNOWN, UNKNOWN, "beleid@ienw.test", "uitgenodigd@ezk.test")):
        tick()
        assert ask(from_address(app, f"10.21.0.{number}"), email).status_code == 200
    sent = mailbox()
    assert [to(m) for m in sent] == [KNOWN]
    assert sent[0]["Subject"] == "Nieuw wachtwoord voor Regiotafel"
    assert "/auth/wachtwoord-herstellen/" in text_of(sent[0])
    tick(timedelta(minutes=1))
    assert mailbox() == []  # planned once: the next round, a minute later, sends nothing again


def test_a_reset_link_works_once_ends_every_session_and_is_in_the_trail(app, clients, client, mailbox):
    mailbox()
    here, elsewhere = clients(KNOWN), clients(KNOWN)
    ask(client, KNOWN)
    link = link_in(reset_mail(mailbox()))
    with in_app(app):
        before = db.session.scalar(select(AuditRecord.id).order_by(AuditRecord.id.desc()).limit(1))
    form = client.get(link)
    assert form.status_code == 200 and 'type="password"' in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    response = choose(client, token_of(link))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in with the new password, no second factor set up
    assert here.get("/").status_code == 302 and elsewhere.get("/").status_code == 302
    assert app.test_client().login(KNOWN, DEMO_PASSWORD).status_code == 400
    assert app.test_client().login(KNOWN, NEW).status_code == 302
    # Replayed: the same link does not work twice, and says so.
    replayed = choose(app.test_client(), token_of(link), "nog een andere zin dan eerst")
    assert replayed.status_code == 410
    assert "al gebruikt" in html.unescape(replayed.get_data(as_text=True))
    assert "al gebruikt" in html.unescape(app.test_client().get(link).get_data(as_text=True))
    with in_app(app):
        records = db.session.scalars(select(AuditRecord).where(AuditRecord.id > before)).all()
        person = user(KNOWN)
        reset = [r for r in records if r.action == "password_reset"]
        assert len(reset) == 1 and reset[0].actor_label == person.audit_label
        changed = [r for r in records if r.object_type == "users" and r.action == "update"]
        assert changed[0].changes["password_hash"] == ["••••••", "••••••"]
        assert token_of(link) not in repr([(r.changes, r.origin, r.object_label) for r in records])


def test_an_older_link_stops_when_a_newer_one_is_asked_for(app, client, mailbox, tick):
    mailbox()
    ask(client, KNOWN)
    old = link_in(reset_mail(mailbox()))
    tick(timedelta(minutes=1))
    ask(client, KNOWN)
    new = link_in(reset_mail(mailbox()))
    refused = client.get(old)
    assert refused.status_code == 410 and "nieuwere link" in html.unescape(refused.get_data(as_text=True))
    assert choose(client, token_of(old)).status_code == 410
    assert choose(client, token_of(new)).status_code == 302


def test_a_link_stops_after_an_hour_even_if_configured_longer(app, client, mailbox, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MINUTES", 240)
    mailbox()
    asked = now()
    clock(asked)
    ask(client, KNOWN)
    link = link_in(reset_mail(mailbox()))
    clock(asked + timedelta(minutes=59))
    assert client.get(link).status_code == 200
    clock(asked + timedelta(minutes=60))
    expired = client.get(link)
    assert expired.status_code == 410
    assert "verlopen" in html.unescape(expired.get_data(as_text=True))
    assert choose(client, token_of(link)).status_code == 410
    english = app.test_client()
    english.set_cookie("regiotafel_taal", "en")
    assert "This link has expired" in html.unescape(english.get(link).get_data(as_text=True))


def test_the_second_factor_is_still_asked_after_a_reset(app, client):
    with in_app(app):
        person = user("beleid@ocw.test")
        secret = mfa.new_secret()
        sessions.enable_second_factor(person, secret=secret, code=pyotp.TOTP(secret).now())
        recovery.request_password_reset(NOBODY, email=person.email, address="10.22.0.1")
        reset = db.session.scalars(select(PasswordReset).where(PasswordReset.email == person.email)).one()
        token = _token(reset)
    response = choose(client, token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/tweede-stap")
    assert client.get("/").status_code == 302  # no session before the code
    client._token = None
    wrong = client.post_form("/auth/tweede-stap", {"code": "000000"})
    assert wrong.status_code == 400
    client._token = None
    step = pyotp.TOTP(secret).at(now() + timedelta(seconds=30))  # the next step: the first one was used
    assert client.post_form("/auth/tweede-stap", {"code": step}).status_code == 302
    assert client.get("/").status_code == 200


def _token(reset: PasswordReset) -> str:
    """A link's token made in the test itself (the e-mailed one is tested with the mail server)."""
    from auth import links

    return links.token_for(recovery.PURPOSE, reset.nonce)


def answers(app, email: str, times: int, tick, address: str, step: timedelta) -> list[int]:
    statuses = []
    for _ in range(times):
        tick(step)
        statuses.append(ask(from_address(app, address), email).status_code)
    return statuses


def test_requests_are_throttled_per_address_typed_alike_for_known_and_unknown(app, tick):
    """Three are free, then the growing wait; and never more than five an hour for one address, from
    wherever. An address with an account and one without get the same answers at the same moments."""
    known = answers(app, KNOWN, 7, tick, "10.23.0.1", timedelta(minutes=5))
    elsewhere = ask(from_address(app, "10.23.9.9"), KNOWN)  # the account's ceiling holds from anywhere
    unknown = answers(app, UNKNOWN, 7, tick, "10.23.0.2", timedelta(minutes=5))
    assert known == unknown == [200, 200, 200, 200, 200, 429, 429]
    assert elsewhere.status_code == 429
    assert "Te veel aanvragen" in html.unescape(elsewhere.get_data(as_text=True))
    tick(timedelta(hours=1))
    assert ask(from_address(app, "10.23.0.1"), KNOWN).status_code == 200
    # Rationing reset mails does not slow signing in.
    assert from_address(app, "10.23.0.1").login(KNOWN).status_code == 302


def test_requests_are_throttled_per_client_over_all_addresses(app, tick):
    statuses = []
    for number in range(21):
        tick()
        statuses.append(ask(from_address(app, "10.24.0.1"), f"iemand{number}@ezk.test").status_code)
    assert statuses == [200] * 20 + [429]
    assert ask(from_address(app, "10.24.0.2"), "iemand0@ezk.test").status_code == 200


def test_a_refused_request_writes_no_link(app, tick):
    assert answers(app, UNKNOWN, 6, tick, "10.25.0.1", timedelta(milliseconds=1)) == [200] * 3 + [429] * 3
    with in_app(app):
        assert len(db.session.scalars(select(PasswordReset).where(PasswordReset.email == UNKNOWN)).all()) == 3
        refused = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "reset_refused")).all()
        assert len(refused) == 3


def test_a_link_of_an_account_switched_off_since_does_not_work(app, client):
    with in_app(app):
        recovery.request_password_reset(NOBODY, email=KNOWN, address="10.26.0.1")
        reset = db.session.scalars(select(PasswordReset).where(PasswordReset.email == KNOWN)).one()
        token = _token(reset)
        from auth.services import switch_off_user

        switch_off_user(user("beheer@regiotafel.test"), user(KNOWN))
    assert client.get(f"/auth/wachtwoord-herstellen/{token}").status_code == 404
    assert choose(client, token).status_code == 404


def test_the_sign_in_page_links_to_it(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/wachtwoord-vergeten"' in page
