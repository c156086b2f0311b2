"""Signing in and out, and the beheerder's pages."""

from __future__ import annotations

from sqlalchemy import select

from auth.invitations import latest_invitation_of, link_of
from auth.models import Organisation
from core.extensions import db
from tests.conftest import DEMO_PASSWORD, in_app, user


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client):
    wrong = client.post_form("/auth/login", {"email": "beleid@ezk.test", "password": "niet-het-wachtwoord"})
    unknown = client.post_form("/auth/login", {"email": "niemand@ezk.test", "password": "niet-het-wachtwoord"})
    assert wrong.status_code == unknown.status_code == 400
    message = "Deze combinatie van e-mailadres en wachtwoord kennen we niet."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_login_is_case_insensitive_for_the_address(client):
    assert client.login("Beleid@EZK.test").status_code == 302


def test_a_deactivated_account_cannot_log_in(app, client, clients):
    beheer = clients("beheer@regiotafel.test")
    with in_app(app):
        target = user("beleid@ocw.test").id
    assert beheer.post_form(f"/beheer/gebruikers/{target}/uitzetten", {"reason": "Vertrokken"}).status_code == 302
    assert client.login("beleid@ocw.test").status_code == 400


def test_logout_is_a_post_and_ends_the_session(clients):
    client = clients("beleid@ezk.test")
    assert client.get("/auth/logout").status_code == 405
    assert client.post_form("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_after_login_only_paths_on_this_site_are_followed(client):
    client._token = None
    token = client.csrf_token()
    response = client.post(
        "/auth/login?next=//evil.example/phish",
        data={"email": "beleid@ezk.test", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
    client._token = None  # a sign-in starts a fresh session, with a fresh CSRF token
    assert client.post_form("/auth/logout").status_code == 302
    client._token = None
    response = client.post(
        "/auth/login?next=/besluiten",
        data={"email": "beleid@ezk.test", "password": DEMO_PASSWORD, "csrf_token": client.csrf_token()},
    )
    assert response.headers["Location"] == "/besluiten"


def test_a_form_without_its_csrf_token_is_refused(clients):
    client = clients("secretariaat@ezk.test")
    response = client.post("/auth/logout")
    assert response.status_code == 400
    assert "Formulier verlopen" in response.get_data(as_text=True)


def test_beheer_pages_refuse_everyone_but_the_beheerder(clients):
    for email in ("secretariaat@ezk.test", "auditor@ezk.test"):
        client = clients(email)
        assert client.get("/beheer").status_code == 403
        assert (
            client.post_form("/beheer/organisaties/nieuw", {"name": "X", "short_name": "X", "side": "rijk"}).status_code
            == 403
        )


def test_the_beheerder_adds_an_organisation_a_user_and_a_role(app, clients):
    beheer = clients("beheer@regiotafel.test")
    assert (
        beheer.post_form(
            "/beheer/organisaties/nieuw",
            {
                "name": "Provincie Limburg",
                "short_name": "Prov. Limburg",
                "side": "regio",
                "tooi_uri": "https://identifier.overheid.nl/tooi/id/provincie/pv31",
            },
        ).status_code
        == 302
    )
    with in_app(app):
        limburg = db.session.scalars(select(Organisation).where(Organisation.name == "Provincie Limburg")).one().id
    response = beheer.post_form(
        "/beheer/gebruikers/nieuw",
        {"email": "economie@limburg.test", "name": "Noor Peeters", "organisation_id": limburg, "locale": "nl"},
    )
    assert response.status_code == 302
    with in_app(app):
        new_user = user("economie@limburg.test")
        new_user_id, invitation = new_user.id, latest_invitation_of(new_user)
        assert invitation is not None
        link = link_of(invitation)
    assert (
        beheer.post_form(
            "/beheer/overleggen/rom-overleg/leden", {"user_id": new_user_id, "role": "deelnemer"}
        ).status_code
        == 302
    )
    newcomer = app.test_client()
    token = link.rsplit("/", 1)[1]
    chosen = {"token": token, "password": "een-zin-als-wachtwoord", "confirm": "een-zin-als-wachtwoord"}
    assert newcomer.post_form("/auth/uitnodiging", chosen).status_code == 302
    assert app.test_client().login("economie@limburg.test", "een-zin-als-wachtwoord").status_code == 302
    page = newcomer.get("/overleggen").get_data(as_text=True)
    assert "Bestuurlijk overleg EZK en provincies over de ROM" in page
    assert "BO-Brainport" not in page


def test_only_a_path_on_this_site_is_followed_not_one_a_browser_reads_as_another_host(client):
    """``/\\evil.example`` is a path to Python, and ``//evil.example`` to a browser."""
    for target in ("/\\evil.example/phish", "/\\/evil.example", "//evil.example"):
        client._token = None
        response = client.post(
            f"/auth/login?next={target}",
            data={"email": "beleid@ezk.test", "password": DEMO_PASSWORD, "csrf_token": client.csrf_token()},
        )
        assert response.headers["Location"] == "/", target
        client._token = None
        client.post_form("/auth/logout")
