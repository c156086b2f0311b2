"""Signing in and out on each side; the regio never learns of the Rijk's memo, wherever it looks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import side_badge, sign_in, sign_out

MEMO_TRACES = ("Aanbieding Kamerbrief", "27293059")
UNKNOWN_COMBINATION = "Deze combinatie van e-mailadres en wachtwoord kennen we niet."
CSRF_TOKEN = re.compile(r'name="csrf_token" (type="hidden" )?value="[^"]*"')


def without_csrf_token(html: str) -> str:
    """The page without the logout form's CSRF token, which is signed with the time of the request."""
    return CSRF_TOKEN.sub('name="csrf_token"', html)


@pytest.mark.parametrize(
    ("email", "badge"),
    [("beleid@ezk.test", "EZK · Rijk"), ("economie@noord-brabant.test", "Prov. Noord-Brabant · Regio")],
)
def test_sign_in_and_out_shows_own_side(page: Page, email: str, badge: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    sign_in(page, email)
    assert side_badge(page).strip() == badge
    expect(page.get_by_role("heading", level=1)).to_contain_text("Goedendag")
    sign_out(page)
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    page.goto("/acties")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


def test_wrong_password_is_refused_in_dutch(page: Page) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mailadres").fill("beleid@ezk.test")
    page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    # The same words for an unknown address and a wrong password, in Dutch, above the form and at the field.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Controleer het formulier")
    expect(alert).to_contain_text(f"Wachtwoord: {UNKNOWN_COMBINATION}")
    password = page.get_by_label("Wachtwoord")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-fout")
    expect(page.locator("#password-fout")).to_have_text(UNKNOWN_COMBINATION)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)


def test_regio_member_never_sees_the_rijk_memo(people: Any, demo: dict[str, Any]) -> None:
    page = people("economie@noord-brabant.test")
    assert "Regio" in side_badge(page)
    places = [
        "/",
        "/overleggen",
        f"/overleggen/{demo['bo']}",
        f"/vergaderingen/{demo['march']}",
        f"/vergaderingen/{demo['march']}/besluitenlijst",
        f"/agendapunten/{demo['nota_item']}",
        f"/besluiten/{demo['nota_decision']}",
        f"/vergaderingen/{demo['upcoming']}",
        "/besluiten",
        "/acties",
        f"/zaken/{demo['dossier']}",
        f"/overleggen/{demo['bo']}/acties",
        f"/overleggen/{demo['bo']}/acties?ook=afgerond",
    ]
    for place in places:
        response = page.goto(place)
        assert response is not None and response.status == 200, place
        text = page.content()
        for trace in MEMO_TRACES:
            assert trace not in text, f"{trace!r} on {place}"
    # Asked for directly, the memo does not exist: a 404, exactly like a number nobody uses.
    response = page.goto(f"/zaken/{demo['nota']}")
    assert response is not None and response.status == 404
    hidden = without_csrf_token(page.content())
    response = page.goto("/zaken/999999")
    assert response is not None and response.status == 404
    assert without_csrf_token(page.content()) == hidden
    for trace in MEMO_TRACES:
        assert trace not in hidden
