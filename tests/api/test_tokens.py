"""Personal access tokens: made on *Mijn account* (shown once, only a hash kept, audited without the
secret), listed with their last use, revoked; made on the command line; and never worth more than
their user is now."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from api.models import AccessToken
from audit.models import AuditRecord
from auth.models import Membership
from auth.services import switch_off_user
from core.dates import now
from core.extensions import db
from meetings.services.bodies import remove_member
from tests.api.conftest import REGIO, RIJK, Bearer, make_token
from tests.conftest import find_body, in_app, user

SECRET = re.compile(r'id="token-secret"[^>]*value="(rt_[^"]+)"')


def _made_on_account_page(web, **form):
    response = web.post_form("/auth/account/api-tokens", {"name": "rapportage", "scope": "read", "days": "30", **form})
    return response, SECRET.search(response.get_data(as_text=True))


def test_a_token_is_made_on_my_account_shown_once_and_kept_only_as_its_hash(app, clients):
    web = clients(RIJK)
    response, found = _made_on_account_page(web)
    assert response.status_code == 200 and found, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    secret = found.group(1)
    with in_app(app):
        token = db.session.scalars(select(AccessToken).where(AccessToken.name == "rapportage")).one()
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        records = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "access_tokens")).all()
        assert [r.action for r in records] == ["create"]
        assert records[0].actor_user_id == user(RIJK).id
        assert secret not in str(records[0].changes) and token.token_hash not in str(records[0].changes)
    page = web.get("/auth/account").get_data(as_text=True)
    assert "rapportage" in page and secret not in page
    me = Bearer(app, secret).get("/api/v1/me")
    assert me.status_code == 200 and me.json["email"] == RIJK and me.json["scope"] == "read"


def test_bad_input_on_the_token_form_says_what_next_to_the_field_and_makes_nothing(app, clients):
    web = clients(RIJK)
    response, found = _made_on_account_page(web, name="", days="400")
    assert response.status_code == 400 and found is None
    text = response.get_data(as_text=True)
    assert "Vul dit veld in." in text and "Een token geldt 1 tot 365 dagen." in text
    with in_app(app):
        assert db.session.scalars(select(AccessToken)).all() == []


def test_the_list_shows_the_last_use_and_revoking_ends_the_token(app, clients):
    web = clients(RIJK)
    _response, found = _made_on_account_page(web)
    api = Bearer(app, found.group(1))
    assert api.get("/api/v1/me").status_code == 200
    page = web.get("/auth/account").get_data(as_text=True)
    assert "nooit" not in page.split("rapportage", 1)[1].split("</tr>", 1)[0]
    with in_app(app):
        token = db.session.scalars(select(AccessToken)).one()
        assert token.last_used_at is not None
        token_id = token.id
    assert web.post_form(f"/auth/account/api-tokens/{token_id}/intrekken").status_code == 302
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with in_app(app):
        actions = db.session.scalars(
            select(AuditRecord.action).where(AuditRecord.object_type == "access_tokens").order_by(AuditRecord.id)
        ).all()
        assert actions == ["create", "update"]


def test_someone_elses_token_cannot_be_revoked_it_does_not_exist_for_them(app, clients):
    secret = make_token(app, RIJK)
    with in_app(app):
        token_id = db.session.scalars(select(AccessToken.id)).one()
    assert clients(REGIO).post_form(f"/auth/account/api-tokens/{token_id}/intrekken").status_code == 404
    assert Bearer(app, secret).get("/api/v1/me").status_code == 200


def test_no_token_a_wrong_one_or_an_expired_one_is_401(app, clock):
    assert app.test_client().get("/api/v1/bodies").status_code == 401
    assert Bearer(app, "rt_nonsense").get("/api/v1/bodies").status_code == 401
    secret = make_token(app, RIJK, days=1)
    api = Bearer(app, secret)
    assert api.get("/api/v1/bodies").status_code == 200
    clock(now() + timedelta(days=1, minutes=1))
    assert api.get("/api/v1/bodies").status_code == 401


def test_a_closed_account_loses_its_tokens_through_the_signal(app):
    api = Bearer(app, make_token(app, REGIO))
    assert api.get("/api/v1/me").status_code == 200
    with in_app(app):
        switch_off_user(user("beheer@regiotafel.test"), user(REGIO), reason="vertrokken")
    assert api.get("/api/v1/me").status_code == 401
    with in_app(app):
        assert all(t.revoked_at is not None for t in db.session.scalars(select(AccessToken)))


def test_a_lost_membership_is_lost_through_the_token(app):
    api = Bearer(app, make_token(app, REGIO))
    with in_app(app):
        body_id = find_body().id
    assert body_id in [b["id"] for b in api.get("/api/v1/bodies").json["items"]]
    assert api.get(f"/api/v1/bodies/{body_id}").status_code == 200
    with in_app(app):
        membership = db.session.scalars(
            select(Membership).where(Membership.user_id == user(REGIO).id, Membership.body_id == body_id)
        ).one()
        remove_member(user("beheer@regiotafel.test"), membership)
    assert body_id not in [b["id"] for b in api.get("/api/v1/bodies").json["items"]]
    assert api.get(f"/api/v1/bodies/{body_id}").status_code == 404


def test_a_read_token_writes_nothing(app, bearer):
    response = bearer(RIJK).post("/api/v1/me")
    assert response.status_code in (403, 405)


def test_the_api_takes_no_session_cookie(app, clients):
    web = clients(RIJK)
    assert web.get("/api/v1/me").status_code == 401
    # With a token, the token's user acts, and the browser's session is neither read nor touched.
    response = web.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token(app, REGIO)}"})
    assert response.json["email"] == REGIO
    assert "Set-Cookie" not in response.headers


def test_tokens_are_made_on_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", "--as", REGIO, "--scope", "write", "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    response = Bearer(app, secret).get("/api/v1/me")
    assert response.json["scope"] == "write" and response.json["email"] == REGIO
    with in_app(app):
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "access_tokens")).one()
        assert record.actor_label == "systeem" and record.origin.get("source") == "cli"
    refused = runner.invoke(args=["tokens", "create", "--as", "niemand@example.test"])
    assert refused.exit_code != 0
