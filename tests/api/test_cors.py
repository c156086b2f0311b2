"""Calls from another web origin (CORS): none unless API_CORS_ORIGINS names that origin, and then only
with the token in a header, never cookies, never for every origin."""

from __future__ import annotations

from typing import Any

from core import create_app
from tests.api.conftest import REGIO, make_token

DASHBOARD = "https://dashboard.brabant.example"


def test_without_configuration_the_api_sends_no_cors_headers(app, bearer):
    answer = bearer(REGIO).get("/api/v1/me", headers={"Origin": DASHBOARD})
    assert answer.status_code == 200
    assert not [name for name, _value in answer.headers.items() if name.lower().startswith("access-control-")]


def _configured(app: Any) -> Any:
    return create_app({**app.config, "API_CORS_ORIGINS": f"{DASHBOARD} https://andere.example"})


def test_a_configured_origin_may_ask_first_and_then_read_with_its_token(app):
    other = _configured(app)
    client = other.test_client()
    preflight = client.options(
        "/api/v1/cases",
        headers={
            "Origin": DASHBOARD,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    token = make_token(other, REGIO)
    answer = client.get("/api/v1/me", headers={"Origin": DASHBOARD, "Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
    assert answer.headers.getlist("Vary") == ["Cookie, Origin"]
    refused = client.get("/api/v1/me", headers={"Origin": DASHBOARD})
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == DASHBOARD


def test_an_origin_not_named_gets_no_cors_and_its_preflight_no_pass(app):
    client = _configured(app).test_client()
    preflight = client.options(
        "/api/v1/cases", headers={"Origin": "https://kwaad.example", "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    page = client.get("/", headers={"Origin": DASHBOARD})  # the pages are no API: never cross-origin
    assert "Access-Control-Allow-Origin" not in page.headers
