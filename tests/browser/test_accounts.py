"""Accounts in the browser: the beheerder invites someone, who chooses a password on the e-mailed link;
someone who forgot theirs asks for a link and chooses a new one. The mail goes through a real SMTP server
(aiosmtpd), sent by a round of the scheduler; axe checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser import axe
from tests.browser.helpers import sign_in
from tests.notify.conftest import SmtpServer, smtp  # noqa: F401  (the fixture)

LINK = re.compile(r"https?://\S+(/auth/(?:uitnodiging|wachtwoord-herstellen)/[A-Za-z0-9_-]+)")
PASSWORD = "een zin voor de browser"


@pytest.fixture
def deliver(live_server: Any, smtp: SmtpServer) -> Callable[[str], EmailMessage]:  # noqa: F811
    """``deliver(address)``: one round of the scheduler against the mail server; the one message that
    round sent to ``address``."""

    def run(address: str) -> EmailMessage:
        from notify import services

        app = live_server.app
        before = len(smtp.inbox.accepted)
        saved = {key: app.config.get(key) for key in smtp.config()}
        app.config.update(smtp.config())
        try:
            live_server.query(lambda: (services.plan_due(), services.dispatch("browser:accounts")))
        finally:
            app.config.update(saved)
        mine = [m for m in smtp.inbox.accepted[before:] if m["To"].addresses[0].addr_spec == address]
        assert len(mine) == 1, [m["Subject"] for m in smtp.inbox.accepted[before:]]
        return mine[0]

    return run


def path_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.findall(str(body.get_content()))
    assert len(found) == 1
    return urlsplit(found[0]).path


def no_serious_violations(page: Page, name: str, request: pytest.FixtureRequest) -> None:
    axe.check(page, request, name, role="anoniem")


def test_an_invited_person_chooses_a_password_on_the_link(
    people: Callable[[str], Page], new_context: Any, deliver: Any, request: pytest.FixtureRequest
) -> None:
    beheer = people("beheer@regiotafel.test")
    beheer.goto("/beheer")
    beheer.get_by_role("link", name="Iemand uitnodigen").click()
    expect(beheer.get_by_role("heading", name="Iemand uitnodigen")).to_be_visible()
    assert beheer.locator('input[type="password"]').count() == 0
    beheer.get_by_label("Naam", exact=True).fill("Fleur Jansen")
    beheer.get_by_label("E-mailadres").fill("fleur.jansen@ocw.test")
    ocw = "Ministerie van Onderwijs, Cultuur en Wetenschap (rijk)"
    beheer.get_by_label("Organisatie", exact=True).select_option(label=ocw)
    beheer.get_by_label("BO-Brainport").select_option(label="deelnemer")
    beheer.get_by_role("button", name="Uitnodiging versturen").click()
    expect(beheer.get_by_role("status")).to_contain_text("Fleur Jansen is uitgenodigd")

    link = path_in(deliver("fleur.jansen@ocw.test"))
    page = new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Welkom bij Regiotafel")).to_be_visible()
    no_serious_violations(page, "uitnodiging aanvaarden", request)
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Uw wachtwoord is ingesteld")
    page.goto("/overleggen")
    expect(page.get_by_role("link", name="BO-Brainport")).to_be_visible()

    again = new_context().new_page()
    response = again.goto(link)
    assert response is not None and response.status == 410
    expect(again.get_by_role("alert")).to_contain_text("al gebruikt")
    no_serious_violations(again, "link gebruikt", request)


def test_a_forgotten_password_is_chosen_anew_on_the_link(
    page: Page, live_server: Any, deliver: Any, request: pytest.FixtureRequest
) -> None:
    def someone() -> None:
        from tests.conftest import account, user

        ezk = user("beleid@ezk.test").organisation_id
        account("vergeetachtig@ezk.test", "Vera Vergeet", ezk, password="een oud zinnetje dat weg mag")

    live_server.query(someone)
    page.goto("/auth/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    no_serious_violations(page, "wachtwoord vergeten", request)
    page.get_by_label("E-mailadres").fill("vergeetachtig@ezk.test")
    page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("heading", name="Kijk in uw e-mail")).to_be_visible()
    no_serious_violations(page, "kijk in uw e-mail", request)

    link = path_in(deliver("vergeetachtig@ezk.test"))
    page.goto(link)
    no_serious_violations(page, "nieuw wachtwoord kiezen", request)
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()
    sign_in(page, "vergeetachtig@ezk.test", PASSWORD)
