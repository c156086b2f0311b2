"""Sessions that hold (ASVS 5.0 V6/V7): server-side, timed out, renewed, and ended for good."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from audit.models import AuditRecord
from auth import mfa, sessions
from auth.passwords import password_problem
from core.dates import now
from core.extensions import db
from tests.conftest import DEMO_PASSWORD, in_app, user


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, value: str):
    """A fresh browser that presents a stolen session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_replayed_after_logout_gets_the_login_page(app, clients):
    client = clients("beleid@ezk.test")
    stolen = session_cookie(client)
    assert replay(app, stolen).get("/").status_code == 200
    client.post_form("/auth/logout")
    response = replay(app, stolen).get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_cookie_replayed_after_a_password_change_is_refused(app, clients):
    victim = clients("beleid@ezk.test")
    stolen = session_cookie(victim)
    beheer = clients("beheer@regiotafel.test")
    with in_app(app):
        user_id = user("beleid@ezk.test").id
    data = {"pw-password": "een-heel-nieuw-zinnetje", "pw-confirm": "een-heel-nieuw-zinnetje"}
    assert beheer.post_form(f"/beheer/gebruikers/{user_id}/wachtwoord", data).status_code == 302
    assert replay(app, stolen).get("/").status_code == 302
    assert victim.get("/").status_code == 302


def test_changing_ones_own_password_ends_the_other_sessions_only(app, clients):
    here, elsewhere = clients("beleid@ezk.test"), clients("beleid@ezk.test")
    response = here.post_form(
        "/auth/account/wachtwoord",
        {"current": DEMO_PASSWORD, "password": "een-heel-nieuw-zinnetje", "confirm": "een-heel-nieuw-zinnetje"},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_a_cookie_replayed_after_deactivation_is_refused(app, clients):
    victim = clients("beleid@ocw.test")
    stolen = session_cookie(victim)
    with in_app(app):
        target = user("beleid@ocw.test")
        data = {"email": target.email, "name": target.name, "organisation_id": target.organisation_id}
    assert clients("beheer@regiotafel.test").post_form(f"/beheer/gebruikers/{target.id}", data).status_code == 302
    assert replay(app, stolen).get("/").status_code == 302


def test_a_session_ends_after_30_idle_minutes_but_not_before(clients, clock):
    client = clients("beleid@ezk.test")
    start = now()
    clock(start + timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity restarts the idle clock
    clock(start + timedelta(minutes=58))
    assert client.get("/").status_code == 200
    clock(start + timedelta(minutes=89))
    assert client.get("/").status_code == 302


def test_a_session_ends_12_hours_after_sign_in_however_busy(clients, clock):
    client = clients("beleid@ezk.test")
    start = now()
    for minutes in range(20, 12 * 60, 20):
        clock(start + timedelta(minutes=minutes))
        assert client.get("/").status_code == 200, minutes
    clock(start + timedelta(hours=12, minutes=1))
    assert client.get("/").status_code == 302


def test_the_session_token_is_new_at_every_sign_in(app, clients):
    first = clients("beleid@ezk.test")
    first.post_form("/auth/logout")
    assert first.login("beleid@ezk.test").status_code == 302
    second = clients("beleid@ezk.test")
    with first.session_transaction() as a, second.session_transaction() as b:
        assert a["sid"] != b["sid"]
    with in_app(app):
        from auth.models import UserSession

        stored = db.session.scalars(select(UserSession.token_hash)).all()
    assert all(len(h) == 64 for h in stored) and a["sid"] not in stored  # only hashes are kept


def test_signing_in_does_not_keep_anything_of_the_anonymous_session(client):
    client.get("/auth/login")
    with client.session_transaction() as anonymous:
        anonymous["planted"] = "by an attacker"
    client.login("beleid@ezk.test")
    with client.session_transaction() as signed_in:
        assert "planted" not in signed_in


# --- throttling -------------------------------------------------------------------------------


def attempt(client, email, password="niet-het-goede-wachtwoord"):
    client._token = None
    return client.post_form("/auth/login", {"email": email, "password": password})


def test_twenty_wrong_passwords_in_a_row_slow_the_next_attempts_down(client, clock):
    """The first five failures are free; then each costs twice the wait of the one before."""
    moment = now()
    waits: list[int] = []
    failures = 0
    while failures < 20:
        page = attempt(client, "beleid@ezk.test").get_data(as_text=True)
        if "kennen we niet" in page:
            failures += 1
            continue
        match = re.search(r"Probeer het over (\d+) (seconden|minuten)", page)
        assert match, page[-800:]
        seconds = int(match.group(1)) * (60 if match.group(2) == "minuten" else 1)
        waits.append(seconds)
        # Even the right password waits its turn.
        assert "Te veel mislukte pogingen" in attempt(client, "beleid@ezk.test", DEMO_PASSWORD).get_data(as_text=True)
        moment += timedelta(seconds=seconds + 1)
        clock(moment)
    assert len(waits) == 15  # failures 6 to 20 each waited
    assert waits == sorted(waits) and waits[-1] >= 10 * 60 > waits[0]
    assert "Te veel mislukte pogingen" in attempt(client, "beleid@ezk.test", DEMO_PASSWORD).get_data(as_text=True)
    clock(moment + timedelta(minutes=16))
    assert attempt(client, "beleid@ezk.test", DEMO_PASSWORD).status_code == 302


def test_the_waits_grow_and_an_unknown_address_is_throttled_alike(app, client, clock):
    from auth import throttle

    start = now()
    for n in range(8):
        clock(start + timedelta(minutes=n))
        with in_app(app):
            sessions.record_failed_sign_in(sessions.NOBODY, email="niemand@ezk.test", address="10.0.0.9")
            sessions.record_failed_sign_in(sessions.NOBODY, email="beleid@ezk.test", address="10.0.0.8")
    with in_app(app):
        unknown = throttle.wait_before_next("niemand@ezk.test", "10.0.0.1")
        known = throttle.wait_before_next("beleid@ezk.test", "10.0.0.1")
    assert unknown == known > timedelta(0)
    wrong = attempt(client, "beleid@ezk.test").get_data(as_text=True)
    missing = attempt(client, "niemand@ezk.test").get_data(as_text=True)
    assert "Te veel mislukte pogingen" in wrong and "Te veel mislukte pogingen" in missing


def test_an_unknown_address_costs_the_same_password_check_as_a_wrong_password(client, monkeypatch):
    import auth.passwords

    calls = []
    real = auth.passwords.check_password_hash
    monkeypatch.setattr(auth.passwords, "check_password_hash", lambda h, p: calls.append(h.split("$")[0]) or real(h, p))
    attempt(client, "beleid@ezk.test")
    attempt(client, "niemand@ezk.test")
    assert len(calls) == 2 and calls[0] == calls[1]


def test_sign_ins_and_failures_are_in_the_audit_trail(app, client):
    attempt(client, "beleid@ezk.test")
    attempt(client, "niemand@ezk.test")
    client.login("beleid@ezk.test")
    client.post_form("/auth/logout")
    with in_app(app):
        events = db.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action.in_(["login", "login_failed", "logout"]))
            .order_by(AuditRecord.id)
        ).all()
    kinds = [(e.action, e.object_label) for e in events[-4:]]
    assert kinds == [
        ("login_failed", "aanmelding als beleid@ezk.test"),
        ("login_failed", "aanmelding als niemand@ezk.test"),
        ("login", "aanmelding als beleid@ezk.test"),
        ("logout", "afmelding van beleid@ezk.test"),
    ]
    assert events[-1].origin["bron"] == "web" and events[-1].actor_label.startswith("Sanne de Vries")


def test_refused_accesses_are_in_the_audit_trail_without_the_items_name(app, clients):
    from meetings.models import Document

    with in_app(app):
        rijk_doc = db.session.scalars(select(Document).where(Document.audience == "rijk")).first()
        doc_id, title = rijk_doc.id, rijk_doc.title
    clients("economie@noord-brabant.test").get(f"/documenten/{doc_id}/download")
    clients("beleid@ezk.test").get("/beheer")
    with in_app(app):
        refused = db.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "access_refused").order_by(AuditRecord.id)
        ).all()[-2:]
    assert (refused[0].object_type, refused[0].object_id, refused[0].changes["status"][1]) == ("documents", doc_id, 404)
    assert refused[0].actor_label.startswith("Joost van den Heuvel")
    assert title not in refused[0].object_label
    assert refused[1].changes["status"][1] == 403


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["kort", "password1234", "Welkom2024!!", "qwertyuiop12", "aaaaaaaaaaaaaa", "123456789012", "wachtwoord1234"],
)
def test_short_and_common_passwords_are_refused(app, password):
    with app.app_context():
        assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["paard batterij nietje", "de brug bij eindhoven-noord", "Zx9!qLw#2v$Rt"])
def test_long_uncommon_passwords_pass_without_composition_rules(app, password):
    with app.app_context():
        assert password_problem(password) is None


def test_a_password_with_ones_own_name_is_refused(app):
    with app.app_context():
        assert password_problem("sanne-zegt-hallo", email="beleid@ezk.test", name="Sanne de Vries")


# --- the second factor ------------------------------------------------------------------------


def enrol(client) -> str:
    """Go through set-up in the browser; returns the secret."""
    page = client.get("/auth/tweede-stap/instellen").get_data(as_text=True)
    assert "qr.svg" in page
    svg = client.get("/auth/tweede-stap/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    with client.session_transaction() as state:
        secret = state["mfa_secret"]
    response = client.post_form("/auth/tweede-stap/instellen", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and "herstelcodes" in response.get_data(as_text=True)
    return secret


def test_sign_in_in_two_steps_with_a_code_that_works_once(app, client, clients, clock):
    secret = enrol(clients("beleid@ezk.test"))
    clock(now() + timedelta(seconds=61))
    code = pyotp.TOTP(secret).at(now())
    assert client.login("beleid@ezk.test").headers["Location"].endswith("/auth/tweede-stap")
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.post_form("/auth/tweede-stap", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    other = app.test_client()
    other.login("beleid@ezk.test")
    reused = other.post_form("/auth/tweede-stap", {"code": code})
    assert reused.status_code == 400 and "klopt niet" in reused.get_data(as_text=True)


def test_a_recovery_code_works_once(app, client, clients):
    setup = clients("beleid@ezk.test")
    enrol(setup)
    codes = setup.post_form("/auth/account/herstelcodes").get_data(as_text=True)
    recovery = codes.split("<code>")[1].split("</code>")[0]
    client.login("beleid@ezk.test")
    assert client.post_form("/auth/tweede-stap", {"code": recovery.upper()}).status_code == 302
    other = app.test_client()
    other.login("beleid@ezk.test")
    assert other.post_form("/auth/tweede-stap", {"code": recovery}).status_code == 400


def test_with_require_mfa_the_secretariat_must_set_up_a_second_factor_first(app, clients):
    app.config["REQUIRE_MFA"] = True
    try:
        client = clients("secretariaat@ezk.test")
        response = client.get("/vergaderingen/1")
        assert response.status_code == 302 and response.headers["Location"].endswith("/auth/tweede-stap/instellen")
        enrol(client)
        assert client.get("/").status_code == 200
        assert clients("beleid@ezk.test").get("/").status_code == 200  # a deelnemer is not asked
    finally:
        app.config["REQUIRE_MFA"] = False


def test_require_mfa_is_on_outside_local_use(monkeypatch):
    from core import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    assert create_app({"REGIOTAFEL_ENV": "production", "DATABASE_URL": "sqlite://"}).config["REQUIRE_MFA"] is True
    assert create_app({"REGIOTAFEL_ENV": "development", "DATABASE_URL": "sqlite://"}).config["REQUIRE_MFA"] is False


def test_the_beheerder_resets_a_lost_second_factor(app, clients):
    victim = clients("beleid@ezk.test")
    enrol(victim)
    with in_app(app):
        user_id = user("beleid@ezk.test").id
    beheer = clients("beheer@regiotafel.test")
    assert beheer.post_form(f"/beheer/gebruikers/{user_id}/tweede-stap-resetten").status_code == 302
    assert victim.get("/").status_code == 302  # the reset ended the sessions
    with in_app(app):
        assert not user("beleid@ezk.test").mfa_enabled


def test_the_qr_code_is_never_shown_for_a_secret_in_use(clients):
    client = clients("beleid@ezk.test")
    enrol(client)
    assert client.get("/auth/tweede-stap/qr.svg").status_code == 404
    assert mfa.STEP == 30


def test_no_account_gets_more_than_100_failures_an_hour(app, clock):
    """Even between successes: the hundredth failure within the hour closes the account until the
    hour has passed."""
    from auth import throttle
    from auth.models import LoginAttempt

    start = now()
    with in_app(app):
        db.session.add_all(
            LoginAttempt(email="beleid@ezk.test", address=f"10.1.{n}.1", succeeded=n % 10 == 9, at=start)
            for n in range(120)  # 108 failures, a success after every nine
        )
    clock(start + timedelta(seconds=1))
    with in_app(app):
        assert throttle.wait_before_next("beleid@ezk.test", "10.2.0.1") > timedelta(minutes=59)
    clock(start + timedelta(minutes=61))
    with in_app(app):
        assert throttle.wait_before_next("beleid@ezk.test", "10.2.0.1") == timedelta(0)
