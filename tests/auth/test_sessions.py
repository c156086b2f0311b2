"""Sessions that hold (ASVS 5.0 V6/V7): server-side, timed out, renewed, and ended for good."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import event, select, text

from audit.models import AuditRecord
from auth import mfa, sessions
from auth.passwords import password_problem
from core.dates import now
from core.extensions import db
from core.i18n import COOKIE
from tests.auth.conftest import from_address
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
        target = user("beleid@ocw.test").id
    switch_off = clients("beheer@regiotafel.test").post_form(f"/beheer/gebruikers/{target}/uitzetten", {"reason": ""})
    assert switch_off.status_code == 302
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


def answer(response) -> str:
    """The sign-in page's answer to a refused try."""
    match = re.search(r"(Te veel [^<]*|Deze combinatie [^<]*|Too many [^<]*)", response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[-800:]
    return match.group(1).strip()


WRONG = "Deze combinatie van e-mailadres en wachtwoord kennen we niet."
WAIT = re.compile(r"Te veel mislukte pogingen\. Probeer het over \d+ (seconden?|minuten) opnieuw\.")


def sign_in_and_out(browser, email: str) -> None:
    assert browser.login(email).status_code == 302
    assert browser.post_form("/auth/logout").status_code == 302


def test_twenty_wrong_passwords_in_a_row_slow_the_next_attempts_down(client, clock):
    """The first five failures are free; then each costs twice the wait of the one before."""
    moment = now()
    waits: list[int] = []
    failures = 0
    while failures < 20:
        assert len(waits) <= 20, waits  # a refused try must not prolong the wait it was refused for
        page = attempt(client, "beleid@ezk.test").get_data(as_text=True)
        if "kennen we niet" in page:
            failures += 1
            continue
        match = re.search(r"Probeer het over (\d+) (seconden?|minuten) opnieuw", page)
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
        unknown = throttle.verdict("niemand@ezk.test", "10.0.0.1")
        known = throttle.verdict("beleid@ezk.test", "10.0.0.1")
    assert unknown == known and unknown.wait > timedelta(0) and not unknown.admits
    wrong = attempt(client, "beleid@ezk.test").get_data(as_text=True)
    missing = attempt(client, "niemand@ezk.test").get_data(as_text=True)
    assert "Te veel mislukte pogingen" in wrong and "Te veel mislukte pogingen" in missing


def test_signing_in_to_ones_own_account_does_not_wipe_out_the_guessing_from_that_address(app, tick):
    """An attacker guesses other accounts from one address and signs in to their own account in
    between. The success proves only their own account from there: the guessed account's streak and
    the address's count go on."""
    attacker = from_address(app, "10.9.0.1")
    for _ in range(5):
        tick()
        assert answer(attempt(attacker, "beleid@ezk.test")) == WRONG
    tick()
    sign_in_and_out(attacker, "economie@noord-brabant.test")
    tick()
    assert WAIT.fullmatch(answer(attempt(attacker, "beleid@ezk.test")))
    for n in range(95):
        if n % 10 == 0:
            tick()
            sign_in_and_out(attacker, "economie@noord-brabant.test")
        tick()
        assert answer(attempt(attacker, f"gok{n}@ezk.test")) == WRONG, n
    tick()
    assert WAIT.fullmatch(answer(attempt(attacker, "nog-een-gok@ezk.test")))
    tick()
    sign_in_and_out(attacker, "economie@noord-brabant.test")  # where they signed in before: not locked out


def test_twenty_failures_from_one_address_do_not_stop_a_first_sign_in_from_it(app, tick):
    """A shared NAT or a proxy without PROXY_FIX: other people's mistypes are no reason to wait."""
    shared = from_address(app, "10.9.0.2")
    for n in range(20):
        tick()
        assert answer(attempt(shared, f"collega{n}@ezk.test")) == WRONG
    tick()
    assert attempt(shared, "beleid@ezk.test", DEMO_PASSWORD).status_code == 302


def test_mass_guessing_from_one_address_slows_it_but_not_a_user_who_signed_in_there_before(app, tick):
    office = from_address(app, "10.9.0.3")
    sign_in_and_out(office, "beleid@ezk.test")
    tick(timedelta(days=30))
    for n in range(100):
        tick()
        assert answer(attempt(office, f"gok{n}@ezk.test")) == WRONG, n
    tick()
    assert WAIT.fullmatch(answer(attempt(office, "nog-een-gok@ezk.test")))
    tick()
    # Someone who never signed in from here waits like everyone else (their password counts as a try)...
    assert WAIT.fullmatch(answer(attempt(office, "beleid@ocw.test", DEMO_PASSWORD)))
    tick()
    # ...but whoever signed in from here before still gets in.
    assert office.login("beleid@ezk.test").status_code == 302
    office.post_form("/auth/logout")
    tick(timedelta(hours=1))
    assert answer(attempt(office, "nog-een-gok@ezk.test")) == WRONG  # the failures aged out of the hour


def test_guessing_an_account_from_many_addresses_slows_it_only_from_new_addresses(app, tick):
    home = from_address(app, "10.8.0.1")
    sign_in_and_out(home, "beleid@ezk.test")
    for n in range(30):
        tick()
        given = answer(attempt(from_address(app, f"10.7.0.{n}"), "beleid@ezk.test"))
        assert given == WRONG if n < 5 else WAIT.fullmatch(given), (n, given)  # the account's streak
    tick()
    assert WAIT.fullmatch(answer(attempt(from_address(app, "10.6.0.1"), "beleid@ezk.test", DEMO_PASSWORD)))
    tick()
    assert home.login("beleid@ezk.test").status_code == 302


def test_the_wait_does_not_tell_whether_the_account_exists_or_signed_in_from_here(app, tick, monkeypatch):
    """Under the address's wait, a wrong password for an account that signed in from here, for one
    that never did, and for an address that is no account get the same Dutch answer at the same cost."""
    import auth.passwords

    office = from_address(app, "10.9.0.4")
    sign_in_and_out(office, "beleid@ezk.test")
    for n in range(100):
        tick()
        attempt(office, f"gok{n}@ezk.test")
    checks = []
    real = auth.passwords.check_password_hash
    monkeypatch.setattr(auth.passwords, "check_password_hash", lambda h, p: checks.append(h) or real(h, p))
    answers = []
    for email in ["beleid@ezk.test", "beleid@ocw.test", "niemand@ezk.test"]:
        tick()
        answers.append(answer(attempt(office, email)))
    assert WAIT.fullmatch(answers[0]) and answers[0] == answers[1] == answers[2]
    assert "beleid" not in answers[0] and "account" not in answers[0].lower()
    assert len(checks) == 3


def test_a_right_password_that_the_wait_refuses_counts_like_a_wrong_one(app, clock):
    """Otherwise the next wait would tell a guesser which of their passwords was the right one."""
    from auth import throttle

    start = now()
    clock(start)
    with in_app(app):
        for email in ["beleid@ezk.test", "beleid@ocw.test"]:
            for n in range(6):
                sessions.record_failed_sign_in(sessions.NOBODY, email=email, address=f"10.7.2.{n}")
    clock(start + timedelta(seconds=1))
    guesser = from_address(app, "10.6.0.3")
    assert WAIT.fullmatch(answer(attempt(guesser, "beleid@ezk.test", DEMO_PASSWORD)))
    assert WAIT.fullmatch(answer(attempt(guesser, "beleid@ocw.test")))
    with in_app(app):
        right, wrong = throttle.verdict("beleid@ezk.test", "10.6.0.3"), throttle.verdict("beleid@ocw.test", "10.6.0.3")
    assert right == wrong and right.others > timedelta(0)


def test_the_wait_is_told_in_the_readers_language(app, tick):
    english = from_address(app, "10.9.0.5")
    english.set_cookie(COOKIE, "en")
    dutch = from_address(app, "10.9.0.5")
    for _ in range(6):
        tick()
        attempt(english, "beleid@ezk.test")
    assert re.fullmatch(
        r"Too many failed attempts\. Try again in \d+ seconds?\.", answer(attempt(english, "beleid@ezk.test"))
    )
    assert WAIT.fullmatch(answer(attempt(dutch, "beleid@ezk.test")))


def test_an_endless_streak_waits_the_longest_wait(app, client, clock):
    """Sixty failures of one account from one address within a day: 15 minutes, not a crash."""
    from auth.models import LoginAttempt

    start = now()
    with in_app(app):
        db.session.add_all(
            LoginAttempt(email="beleid@ezk.test", address="127.0.0.1", succeeded=False, at=start + timedelta(minutes=n))
            for n in range(60)
        )
    clock(start + timedelta(minutes=59, seconds=1))
    assert answer(attempt(client, "beleid@ezk.test", DEMO_PASSWORD)) == (
        "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."
    )


def test_an_ipv6_client_is_one_address_across_its_64_network(app, tick):
    """Devices change their IPv6 address within the network every day: the /64 is the address,
    for the guessing from it and for the users who signed in from it."""
    sign_in_and_out(from_address(app, "2001:db8:1:2::1"), "beleid@ezk.test")
    for n in range(100):
        tick()
        assert answer(attempt(from_address(app, f"2001:db8:1:2:{n:x}::1"), f"gok{n}@ezk.test")) == WRONG
    tick()
    assert WAIT.fullmatch(answer(attempt(from_address(app, "2001:db8:1:2:ffff::9"), "nog-een-gok@ezk.test")))
    assert answer(attempt(from_address(app, "2001:db8:1:3::1"), "nog-een-gok@ezk.test")) == WRONG
    tick()
    assert from_address(app, "2001:db8:1:2:aaaa::7").login("beleid@ezk.test").status_code == 302


@pytest.mark.parametrize(
    ("address", "key"),
    [("10.1.2.3", "10.1.2.3"), ("::ffff:10.1.2.3", "10.1.2.3"), ("2001:db8::1", "2001:db8::/64"), ("x", "x")],
)
def test_the_throttle_keys_a_client_address(address, key):
    from auth import throttle

    assert throttle.network(address) == key


def test_the_throttle_reads_its_keys_by_index_ranges(app):
    """Each query of the throttle is one range of an index that holds every column it asks about,
    so the growing table is never scanned and never sorted. The table looks like a year of use: an
    account signs in from many addresses, and an address serves many accounts."""
    from sqlalchemy import insert

    from auth import throttle
    from auth.models import LoginAttempt

    start = now() - timedelta(days=365)
    rows = [
        {
            "email": email,
            "address": address,
            "succeeded": n % 3 != 0,
            "kind": "password",
            "at": start + timedelta(hours=n),
        }
        for n in range(600)
        for email, address in [("beleid@ezk.test", f"10.5.{n % 200}.1"), (f"collega{n}@ezk.test", "10.0.0.1")]
    ]
    seen = []
    with in_app(app):
        db.session.execute(insert(LoginAttempt), rows)
        db.session.execute(text("ANALYZE login_attempts"))
        engine = db.engine
        listen = lambda _c, _cur, statement, parameters, _ctx, _many: seen.append((statement, parameters))  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        try:
            throttle.verdict("beleid@ezk.test", "10.0.0.1")
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        connection = db.session.connection()
        sqlite = engine.dialect.name == "sqlite"
        if not sqlite:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plans = {
            statement: "\n".join(
                str(row[-1] if sqlite else row[0])
                for row in connection.exec_driver_sql(
                    ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters
                )
            )
            for statement, parameters in seen
            if "login_attempts" in statement
        }
    assert len(plans) == 5
    for statement, plan in plans.items():
        asked = set(re.findall(r"login_attempts\.(\w+) (?:=|IS|>)", statement.split("WHERE")[1]))
        condition = re.search(r"USING (?:COVERING )?INDEX ix_login_attempts_\w+ \((.*)\)|Index Cond: (.*)", plan)
        assert condition, plan
        used = set(re.findall(r"\b(email|address|succeeded|kind|at)\b", condition.group(1) or condition.group(2)))
        assert used == asked, (statement, plan)
        assert not re.search(r"TEMP B-TREE|Sort|Filter", plan), plan


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
    assert events[-1].origin["source"] == "web" and events[-1].actor_label.startswith("Sanne de Vries")


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
        assert throttle.verdict("beleid@ezk.test", "10.2.0.1").wait > timedelta(minutes=59)
        # Where the account signed in before, only that address's own streak counts.
        db.session.add(
            LoginAttempt(email="beleid@ezk.test", address="10.3.0.1", succeeded=True, at=start - timedelta(days=89))
        )
    with in_app(app):
        assert throttle.verdict("beleid@ezk.test", "10.3.0.1").admits
        assert not throttle.verdict("beleid@ezk.test", "10.2.0.1").admits
    clock(start + timedelta(minutes=61))
    with in_app(app):
        assert throttle.verdict("beleid@ezk.test", "10.2.0.1").wait == timedelta(0)


def test_an_address_stays_known_for_90_days_after_a_sign_in(app, clock):
    from auth import throttle
    from auth.models import LoginAttempt

    start = now()
    with in_app(app):
        db.session.add(LoginAttempt(email="beleid@ezk.test", address="10.3.0.2", succeeded=True, at=start))
        db.session.add_all(
            LoginAttempt(email="beleid@ezk.test", address=f"10.4.0.{n}", succeeded=False, at=start + timedelta(days=89))
            for n in range(10)
        )
    clock(start + timedelta(days=89, seconds=1))
    with in_app(app):
        assert throttle.verdict("beleid@ezk.test", "10.3.0.2").admits
    clock(start + timedelta(days=90, seconds=1))
    with in_app(app):
        db.session.add_all(
            LoginAttempt(email="beleid@ezk.test", address=f"10.4.1.{n}", succeeded=False, at=now()) for n in range(10)
        )
    with in_app(app):
        assert not throttle.verdict("beleid@ezk.test", "10.3.0.2").admits


@pytest.mark.parametrize("kind", ["password", "mfa"])
def test_own_sign_ins_between_failures_do_not_reset_an_address_at_either_step(app, tick, kind):
    from auth import throttle

    with in_app(app):
        own, other = user("economie@noord-brabant.test"), user("beleid@ocw.test")
        sessions.sign_in(other, address="10.9.1.1", user_agent="test")
    for n in range(100):
        tick()
        with in_app(app):
            if n % 10 == 0:
                sessions.sign_in(user("economie@noord-brabant.test"), address="10.9.1.1", user_agent="test")
            sessions.record_failed_sign_in(sessions.NOBODY, email=f"gok{n}@ezk.test", address="10.9.1.1", kind=kind)
    tick()
    with in_app(app):
        stranger = throttle.verdict("nog-een-gok@ezk.test", "10.9.1.1", kind)
        assert stranger.others > timedelta(0) and not stranger.admits
        assert throttle.verdict(own.email, "10.9.1.1", kind).admits
        assert throttle.verdict(other.email, "10.9.1.1", kind).admits


def wrong_code(secret: str) -> str:
    return f"{(int(pyotp.TOTP(secret).at(now())) + 1) % 10**6:06d}"


def test_guessing_codes_from_many_addresses_slows_the_second_step_only_from_new_addresses(app, clients, tick):
    """The guesser has the password and tries codes from many addresses: the owner still gets in
    where they signed in before, and the right code refused elsewhere stays unused."""
    secret = enrol(clients("beleid@ezk.test"))  # signed in from 127.0.0.1
    tick(timedelta(seconds=61))
    for n in range(10):
        with in_app(app):
            sessions.record_failed_sign_in(sessions.NOBODY, email="beleid@ezk.test", address=f"10.7.1.{n}", kind="mfa")
        tick()
    code = pyotp.TOTP(secret).at(now())
    elsewhere = from_address(app, "10.6.0.2")
    assert elsewhere.login("beleid@ezk.test").headers["Location"].endswith("/auth/tweede-stap")
    refused = elsewhere.post_form("/auth/tweede-stap", {"code": code}).get_data(as_text=True)
    assert re.search(r"Te veel onjuiste codes\. Probeer het over \d+ (seconden?|minuten) opnieuw\.", refused)
    home = app.test_client()
    assert home.login("beleid@ezk.test").headers["Location"].endswith("/auth/tweede-stap")
    assert home.post_form("/auth/tweede-stap", {"code": code}).status_code == 302


def test_a_completed_sign_in_ends_the_streak_of_wrong_codes(app, clients, tick):
    secret = enrol(clients("beleid@ezk.test"))
    browser = app.test_client()
    for _ in range(2):
        tick(timedelta(seconds=31))
        assert browser.login("beleid@ezk.test").headers["Location"].endswith("/auth/tweede-stap")
        for _ in range(4):
            tick()
            page = browser.post_form("/auth/tweede-stap", {"code": wrong_code(secret)}).get_data(as_text=True)
            assert "Deze code klopt niet." in page
        tick()
        assert browser.post_form("/auth/tweede-stap", {"code": pyotp.TOTP(secret).at(now())}).status_code == 302
        browser._token = None  # the new session has a new CSRF token
        assert browser.post_form("/auth/logout").status_code == 302


def test_the_scheduler_forgets_attempts_the_throttle_no_longer_looks_at(app, tick):
    from auth.jobs import prune_attempts
    from auth.models import LoginAttempt
    from auth.throttle import KNOWN_FOR

    place = from_address(app, "10.9.0.9")

    def kept() -> int:
        with in_app(app):
            return len(db.session.scalars(select(LoginAttempt.id).where(LoginAttempt.address == "10.9.0.9")).all())

    tick()
    assert answer(attempt(place, "beleid@ezk.test")) == WRONG
    tick()
    sign_in_and_out(place, "economie@noord-brabant.test")
    assert kept() == 2
    tick(KNOWN_FOR - timedelta(minutes=1))
    with in_app(app):
        prune_attempts("test")
    assert kept() == 2, "the last sign-in from here still counts as known"
    tick(timedelta(minutes=2))
    with in_app(app):
        assert prune_attempts("test").startswith("2 ")
    assert kept() == 0
