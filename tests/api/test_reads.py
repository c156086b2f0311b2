"""The read API as a Rijk and a regio token: every list and object through the policy (a regio token
never meets the Rijk-only nota 27293059 or any Rijk-only object, in no list, filter, count or error),
cursor pages, ETags, problem+json in two languages, the OpenAPI document, the audit trail."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openapi_spec_validator import validate

from core.db import Audience
from tests.api.conftest import REGIO, RIJK, RIJK_ONLY
from tests.conftest import in_app, new_meeting

LISTS = ["bodies", "cycles", "meetings", "agenda-items", "documents", "decisions", "minutes", "cases"]


def everything(api, name: str) -> list[dict]:
    """Every item of a list, page by page (small pages, so the cursor is used)."""
    items, cursor = [], None
    while True:
        response = api.get(f"/api/v1/{name}", query_string={"limit": 7, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, (name, response.json)
        items += response.json["items"]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def rijk(bearer):
    return bearer(RIJK)


@pytest.fixture
def regio(bearer):
    return bearer(REGIO)


def test_the_rijk_only_nota_is_in_rijks_lists_and_nowhere_for_the_regio(rijk, regio):
    rijk_cases = everything(rijk, "cases")
    nota = [c for c in rijk_cases if RIJK_ONLY in (c["kenmerk"] or "")]
    assert nota, "the demo's Rijk-only nota is read by the Rijk"
    nota_id = nota[0]["id"]
    for name in LISTS:
        answer = json.dumps(everything(regio, name))
        assert RIJK_ONLY not in answer, name
    hidden = regio.get(f"/api/v1/cases/{nota_id}")
    missing = regio.get("/api/v1/cases/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
    assert hidden.mimetype == "application/problem+json"
    assert (
        regio.get(f"/api/v1/history/cases/{nota_id}").get_data() == regio.get("/api/v1/history/cases/999999").get_data()
    )
    assert regio.get("/api/v1/cases", query_string={"state": "concept", "type": "nota"}).status_code == 200
    assert RIJK_ONLY not in regio.get("/api/v1/cases", query_string={"limit": 200}).get_data(as_text=True)


@pytest.mark.parametrize("name", LISTS)
def test_what_only_the_rijk_sees_is_a_missing_object_for_the_regio(rijk, regio, name):
    regio_ids = {item["id"] for item in everything(regio, name)}
    rijk_only = [item["id"] for item in everything(rijk, name) if item["id"] not in regio_ids]
    missing = regio.get(f"/api/v1/{name}/999999")
    for ident in rijk_only:
        hidden = regio.get(f"/api/v1/{name}/{ident}")
        assert (hidden.status_code, hidden.get_data()) == (404, missing.get_data()), (name, ident)
    for ident in list(regio_ids)[:5]:
        assert regio.get(f"/api/v1/{name}/{ident}").status_code == 200


def test_a_filter_on_a_hidden_meeting_is_the_empty_page_of_a_missing_one(app, rijk, regio):
    with in_app(app):
        new_meeting(date(2031, 3, 3), audience=Audience.RIJK)
    regio_meetings = {m["id"] for m in everything(regio, "meetings")}
    rijk_only = [m["id"] for m in everything(rijk, "meetings") if m["id"] not in regio_meetings]
    assert rijk_only, "a Rijk-only meeting"
    missing_meeting = regio.get("/api/v1/meetings/999999")
    assert regio.get(f"/api/v1/meetings/{rijk_only[0]}").get_data() == missing_meeting.get_data()
    for name in ("agenda-items", "documents", "decisions", "minutes"):
        hidden = regio.get(f"/api/v1/{name}", query_string={"meeting": rijk_only[0]})
        missing = regio.get(f"/api/v1/{name}", query_string={"meeting": 999999})
        assert hidden.json == missing.json == {"items": [], "next_cursor": None}
        assert rijk.get(f"/api/v1/{name}", query_string={"meeting": rijk_only[0]}).status_code == 200


def test_pages_follow_the_cursor_without_gaps_or_repeats(rijk):
    whole = rijk.get("/api/v1/agenda-items", query_string={"limit": 200}).json
    assert whole["next_cursor"] is None
    paged = everything(rijk, "agenda-items")
    assert [i["id"] for i in paged] == [i["id"] for i in whole["items"]]
    assert len(paged) > 7


def test_a_cursor_that_is_not_ours_is_a_problem_not_an_error(rijk):
    for cursor in ("nonsense", "eyJhZnRlciI6ICJ4In0", "eyJhZnRlciI6IDk5OTk5OTk5OTk5fQ"):
        response = rijk.get("/api/v1/meetings", query_string={"cursor": cursor})
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
        assert "cursor" in response.json["detail"]


def test_bad_query_values_are_named_in_a_problem(rijk):
    response = rijk.get("/api/v1/meetings", query_string={"limit": 0, "body": "x"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == {"limit", "body"}
    assert response.json["title"] == "Ongeldige invoer"


def test_problems_speak_the_language_asked_for(regio):
    dutch = regio.get("/api/v1/meetings/999999")
    english = regio.get("/api/v1/meetings/999999", headers={"Accept-Language": "en"})
    assert dutch.json["title"] == "Pagina niet gevonden" and dutch.headers["Content-Language"] == "nl"
    assert english.json["title"] == "Page not found" and english.headers["Content-Language"] == "en"
    assert english.json["status"] == 404 and english.json["type"] == "about:blank"


def test_an_unknown_address_under_the_api_is_a_problem_too(regio):
    response = regio.get("/api/v1/nergens")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_etag_and_if_none_match(rijk):
    first = rijk.get("/api/v1/meetings")
    etag = first.headers["ETag"]
    again = rijk.get("/api/v1/meetings", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert rijk.get("/api/v1/meetings", headers={"If-None-Match": '"other"'}).status_code == 200


def test_changed_since_keeps_what_changed(rijk, clock):
    from datetime import timedelta

    from core.dates import now

    assert (
        rijk.get("/api/v1/meetings", query_string={"changed_since": (now() + timedelta(days=1)).isoformat()}).json[
            "items"
        ]
        == []
    )
    assert rijk.get("/api/v1/meetings", query_string={"changed_since": "2000-01-01T00:00:00+00:00"}).json["items"]


def test_a_document_downloads_for_who_sees_it(rijk, regio):
    document = everything(regio, "documents")[0]
    response = regio.get(f"/api/v1/documents/{document['id']}/content")
    assert response.status_code == 200
    assert response.headers["ETag"].strip('"') == document["sha256"]
    response.close()


def test_a_decision_shows_only_the_comments_the_caller_may_see(rijk, regio):
    for decision in everything(regio, "decisions")[:5]:
        response = regio.get(f"/api/v1/decisions/{decision['id']}/comments")
        assert response.status_code == 200


def test_the_audit_trail_streams_for_auditors_with_the_manifest_last(bearer, regio):
    auditor = bearer("auditor@ezk.test")
    response = auditor.get("/api/v1/audit-trail")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    manifest = lines[-1]["manifest"]
    assert manifest["records"] == len(lines) - 1 > 0
    assert manifest["filters"] == {}
    refused = regio.get("/api/v1/audit-trail")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_the_openapi_document_is_valid_openapi_3_1(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert "/api/v1/meetings" in document["paths"]


def test_the_documentation_page_lists_every_operation_under_the_strict_csp(app):
    response = app.test_client().get("/api/v1/docs")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in text
    assert "/api/v1/meetings/{id}" in text and "/api/v1/audit-trail" in text
