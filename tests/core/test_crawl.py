"""Every page a demo account reaches by following links renders (no 5xx, no broken link)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.conftest import DEMO_PASSWORD

HREF = re.compile(r'href="([^"]+)"')


def crawl(client, start: str = "/", limit: int = 400, bodies: dict[str, bytes] | None = None) -> dict[str, int]:
    """Status per path of every same-site link reachable from ``start`` (GET only); with ``bodies``,
    also what every response said (pages and downloads alike)."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
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
    assert len(statuses) > 5


def _memo_markers() -> list[bytes]:
    from html import escape

    from demo.story import MEMO_KENMERK, MEMO_TITLE

    return [b"27293059", MEMO_TITLE.encode(), escape(MEMO_TITLE).encode(), MEMO_KENMERK.encode()]


def test_the_province_never_meets_the_ministers_memo(client):
    """No page or file that economie@noord-brabant.test reaches by following links names the memo."""
    client.login("economie@noord-brabant.test", DEMO_PASSWORD)
    bodies: dict[str, bytes] = {}
    statuses = crawl(client, bodies=bodies, limit=1000)
    assert len(statuses) > 40 and len(statuses) < 1000
    for path, body in bodies.items():
        for marker in _memo_markers():
            assert marker not in body, f"{path} shows {marker!r}"


def test_the_ministry_finds_and_opens_its_memo(client):
    client.login("beleid@ezk.test", DEMO_PASSWORD)
    bodies: dict[str, bytes] = {}
    crawl(client, bodies=bodies, limit=1000)
    found = [path for path, body in bodies.items() if b"DGBI / 27293059" in body]
    assert found, "the memo is not reachable for beleid@ezk.test"
    memo_pages = [path for path in found if path.startswith("/zaken/")]
    assert memo_pages and b"TER BESLISSING" in bodies[memo_pages[0]]
