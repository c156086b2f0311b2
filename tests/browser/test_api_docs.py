"""The API's documentation page in a real browser: the vendored Swagger UI renders every operation of
/api/v1/openapi.json under the strict Content-Security-Policy, and the browser reports no violation."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect


def test_swagger_ui_renders_every_operation_and_breaks_no_csp_rule(page: Page, live_server: Any) -> None:
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    spec = json.loads(page.request.get("/api/v1/openapi.json").text())
    operations = sum(
        1 for item in spec["paths"].values() for method in item if method in ("get", "post", "put", "patch", "delete")
    )
    page.goto("/api/v1/docs")
    blocks = page.locator("#swagger-ui .opblock")
    expect(blocks.first).to_be_visible()
    expect(blocks).to_have_count(operations)
    expect(page.locator("#swagger-ui").get_by_text("/api/v1/audit-trail", exact=True)).to_be_visible()
    # With script on, the page's own list folds away (it stays for readers without script).
    expect(page.locator("#operations-plain")).not_to_have_attribute("open", "")
    page.wait_for_load_state("networkidle")  # the icons too: nothing left half-sent when the page closes
    assert not [c for c in complaints if "Content Security Policy" in c or "Refused" in c], complaints
    assert not complaints, complaints
