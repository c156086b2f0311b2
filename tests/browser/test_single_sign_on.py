"""Signing in through the organisation's own identity provider (issue 14): node's oidc-provider on
loopback, a person at its sign-in page, and back on Regiotafel's start page; signing out ends the
session at the provider too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from auth.models import IdentityProvider
from auth.sso import save_provider
from core.extensions import db
from tests.browser.conftest import LiveServer
from tests.conftest import user, without
from tests.sso import provider_process


def _save(issuer: str, provider_id: int | None = None, *, active: bool = True) -> int:
    existing = db.session.get(IdentityProvider, provider_id) if provider_id else None
    fields = provider_process.provider_fields(issuer, user("beleid@ezk.test").organisation_id, active=active)
    provider = save_provider(user("beheer@regiotafel.test"), existing, **fields)
    db.session.flush()
    return provider.id


@pytest.fixture
def ezk_provider(live_server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    """EZK's provider, running, and configured on the live server; switched off again afterwards, so
    that the other browser tests see the sign-in page they know."""
    reason = provider_process.skip_reason()
    if reason:
        without(reason)
    callback, after = f"{live_server.url}/auth/sso/terug", f"{live_server.url}/auth/login"
    with provider_process.running([callback], [after], tmp_path / "provider.log") as issuer:
        provider_id = live_server.query(lambda: _save(issuer))
        try:
            yield issuer
        finally:
            live_server.query(lambda: _save(issuer, provider_id, active=False))


def test_a_person_signs_in_at_the_organisations_provider_and_lands_on_the_start_page(
    page: Page, live_server: LiveServer, ezk_provider: str
) -> None:
    page.goto("/auth/login")
    page.get_by_role("button", name=re.compile(r"^Inloggen met Ministerie van Economische Zaken")).click()

    # At the provider's own page, on its own address.
    expect(page.get_by_role("heading", name="Testprovider: inloggen")).to_be_visible()
    assert page.url.startswith(ezk_provider)
    page.get_by_label("Gebruikersnaam").fill("beleid@ezk.test")
    page.get_by_label("Wachtwoord").fill(provider_process.PASSWORD)
    page.get_by_role("button", name="Inloggen bij de testprovider").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Goedendag")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    # Signing out here leads to the provider's logout, and from there back to the sign-in page.
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Testprovider: uitloggen")).to_be_visible()
    page.get_by_role("button", name="Ook bij de testprovider uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen", exact=True)).to_be_visible()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
