"""What a person does in the browser, in the words of the page: labels, roles and visible names."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import DEMO_PASSWORD

SIDE_BADGE = re.compile(r"·\s*(Rijk|Regio)", re.IGNORECASE)


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in the login form as a person would and wait for the signed-in header."""
    page.goto("/auth/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


def side_badge(page: Page) -> str:
    """The badge in the header that says whose side the user is on, e.g. ``EZK · Rijk``."""
    return page.locator("header .side-badge").inner_text()


def flash(page: Page) -> Any:
    return page.get_by_role("status")


def main(page: Page) -> Any:
    return page.get_by_role("main")


def shoot(page: Page, name: str) -> None:
    """With REGIOTAFEL_SCREENSHOTS=<dir>, save a full-page PNG of the page as it stands (for README.md)."""
    folder = os.environ.get("REGIOTAFEL_SCREENSHOTS")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path / f"{name}.png"), full_page=True)


# --- the keyboard ---------------------------------------------------------------------------------

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
    return {
        tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
        text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 120),
        label: label.trim().replace(/\\s+/g, ' '),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        shadow: style.boxShadow !== 'none',
        focusVisible: el.matches(':focus-visible'),
    };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)


def tab_to(page: Page, name: str | re.Pattern[str], *, backwards: bool = False, limit: int = 80) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused element's text or label matches ``name``; every stop
    on the way must show where the focus is."""
    pattern = name if isinstance(name, re.Pattern) else re.compile(rf"^{re.escape(name)}\b")
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if element is None:
            continue
        assert element["focusVisible"] and (element["outline"] or element["shadow"]), (
            f"focus not visible on {element}"
        )
        seen.append(element["text"] or element["label"])
        if pattern.search(element["text"]) or pattern.search(element["label"]):
            return element
    raise AssertionError(f"no {name!r} within {limit} presses of {key}; passed: {seen}")
