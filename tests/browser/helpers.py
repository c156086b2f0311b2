"""What a person does in the browser, in the words of the page: labels, roles and visible names."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import DEMO_PASSWORD

SKIP_TARGET = "inhoud"  # <main id="inhoud" tabindex="-1">, where the skip link leads
SIDE_BADGE = re.compile(r"·\s*(Rijk|Regio)", re.IGNORECASE)


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in the login form as a person would and wait for the signed-in header."""
    page.goto("/auth/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()
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


def shoot(page: Page, name: str, at: str | None = None) -> None:
    """With REGIOTAFEL_SCREENSHOTS=<dir> (``make screenshots``), save what the 1280×800 window shows as
    ``<dir>/<name>.png`` for README.md, as a palette PNG of a few dozen kB. Without it, nothing: an ordinary
    test run never rewrites the screenshots in docs/. ``at``: a CSS selector to show at the top of the window
    instead of the page's head."""
    folder = os.environ.get("REGIOTAFEL_SCREENSHOTS")
    if not folder:
        return
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)  # no hover effect where the last click was
    page.evaluate("() => window.scrollTo(0, 0)")  # the page's head, also after a form led to an #anchor
    if at:
        page.locator(at).first.evaluate("(el) => window.scrollTo(0, el.getBoundingClientRect().top - 16)")
    image = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="hide")))
    # 256 colours are plenty for flat pages, and a quarter of the size of the true-colour PNG.
    image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


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
        if element is None or element["id"] == SKIP_TARGET:
            # <main> takes the focus when a page opens at #inhoud (the skip link's fragment survives the
            # login's redirect); it is no Tab stop, and shows no ring by design.
            continue
        assert element["focusVisible"] and (element["outline"] or element["shadow"]), f"focus not visible on {element}"
        seen.append(element["text"] or element["label"])
        if pattern.search(element["text"]) or pattern.search(element["label"]):
            return element
    raise AssertionError(f"no {name!r} within {limit} presses of {key}; passed: {seen}")


def pdf_viewer_opened(page: Page) -> None:
    """Wait until the browser shows the page's PDF in its own viewer (Chromium's PDF extension frame), as it
    does for a PDF sent inline; a PDF sent as an attachment would have become a download instead."""
    for _ in range(50):
        if any(frame.url.startswith("chrome-extension://") for frame in page.frames):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"no PDF viewer on {page.url}: frames {[f.url for f in page.frames]}")
