"""The calendar feed's key: a secret token, shown once, kept as a hash, revocable; made and revoked
on *Mijn account* with a POST. What a feed holds is in ``tests/meetings/test_calendar.py``."""

from __future__ import annotations

import hashlib
import re
from html import unescape
from typing import Any

from sqlalchemy import func, select

from audit.models import AuditRecord
from auth.feeds import active_feed, create_feed, feed_user, revoke_feeds
from auth.models import CalendarFeed
from core.extensions import db
from tests.conftest import in_app, switch_off, user

BRABANT = "economie@noord-brabant.test"
EZK = "beleid@ezk.test"
_URL = re.compile(r'id="agenda-adres" value="([^"]+)"')


def _feed_for(app: Any, email: str) -> str:
    with in_app(app):
        return create_feed(user(email)).token


def _fetch(client: Any, token: str) -> Any:
    return client.get(f"/agenda/{token}.ics")


def _page_without(response: Any, token: str) -> str:
    page = response.get_data(as_text=True).replace(token, "…")
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


def _last_audit_id() -> int:
    return db.session.scalar(select(func.max(AuditRecord.id))) or 0


def _feed_records(after: int) -> list[AuditRecord]:
    return list(
        db.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.id > after, AuditRecord.object_type == "calendar_feeds")
            .order_by(AuditRecord.id)
        )
    )


def _made_on_the_account_page(browser: Any) -> str:
    """Make a feed as a browser does; the path of its address (shown on this one page only)."""
    made = browser.post_form("/auth/account/agenda")
    assert made.status_code == 200
    url = unescape(_URL.search(made.get_data(as_text=True)).group(1))
    assert url.startswith("http://localhost/agenda/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


# --- the token -------------------------------------------------------------------------------------------


def test_an_unknown_token_is_a_missing_page(client):
    assert _fetch(client, "dit-bestaat-niet").status_code == 404
    assert _fetch(client, "x" * 500).status_code == 404
    assert client.get("/agenda/.ics").status_code == 404


def test_a_revoked_token_is_a_missing_page_like_any_other(app, client):
    token = _feed_for(app, EZK)
    assert _fetch(client, token).status_code == 200
    with in_app(app):
        assert revoke_feeds(user(EZK)) == 1
    revoked = _fetch(client, token)
    assert revoked.status_code == 404
    # Nothing tells a revoked address from one that never existed (but the address itself, which
    # the page repeats, and the form's fresh CSRF token).
    assert _page_without(revoked, token) == _page_without(_fetch(client, "ook-niet"), "ook-niet")
    with in_app(app):
        assert active_feed(user(EZK)) is None
        assert revoke_feeds(user(EZK)) == 0


def test_a_new_feed_revokes_the_old(app, client):
    old = _feed_for(app, EZK)
    new = _feed_for(app, EZK)
    assert old != new
    assert _fetch(client, old).status_code == 404
    assert _fetch(client, new).status_code == 200
    with in_app(app):
        feeds = db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user(EZK).id)).all()
        assert [f.revoked_at is None for f in feeds].count(True) == 1


def test_one_users_revocation_leaves_anothers_feed_alone(app, client):
    ezk, brabant = _feed_for(app, EZK), _feed_for(app, BRABANT)
    with in_app(app):
        revoke_feeds(user(EZK))
    assert _fetch(client, ezk).status_code == 404
    assert _fetch(client, brabant).status_code == 200


def test_a_switched_off_account_has_no_feed(app, client):
    token = _feed_for(app, BRABANT)
    with in_app(app):
        switch_off(BRABANT)
        assert feed_user(token) is None
    assert _fetch(client, token).status_code == 404


def test_the_token_is_kept_only_as_its_hash(app):
    with in_app(app):
        issued = create_feed(user(EZK))
        token, feed_id = issued.token, issued.feed.id
    assert len(token) >= 43  # 32 random bytes
    with in_app(app):
        feed = db.session.get(CalendarFeed, feed_id)
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = db.session.execute(select(CalendarFeed.__table__).where(CalendarFeed.id == feed_id)).one()
        assert token not in repr(tuple(stored))
        assert feed_user(token).email == EZK


# --- the account page ------------------------------------------------------------------------------------


def test_the_account_page_makes_shows_once_and_revokes_a_feed(clients, client):
    browser = clients(BRABANT)
    page = browser.get("/auth/account").get_data(as_text=True)
    assert "Agenda-koppeling" in page and "Staat uit." in page
    assert "Koppeling maken" in page and "Koppeling intrekken" not in page

    path = _made_on_the_account_page(browser)
    assert client.get(path).status_code == 200  # no login needed: calendar apps hold none

    page = browser.get("/auth/account").get_data(as_text=True)
    assert "Staat aan sinds" in page and "Nieuwe koppeling maken" in page and "Koppeling intrekken" in page
    assert path.split("/")[-1].removesuffix(".ics") not in page  # the address is shown only once

    revoked = browser.post_form("/auth/account/agenda/intrekken")
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith("/auth/account")
    assert client.get(path).status_code == 404
    page = browser.get("/auth/account").get_data(as_text=True)
    assert "De agenda-koppeling is ingetrokken." in page and "Koppeling intrekken" not in page


def test_a_new_link_from_the_account_page_ends_the_old_one(clients, client):
    browser = clients(BRABANT)
    old = _made_on_the_account_page(browser)
    new = _made_on_the_account_page(browser)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_revoking_without_a_feed_says_so(clients):
    browser = clients(BRABANT)
    response = browser.post_form("/auth/account/agenda/intrekken", follow_redirects=True)
    assert "U had geen agenda-koppeling." in response.get_data(as_text=True)


def test_making_and_revoking_are_posts_with_the_csrf_token_and_a_login(app, clients, client):
    browser = clients(BRABANT)
    with in_app(app):
        before = _last_audit_id()
    assert browser.get("/auth/account/agenda").status_code == 405
    assert browser.get("/auth/account/agenda/intrekken").status_code == 405
    assert browser.post("/auth/account/agenda").status_code == 400
    assert browser.post("/auth/account/agenda/intrekken").status_code == 400
    for path in ("/auth/account/agenda", "/auth/account/agenda/intrekken"):
        response = client.post_form(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    with in_app(app):
        assert _feed_records(before) == []
        assert active_feed(user(BRABANT)) is None


# --- the audit trail and GET ------------------------------------------------------------------------------


def test_making_and_revoking_are_audited_without_the_token(app, clients):
    browser = clients(BRABANT)
    with in_app(app):
        before = _last_audit_id()
    path = _made_on_the_account_page(browser)
    token = path.removeprefix("/agenda/").removesuffix(".ics")
    digest = hashlib.sha256(token.encode()).hexdigest()
    browser.post_form("/auth/account/agenda/intrekken")
    with in_app(app):
        me = user(BRABANT)
        records = _feed_records(before)
        assert [r.action for r in records] == ["create", "update"]
        assert all(r.actor_user_id == me.id and r.main_object == f"users/{me.id}" for r in records)
        assert "revoked_at" in records[1].changes
        everything = db.session.scalars(select(AuditRecord).where(AuditRecord.id > before)).all()
        for record in everything:
            text = repr((record.changes, record.origin, record.object_label, record.reason, record.service))
            assert token not in text and digest not in text


def test_fetching_a_feed_writes_nothing(app, client):
    token = _feed_for(app, EZK)
    with in_app(app):
        before = _last_audit_id()
        feed_rows = db.session.execute(select(CalendarFeed.__table__)).all()
    assert _fetch(client, token).status_code == 200
    assert client.head(f"/agenda/{token}.ics").status_code == 200
    assert _fetch(client, "onbekend").status_code == 404
    with in_app(app):
        assert _last_audit_id() == before
        assert db.session.execute(select(CalendarFeed.__table__)).all() == feed_rows
