"""Every page a demo account reaches by following links renders (no 5xx, no broken link)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.conftest import DEMO_PASSWORD

HREF = re.compile(r'href="([^"]+)"')


def crawl(client, start: str = "/", limit: int = 1000, bodies: dict[str, bytes] | None = None) -> dict[str, int]:
    """Status per path of every same-site link reachable from ``start`` (GET only); with ``bodies``,
    also what every response said (pages and downloads alike). ``limit`` only guards against a loop:
    reaching it with links left to follow fails, so a crawl never stops short unnoticed."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue:
        if len(seen) >= limit:
            left = sorted({path for path in queue if path not in seen})
            assert not left, f"stopped at {limit} pages with {len(left)} links left, e.g. {left[:5]}"
            break
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if bodies is not None:
            bodies[path] = response.get_data()
        html = response.content_type.startswith("text/html")
        body = response.get_data(as_text=True) if html else ""
        response.close()
        if response.status_code != 200 or not html:
            continue
        for href in HREF.findall(body):
            href = urldefrag(unescape(href))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith("/static/"):
                continue
            if href not in seen:
                queue.append(href)
    return seen


#: The kinds of page, by their address.
KINDS = {
    kind: re.compile(pattern)
    for kind, pattern in {
        "body": r"^/overleggen/[a-z-]+$",
        "cycle": r"^/cycli/\d+$",
        "meeting": r"^/vergaderingen/\d+$",
        "agenda item": r"^/agendapunten/\d+$",
        "document": r"^/documenten/\d+/download$",
        "decision": r"^/besluiten/\d+$",
        "besluitenlijst": r"^/vergaderingen/\d+/besluitenlijst$",
        "minutes": r"^/vergaderingen/\d+/verslag$",
        "paper": r"^/vergaderingen/\d+/[a-z]+\.(pdf|docx|zip)$",
        "calendar": r"^/vergaderingen/\d+\.ics$",
        "case": r"^/zaken/\d+$",
        "attachment": r"^/zaken/\d+/bijlagen/\d+$",
        "note": r"^/notities/\d+$",
        "list export": r"\.(xlsx|csv)$",
        "dashboard": r"^/overleggen/[a-z-]+/dashboard$",
        "history": r"^/geschiedenis/[a-z_]+/\d+$",
        "access review": r"^/overleggen/[a-z-]+/toegang$",
        "beheer": r"^/beheer/(gebruikers|organisaties|overleggen)/",
    }.items()
}
#: What a member of a body reaches by following links in the demo.
MEMBER = {"body", "cycle", "meeting", "agenda item", "document", "decision", "besluitenlijst", "minutes", "paper"}
MEMBER |= {"calendar", "case", "attachment", "list export", "dashboard"}
#: Per account, the kinds its crawl must reach: a crawl that misses one stopped early or lost a link.
REACHES = {
    "secretariaat@ezk.test": MEMBER | {"history", "access review"},  # named on none of the demo's notes
    "beleid@ezk.test": MEMBER | {"note"},
    "economie@noord-brabant.test": MEMBER | {"note"},
    "economie@eindhoven.test": MEMBER | {"note"},
    "auditor@noord-brabant.test": MEMBER | {"note", "history", "access review"},
    "beheer@regiotafel.test": {"beheer", "history", "access review"},  # a member of no body
}


@pytest.mark.parametrize(
    "email",
    [
        "secretariaat@ezk.test",
        "beleid@ezk.test",
        "economie@noord-brabant.test",
        "economie@eindhoven.test",
        "auditor@noord-brabant.test",
        "beheer@regiotafel.test",
    ],
)
def test_every_linked_page_renders(client, email):
    client.login(email, DEMO_PASSWORD)
    statuses = crawl(client)
    broken = {path: status for path, status in statuses.items() if status >= 400}
    assert not broken, broken
    assert len(statuses) >= 50, sorted(statuses)
    reached = {kind for kind, pattern in KINDS.items() for path in statuses if pattern.search(path.split("?")[0])}
    assert REACHES[email] <= reached, f"not reached: {sorted(REACHES[email] - reached)}"


def _memo_markers() -> list[bytes]:
    from html import escape

    from demo.story import MEMO_KENMERK, MEMO_TITLE

    return [b"27293059", MEMO_TITLE.encode(), escape(MEMO_TITLE).encode(), MEMO_KENMERK.encode()]


def test_the_province_never_meets_the_ministers_memo(client):
    """No page or file that economie@noord-brabant.test reaches by following links names the memo."""
    client.login("economie@noord-brabant.test", DEMO_PASSWORD)
    bodies: dict[str, bytes] = {}
    statuses = crawl(client, bodies=bodies)
    assert len(statuses) >= 50
    for path, body in bodies.items():
        for marker in _memo_markers():
            assert marker not in body, f"{path} shows {marker!r}"


def test_the_ministry_finds_and_opens_its_memo(client):
    client.login("beleid@ezk.test", DEMO_PASSWORD)
    bodies: dict[str, bytes] = {}
    crawl(client, bodies=bodies)
    found = [path for path, body in bodies.items() if b"DGBI / 27293059" in body]
    assert found, "the memo is not reachable for beleid@ezk.test"
    memo_pages = [path for path in found if path.startswith("/zaken/")]
    assert memo_pages and b"TER BESLISSING" in bodies[memo_pages[0]]


def test_a_crawl_that_reaches_its_limit_with_links_left_fails(client):
    client.login("secretariaat@ezk.test", DEMO_PASSWORD)
    with pytest.raises(AssertionError, match="stopped at 20 pages with"):
        crawl(client, limit=20)
