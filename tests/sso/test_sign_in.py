"""Signing in through the organisation's own provider (issue 14): against node's oidc-provider on
loopback for the flow itself, and against a provider of the test's own making for the ID tokens a
certified provider never sends. Every refusal: a Dutch message on the sign-in page and no session."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
from joserfc.jwk import RSAKey
from sqlalchemy import select

from audit.models import AuditRecord
from auth.models import User
from auth.sessions import enable_second_factor
from core.dates import now
from core.extensions import db
from tests.conftest import in_app, user
from tests.sso.conftest import AFTER_LOGOUT, at_provider, configure, pending_of, sign_in, start
from tests.sso.provider_process import STRONG_ACR, STRONG_AMR

NOT_GENUINE = "De identiteit van de inlogdienst klopt niet"


def with_authenticator(app: Any, email: str) -> str:
    """The person set up an authenticator app here; returns its secret."""
    secret = pyotp.random_base32()
    with in_app(app):
        step = int(now().timestamp()) // 30
        enable_second_factor(user(email), secret=secret, code=pyotp.TOTP(secret).generate_otp(step - 1))
    return secret


def signed_in(client: Any) -> bool:
    return client.get("/").status_code == 200


def refused_with(client: Any, response: Any, message: str) -> None:
    """Back on the sign-in page with ``message``, and no session."""
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    page = html.unescape(client.get("/auth/login").get_data(as_text=True))
    assert message in page
    assert not signed_in(client)


# --- against the certified provider ---------------------------------------------------------------------


def test_a_known_person_signs_in_and_lands_on_the_start_page(client, app, issuer):
    provider = configure(app, issuer)
    response = sign_in(client, provider, "beleid@ezk.test")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    with in_app(app):
        name = user("beleid@ezk.test").name
    assert home.status_code == 200 and name in html.unescape(home.get_data(as_text=True))


def test_the_sign_in_page_offers_the_organisations_provider(client, app, issuer):
    configure(app, issuer)
    page = client.get("/auth/login")
    text = page.get_data(as_text=True)
    assert "Inloggen met Ministerie van Economische Zaken" in html.unescape(text)
    # The button's form may lead to the provider, and only there besides this site.
    assert f"form-action 'self' {issuer}" in page.headers["Content-Security-Policy"]


def test_a_replayed_answer_is_refused(client, app, issuer):
    provider = configure(app, issuer)
    callback = at_provider(start(client, provider), "beleid@ezk.test")
    assert client.get(callback).status_code == 302 and signed_in(client)
    # The same answer again, in another browser (someone who caught the address): its state is nobody's.
    other = app.test_client()
    refused_with(other, other.get(callback), "Deze aanmelding is verlopen of al gebruikt")


def test_an_answer_with_another_state_is_refused(client, app, issuer):
    provider = configure(app, issuer)
    callback = at_provider(start(client, provider), "beleid@ezk.test")
    forged = callback.replace("state=", "state=x")
    refused_with(client, client.get(forged), "Deze aanmelding is verlopen of al gebruikt")
    # The state left the session with the first answer: the right one comes too late now.
    refused_with(client, client.get(callback), "Deze aanmelding is verlopen of al gebruikt")


def test_an_address_of_another_organisations_domain_is_refused(client, app, issuer):
    provider = configure(app, issuer)
    response = sign_in(client, provider, "economie@noord-brabant.test")
    refused_with(
        client, response, "Het e-mailadres economie@noord-brabant.test hoort niet bij Ministerie van Economische Zaken"
    )


def test_an_address_the_provider_did_not_verify_is_refused(client, app, issuer):
    provider = configure(app, issuer, create_users=True)
    response = sign_in(client, provider, "onbevestigd@ezk.test")
    refused_with(client, response, "heeft het e-mailadres onbevestigd@ezk.test niet bevestigd")
    with in_app(app):
        assert db.session.scalar(select(User).where(User.email == "onbevestigd@ezk.test")) is None


def test_no_account_is_made_where_the_organisation_does_not_allow_it(client, app, issuer):
    provider = configure(app, issuer, create_users=False)
    response = sign_in(client, provider, "nieuw@ezk.test")
    refused_with(client, response, "Er is in Regiotafel nog geen account voor nieuw@ezk.test")
    with in_app(app):
        assert db.session.scalar(select(User).where(User.email == "nieuw@ezk.test")) is None
        refusal = db.session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert refusal.action == "login_failed" and refusal.changes["reden"] == [None, "no account"]


def test_where_allowed_the_first_sign_in_makes_an_account_in_the_organisation_without_roles(client, app, issuer):
    provider = configure(app, issuer, create_users=True)
    response = sign_in(client, provider, "nieuw@ezk.test")
    assert response.headers["Location"] == "/" and signed_in(client)
    with in_app(app):
        made = user("nieuw@ezk.test")
        assert made.organisation_id == user("beleid@ezk.test").organisation_id
        assert made.name == "Nieuwe Collega"
        assert made.memberships == [] and not made.is_beheerder and made.password_hash is None


def test_the_second_factor_is_met_by_the_providers_amr_when_configured(client, app, issuer):
    with_authenticator(app, "beleid@ezk.test")
    provider = configure(app, issuer, mfa_amr_values=STRONG_AMR)
    assert sign_in(client, provider, "beleid@ezk.test", second_factor=True).headers["Location"] == "/"
    assert signed_in(client)


def test_the_second_factor_is_asked_here_when_the_provider_did_not(client, app, issuer):
    secret = with_authenticator(app, "beleid@ezk.test")
    provider = configure(app, issuer, mfa_acr_values=STRONG_ACR)
    response = sign_in(client, provider, "beleid@ezk.test", second_factor=False)
    assert response.headers["Location"].endswith("/auth/tweede-stap")
    assert not signed_in(client)
    code = pyotp.TOTP(secret).generate_otp(int(now().timestamp()) // 30)
    answer = client.post("/auth/tweede-stap", data={"code": code, "csrf_token": client.csrf_token("/auth/tweede-stap")})
    assert answer.status_code == 302 and signed_in(client)


def test_where_the_role_demands_a_second_factor_the_providers_acr_counts(client, app, issuer, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)
    provider = configure(app, issuer, mfa_acr_values=STRONG_ACR)
    # The secretariat must use a second factor and has none set up here: the provider's counts ...
    sign_in(client, provider, "secretariaat@ezk.test", second_factor=True)
    assert client.get("/").status_code == 200
    # ... and without it the person is sent to set one up, as after a password.
    other = app.test_client()
    sign_in(other, provider, "secretariaat@ezk.test", second_factor=False)
    assert other.get("/").headers["Location"].endswith("/auth/tweede-stap/instellen")


def test_signing_out_ends_the_session_and_the_one_at_the_provider(client, app, issuer):
    provider = configure(app, issuer)
    sign_in(client, provider, "beleid@ezk.test")
    assert f"form-action 'self' {issuer}" in client.get("/").headers["Content-Security-Policy"]
    response = client.post_form("/auth/logout")
    assert not signed_in(client)
    location = response.headers["Location"]
    assert location.startswith(f"{issuer}/session/end?")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == [AFTER_LOGOUT] and query["id_token_hint"][0].count(".") == 2


# --- tokens a certified provider never sends -------------------------------------------------------------


def _answer(client: Any, app: Any, fake: Any, **claims: Any) -> Any:
    provider = configure(app, fake.issuer)
    location = start(client, provider)
    pending = pending_of(location)
    fake.claims = fake.id_token_claims(email="beleid@ezk.test", email_verified=True, nonce=pending["nonce"], **claims)
    return client.get(f"/auth/sso/terug?code=een-code&state={pending['state']}")


def test_the_fake_provider_signs_in_when_all_is_right(client, app, fake):
    assert _answer(client, app, fake).headers["Location"] == "/" and signed_in(client)


def test_an_id_token_for_another_client_is_refused(client, app, fake):
    # azp names Regiotafel, so that only the audience itself gives the token away.
    refused_with(client, _answer(client, app, fake, aud="een-andere-client", azp="regiotafel"), NOT_GENUINE)


def test_an_expired_id_token_is_refused(client, app, fake):
    past = fake.id_token_claims()["iat"] - 7200
    refused_with(
        client, _answer(client, app, fake, iat=past, exp=past + 300), "De identiteit van de inlogdienst klopt niet"
    )


def test_an_id_token_with_another_nonce_is_refused(client, app, fake):
    provider = configure(app, fake.issuer)
    pending = pending_of(start(client, provider))
    fake.claims = fake.id_token_claims(email="beleid@ezk.test", email_verified=True, nonce="een-oude-nonce")
    response = client.get(f"/auth/sso/terug?code=een-code&state={pending['state']}")
    refused_with(client, response, NOT_GENUINE)


def test_an_id_token_signed_with_another_key_is_refused(client, app, fake):
    fake.signing_key = RSAKey.generate_key(2048, parameters={"kid": "echt"})
    refused_with(client, _answer(client, app, fake), NOT_GENUINE)


def test_an_id_token_of_another_issuer_is_refused(client, app, fake):
    refused_with(
        client, _answer(client, app, fake, iss="https://elders.example"), "De identiteit van de inlogdienst klopt niet"
    )
