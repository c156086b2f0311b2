"""Single sign-on against a certified OpenID provider on loopback (node's oidc-provider), started once per
run, and a provider of the tests' own making for the tokens a real one never sends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from flask import Flask

from auth import sso
from tests.conftest import Client, in_app, user, without
from tests.sso import provider_process
from tests.sso.fake_provider import FakeProvider, fake_provider

#: Where the Flask test client's requests come from, and so the address the provider sends people back to.
CALLBACK = "http://localhost/auth/sso/terug"
AFTER_LOGOUT = "http://localhost/auth/login"


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = provider_process.skip_reason()
    if reason:
        without(reason)
    log = tmp_path_factory.mktemp("provider") / "provider.log"
    with provider_process.running([CALLBACK], [AFTER_LOGOUT], log) as found:
        yield found


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with fake_provider() as provider:
        yield provider


def configure(app: Flask, issuer: str, **details: Any) -> int:
    """EZK's provider, saved by the demo's beheerder the way the beheer page does; returns its id."""
    with in_app(app):
        return _configure(issuer, **details)


def _configure(issuer: str, **details: Any) -> int:
    fields = provider_process.provider_fields(issuer, user("beleid@ezk.test").organisation_id, **details)
    return sso.save_provider(user("beheer@regiotafel.test"), None, **fields).id


def start(client: Client, provider_id: int) -> str:
    """Press "Inloggen met ..." on the sign-in page; returns the provider's address it leads to."""
    response = client.post_form(f"/auth/sso/{provider_id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def at_provider(location: str, login: str, *, second_factor: bool = False) -> str:
    """A person at the provider's own sign-in page; returns the address the provider sends them back to."""
    browser = requests.Session()
    page = browser.get(location, timeout=10)
    assert page.status_code == 200, page.text
    action = re.search(r'action="([^"]+)"', page.text)
    assert action, page.text
    form = {"login": login, "password": provider_process.PASSWORD, **({"mfa": "1"} if second_factor else {})}
    response = browser.post(urljoin(page.url, action.group(1)), data=form, allow_redirects=False, timeout=10)
    while response.is_redirect and not response.headers["Location"].startswith(CALLBACK):
        response = browser.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False, timeout=10)
    assert response.is_redirect, response.text
    return str(response.headers["Location"])


def sign_in(client: Client, provider_id: int, login: str, *, second_factor: bool = False) -> Any:
    """The whole way: the button, the provider's page, and back; returns Regiotafel's answer to the callback."""
    response = client.get(at_provider(start(client, provider_id), login, second_factor=second_factor))
    client._token = None  # a sign-in starts a fresh session, with a fresh CSRF token
    return response


def pending_of(location: str) -> dict[str, str]:
    """The state and nonce of a sign-in, as the provider's address carries them."""
    query = parse_qs(urlsplit(location).query)
    return {"state": query["state"][0], "nonce": query["nonce"][0]}
