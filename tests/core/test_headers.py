"""Every response carries the security headers, on every route, signed in or not, error or not."""

from __future__ import annotations

import re

import pytest

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
#: Same-origin everywhere; a page whose address holds a link's token sends no Referer at all.
REFERRER = {"same-origin", "no-referrer"}


def check(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    for header, value in EXPECTED.items():
        assert response.headers.get(header) == value, header
    assert response.headers.get("Referrer-Policy") in REFERRER


def filled(rule: str) -> str:
    return re.sub(
        r"<(?:int:)?([^>]+)>", lambda m: "1" if "int:" in m.group(0) or m.group(1).endswith("_id") else "x", rule
    )


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_route_answers_with_the_security_headers(app, clients, client, signed_in):
    web = clients("secretariaat@ezk.test") if signed_in else client
    seen = 0
    for rule in app.url_map.iter_rules():
        path = filled(rule.rule)
        if rule.endpoint == "static":
            path = "/static/css/regiotafel.css"
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = web.get(path) if method == "GET" else web.post(path, data={})
            check(response)
            response.close()
            seen += 1
    assert seen > 60


def test_https_adds_strict_transport_security_and_a_secure_cookie(client):
    response = client.get("/auth/login", base_url="https://regiotafel.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_plain_http_has_no_hsts_and_the_cookie_is_httponly_and_lax(client):
    response = client.get("/auth/login")
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_pages_are_not_kept_by_shared_caches(clients):
    assert clients("beleid@ezk.test").get("/").headers["Cache-Control"] == "no-store"
