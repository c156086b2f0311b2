"""The API's writes, as a Rijk and a regio token and per role: each write is done by who may do it on the
page (then readable through the read API, and in the audit trail as the token's user from the API
request), refused for who may not (403, 404 identical to a missing id, 409, 422 with the field named) with
nothing stored, and refused for a read token. What the API says is what the page says, in Dutch or English.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from api.models import AccessToken, TokenScope
from audit.models import AuditRecord
from cases.models import Case, CaseEvent
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItemKind, DecisionComment, Document, Meeting, StoredFile
from tests.api.conftest import REGIO, RIJK, RIJK_ONLY
from tests.conftest import in_app, meeting_held, new_action, new_meeting, user
from tests.meetings.test_storage_full import FULL, full_after

SEC = "secretariaat@ezk.test"
WAARNEMER = "beleid@ienw.test"  # a waarnemer of BO-Brainport, Rijk side
AUDITOR = "auditor@noord-brabant.test"  # an auditor of BO-Brainport, regio side
OUTSIDER = "economie@gelderland.test"  # regio, not at BO-Brainport's table
PROBLEM = "application/problem+json"
DEADLINE = date(2033, 3, 31)  # of the comments on the besluitenlijsten of ``out_for_comments``


def counts(app: Any) -> dict[str, int]:
    """How many of each kind the writes make there are, and how many audit records of changes (making a
    test's token is one, and is no write of the API; a refusal is recorded, and changes nothing)."""
    with in_app(app):
        found = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Case, CaseEvent, DecisionComment, Document, StoredFile)
        }
        found["changes"] = (
            db.session.scalar(
                select(func.count(AuditRecord.id)).where(
                    AuditRecord.object_type != "access_tokens", AuditRecord.action != "access_refused"
                )
            )
            or 0
        )
        return found


def records(app: Any, object_type: str, object_id: int) -> list[AuditRecord]:
    with in_app(app):
        found = list(
            db.session.scalars(
                select(AuditRecord)
                .where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
                .order_by(AuditRecord.id)
            )
        )
        db.session.expunge_all()
        return found


def assert_from_the_api(app: Any, object_type: str, object_id: int, email: str, path: str) -> None:
    """The audit trail names the token's user, the API request the change came from, and the token: an
    auditor tells a script's writes from the browser's."""
    with in_app(app):
        actor = user(email).id
    made = [r for r in records(app, object_type, object_id) if r.origin.get("path") == path]
    assert made, (object_type, object_id, path)
    assert {r.actor_user_id for r in made} == {actor}
    assert all(r.origin["method"] == "POST" and r.origin["source"] == "api" for r in made)
    with in_app(app):
        tokens = [db.session.get(AccessToken, int(r.origin["token"])) for r in made]
        assert {(token.user_id, token.scope) for token in tokens} == {(actor, TokenScope.WRITE)}


def assert_missing(api: Any, response: Any, missing: Any) -> None:
    """A hidden object answers as a missing one, to the byte."""
    assert response.status_code == missing.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.get_data() == missing.get_data()


@pytest.fixture
def write(bearer):
    """``write(email)``: an API client with a write token of that demo account."""
    return lambda email: bearer(email, "write")


def rijk_only_nota(app: Any) -> int:
    with in_app(app):
        return db.session.scalars(select(Case.id).where(Case.kenmerk.contains(RIJK_ONLY))).one()


# --- agenda requests ----------------------------------------------------------------------------


def request_body(app: Any, **more: Any) -> dict[str, Any]:
    from tests.conftest import find_body

    with in_app(app):
        body_id = find_body().id
    return {
        "body_id": body_id,
        "title": "Stikstofruimte voor de woningbouw in Eindhoven",
        "description": "De regio vraagt het Rijk om een gezamenlijke aanpak voor de volgende cyclus.",
        "requested_kind": "ter_besluitvorming",
        **more,
    }


@pytest.mark.parametrize("email", [REGIO, RIJK, SEC])
def test_a_member_of_either_side_submits_an_agenda_request_readable_at_its_location(app, write, email):
    api = write(email)
    response = api.post("/api/v1/agenda-requests", json=request_body(app))
    assert response.status_code == 201, response.json
    case = response.json
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['id']}")
    assert (case["type"], case["state"], case["audience"]) == ("agendaverzoek", "ingediend", "overleg")
    assert case["events"][0]["kind"] == "aangemaakt"
    read = api.get(f"/api/v1/cases/{case['id']}")
    assert read.status_code == 200 and read.json == case
    assert any(c["id"] == case["id"] for c in api.get("/api/v1/cases", query_string={"limit": 200}).json["items"])
    assert_from_the_api(app, "cases", case["id"], email, "/api/v1/agenda-requests")
    history = write(SEC).get(f"/api/v1/history/cases/{case['id']}")
    assert history.status_code == 200 and history.json[0]["action"] == "create"
    with in_app(app):
        assert db.session.get(Case, case["id"]).requested_kind is AgendaItemKind.TER_BESLUITVORMING


@pytest.mark.parametrize("email", [WAARNEMER, AUDITOR])
def test_who_only_watches_or_audits_may_not_submit_an_agenda_request(app, write, email):
    before = counts(app)
    response = write(email).post("/api/v1/agenda-requests", json=request_body(app))
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert counts(app)["Case"] == before["Case"]


def test_a_body_the_caller_does_not_sit_at_is_a_missing_one(app, write):
    api = write(OUTSIDER)
    before = counts(app)
    hidden = api.post("/api/v1/agenda-requests", json=request_body(app))
    missing = api.post("/api/v1/agenda-requests", json=request_body(app, body_id=999999))
    assert_missing(api, hidden, missing)
    assert counts(app)["Case"] == before["Case"]


def test_bad_agenda_requests_name_their_fields_in_the_language_asked_for(app, write):
    api = write(REGIO)
    before = counts(app)
    response = api.post(
        "/api/v1/agenda-requests",
        json=request_body(app, title="   ", description="x" * 20_001, requested_kind="ter_kennisname", kleur="rood"),
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.json["errors"]
    assert set(errors) == {"title", "description", "requested_kind", "kleur"}
    assert errors["title"] == ["Vul dit veld in."]
    assert errors["description"] == ["Deze tekst is te lang: hoogstens 20.000 tekens, u gaf er 20.001."]
    assert errors["requested_kind"] == ["Kies een van de mogelijkheden."]
    english = api.post("/api/v1/agenda-requests", json={"body_id": "een"}, headers={"Accept-Language": "en"})
    assert english.status_code == 422 and english.json["title"] == "Invalid input"
    assert english.json["errors"]["title"] == ["Fill in this field."]
    assert set(english.json["errors"]) == {"body_id", "title", "description"}
    theme = api.post("/api/v1/agenda-requests", json=request_body(app, theme_id=999999))
    assert theme.status_code == 422 and set(theme.json["errors"]) == {"theme_id"}
    assert counts(app) == before


@pytest.mark.parametrize(
    "data,content_type",
    [('{"title": ', "application/json"), ("[1, 2]", "application/json"), ("title=x", "text/plain")],
)
def test_a_body_that_is_no_json_object_is_refused_with_its_field(write, data, content_type):
    response = write(REGIO).post("/api/v1/agenda-requests", data=data, content_type=content_type)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert response.json["errors"]


def test_agenda_requests_close_for_members_at_the_cycles_milestone(app, write, clock):
    from core.dates import today

    clock_day = today() + timedelta(days=400)
    with in_app(app):
        new_meeting(clock_day + timedelta(days=10))  # its agenda requests closed 42 days before
    from tests.conftest import amsterdam

    clock(amsterdam(clock_day, 12))
    before = counts(app)
    response = write(REGIO).post("/api/v1/agenda-requests", json=request_body(app))
    assert response.status_code == 422
    assert response.json["detail"].startswith("Agendaverzoeken voor de cyclus")
    assert counts(app) == before


# --- a read token writes nothing ----------------------------------------------------------------


def test_a_read_token_may_not_write_anything(app, bearer):
    from tests.conftest import find_body

    with in_app(app):
        meeting = db.session.scalars(select(Meeting.id).order_by(Meeting.id)).first()
        body_id = find_body().id
    nota = rijk_only_nota(app)
    before = counts(app)
    for email in (SEC, REGIO):
        api = bearer(email, "read")
        answers = [
            api.post("/api/v1/agenda-requests", json=request_body(app, body_id=body_id)),
            api.post("/api/v1/decisions/1/comments", json={"text": "Eens."}),
            api.post(f"/api/v1/cases/{nota}/progress", json={"text": "Gesproken met de regio."}),
            api.post(f"/api/v1/cases/{nota}/transitions", json={"name": "ter_parafering"}),
            api.post(
                f"/api/v1/meetings/{meeting}/documents",
                data={"file": (io.BytesIO(text_pdf("Stuk", ["Tekst."])), "stuk.pdf")},
                content_type="multipart/form-data",
            ),
        ]
        for response in answers:
            assert response.status_code == 403 and response.mimetype == PROBLEM
            assert response.json["detail"] == "Deze token mag alleen lezen."
    assert counts(app) == before


# --- comments on a concept besluitenlijst ---------------------------------------------------------


@pytest.fixture
def out_for_comments(app, clock) -> dict[str, int]:
    """Three BO-Brainport meetings, each with a decision: one whose concept besluitenlijst is still with
    the secretariat (2031), and two whose besluitenlijst is out for comments until ``DEADLINE``, one for
    the Rijk only (2032) and one for the whole table (2033); the clock just after the last."""
    from meetings.services import agenda, decisions

    ids: dict[str, int] = {}
    with in_app(app):
        sec = user(SEC)
        meetings = []
        for key, day, audience in (
            ("concept", date(2031, 3, 11), Audience.OVERLEG),
            ("rijk", date(2032, 10, 6), Audience.RIJK),
            ("table", date(2033, 3, 11), Audience.OVERLEG),
        ):
            meeting = new_meeting(day, audience=audience)
            item = agenda.add_agenda_item(sec, meeting, title="Netcapaciteit", kind=AgendaItemKind.TER_BESLUITVORMING)
            agenda.publish_agenda(sec, meeting)
            meeting_held(clock, meeting)
            ids[key] = decisions.add_decision(sec, item, text="De netbeheerder brengt de knelpunten in kaart.").id
            meetings.append(meeting)
        for meeting in meetings[1:]:
            decisions.publish_besluitenlijst(sec, meeting, comments_deadline=DEADLINE)
        db.session.flush()
    return ids


@pytest.mark.parametrize("email", [REGIO, RIJK])
def test_a_member_comments_on_a_concept_decision_and_reads_the_comment_back(app, write, out_for_comments, email):
    api = write(email)
    decision = out_for_comments["table"]
    response = api.post(f"/api/v1/decisions/{decision}/comments", json={"text": "  Graag ook de regio noemen.  "})
    assert response.status_code == 201, response.json
    comment = response.json
    assert (comment["decision_id"], comment["text"], comment["status"]) == (
        decision,
        "Graag ook de regio noemen.",
        "open",
    )
    listed = api.get(f"/api/v1/decisions/{decision}/comments").json["items"]
    assert comment in listed
    assert_from_the_api(app, "decision_comments", comment["id"], email, f"/api/v1/decisions/{decision}/comments")


@pytest.mark.parametrize("email", [WAARNEMER, AUDITOR])
def test_who_only_watches_or_audits_may_not_comment(app, write, out_for_comments, email):
    before = counts(app)
    response = write(email).post(f"/api/v1/decisions/{out_for_comments['table']}/comments", json={"text": "Eens."})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert counts(app) == before


def test_a_rijk_only_decision_is_a_missing_one_for_the_regio(app, write, out_for_comments):
    regio, rijk = write(REGIO), write(RIJK)
    before = counts(app)
    hidden = regio.post(f"/api/v1/decisions/{out_for_comments['rijk']}/comments", json={"text": "Eens."})
    missing = regio.post("/api/v1/decisions/999999/comments", json={"text": "Eens."})
    assert_missing(regio, hidden, missing)
    assert counts(app) == before
    assert (
        rijk.post(f"/api/v1/decisions/{out_for_comments['rijk']}/comments", json={"text": "Eens."}).status_code == 201
    )


def test_comments_only_while_the_besluitenlijst_is_out_and_never_empty(app, write, clock, out_for_comments):
    from tests.conftest import amsterdam

    api, sec = write(REGIO), write(SEC)
    before = counts(app)
    # A concept the secretariat still writes: members do not see it yet, the secretariat may not comment.
    hidden = api.post(f"/api/v1/decisions/{out_for_comments['concept']}/comments", json={"text": "Eens."})
    assert_missing(api, hidden, api.post("/api/v1/decisions/999999/comments", json={"text": "Eens."}))
    concept = sec.post(f"/api/v1/decisions/{out_for_comments['concept']}/comments", json={"text": "Eens."})
    assert concept.status_code == 422
    assert concept.json["detail"] == "Op deze besluitenlijst kan niet (meer) worden gereageerd."
    empty = api.post(f"/api/v1/decisions/{out_for_comments['table']}/comments", json={"text": " "})
    assert empty.status_code == 422 and empty.json["errors"] == {"text": ["Vul dit veld in."]}
    clock(amsterdam(DEADLINE + timedelta(days=1), 9))
    late = api.post(f"/api/v1/decisions/{out_for_comments['table']}/comments", json={"text": "Eens."})
    assert late.status_code == 422 and late.json["detail"] == "De reactietermijn is verstreken."
    assert counts(app) == before


# --- progress reports ------------------------------------------------------------------------------


@pytest.fixture
def action(app) -> int:
    """An actiepunt of BO-Brainport owned by the province (regio), due in twenty days."""
    with in_app(app):
        return new_action().id


@pytest.mark.parametrize("email", [REGIO, SEC])
def test_the_owner_and_the_secretariat_report_progress(app, write, action, email):
    api = write(email)
    response = api.post(f"/api/v1/cases/{action}/progress", json={"text": "Eerste gesprek met de netbeheerder."})
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith(f"/api/v1/cases/{action}")
    events = api.get(f"/api/v1/cases/{action}").json["events"]
    assert events[-1]["kind"] == "voortgang" and events[-1]["note"] == "Eerste gesprek met de netbeheerder."
    assert response.json["events"] == events
    with in_app(app):
        event_id = db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == action)).all()[-1]
    assert_from_the_api(app, "case_events", event_id, email, f"/api/v1/cases/{action}/progress")


@pytest.mark.parametrize("email", [RIJK, WAARNEMER, AUDITOR])
def test_who_neither_owns_nor_runs_the_case_may_not_report_progress(app, write, action, email):
    before = counts(app)
    response = write(email).post(f"/api/v1/cases/{action}/progress", json={"text": "Gedaan."})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    if email == RIJK:
        assert response.json["detail"] == "Alleen het secretariaat en de eigenaar kunnen voortgang melden."
    assert counts(app) == before


def test_progress_needs_words(app, write, action):
    before = counts(app)
    response = write(REGIO).post(f"/api/v1/cases/{action}/progress", json={"text": ""})
    assert response.status_code == 422 and set(response.json["errors"]) == {"text"}
    response = write(REGIO).post(f"/api/v1/cases/{action}/progress", json={})
    assert response.status_code == 422 and response.json["errors"] == {"text": ["Vul dit veld in."]}
    assert counts(app) == before


def test_the_rijk_only_nota_is_a_missing_case_for_every_regio_write(app, write):
    nota = rijk_only_nota(app)
    regio = write(REGIO)
    before = counts(app)
    for path, body in (("progress", {"text": "Gezien."}), ("transitions", {"name": "ter_parafering"})):
        hidden = regio.post(f"/api/v1/cases/{nota}/{path}", json=body)
        missing = regio.post(f"/api/v1/cases/999999/{path}", json=body)
        assert_missing(regio, hidden, missing)
        assert RIJK_ONLY not in hidden.get_data(as_text=True)
    assert counts(app) == before


# --- case transitions -------------------------------------------------------------------------------


def submitted(app: Any, write: Any) -> int:
    response = write(REGIO).post("/api/v1/agenda-requests", json=request_body(app))
    assert response.status_code == 201
    return int(response.json["id"])


def step(api: Any, case: int, name: str, **fields: Any) -> Any:
    return api.post(f"/api/v1/cases/{case}/transitions", json={"name": name, **fields})


def test_the_secretariat_takes_an_agenda_request_through_its_workflow(app, write):
    case = submitted(app, write)
    sec = write(SEC)
    taken = step(sec, case, "in_behandeling")
    assert taken.status_code == 200 and taken.json["state"] == "in_behandeling"
    assert taken.json["events"][-1]["transition"] == "in_behandeling"
    before = counts(app)
    no_reason = step(sec, case, "afwijzen")
    assert no_reason.status_code == 422 and no_reason.json["errors"] == {
        "reason": ["Geef een reden of opmerking bij 'afwijzen'."]
    }
    assert counts(app) == before
    refused = step(sec, case, "afwijzen", reason="Past beter bij het ROM-overleg.")
    assert refused.status_code == 200 and refused.json["state"] == "afgewezen"
    assert write(REGIO).get(f"/api/v1/cases/{case}").json["state"] == "afgewezen"
    made = records(app, "cases", case)
    assert made[-1].reason == "Past beter bij het ROM-overleg."
    assert_from_the_api(app, "cases", case, SEC, f"/api/v1/cases/{case}/transitions")


def test_agenderen_puts_the_request_on_the_agenda_at_the_place_asked(app, write):
    case = submitted(app, write)
    response = step(write(SEC), case, "agenderen", kind="hamerstuk", position=1)
    assert response.status_code == 200, response.json
    item_id = response.json["agenda_item_id"]
    item = write(SEC).get(f"/api/v1/agenda-items/{item_id}").json
    assert (item["kind"], item["position"], item["title"]) == ("hamerstuk", 1, response.json["title"])


def test_a_step_the_state_does_not_allow_is_a_conflict_in_the_pages_words(app, write):
    case = submitted(app, write)
    sec = write(SEC)
    assert step(sec, case, "afwijzen", reason="Niet nu.").status_code == 200
    before = counts(app)
    again = step(sec, case, "agenderen")
    assert again.status_code == 409 and again.mimetype == PROBLEM
    assert again.json["detail"] == "'Agenderen' kan niet bij een agendaverzoek met de status 'afgewezen'."
    english = sec.post(
        f"/api/v1/cases/{case}/transitions", json={"name": "agenderen"}, headers={"Accept-Language": "en"}
    )
    assert english.status_code == 409 and english.json["title"] == "Not possible"
    assert english.json["detail"].startswith("'") and "is not possible for" in english.json["detail"]
    assert counts(app) == before


@pytest.mark.parametrize("email", [REGIO, RIJK, WAARNEMER, AUDITOR])
def test_a_step_the_role_does_not_allow_is_forbidden_in_the_pages_words(app, write, email):
    case = submitted(app, write)
    before = counts(app)
    response = step(write(email), case, "in_behandeling", reason="Ik neem het zelf.")
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert response.json["detail"] == "U mag 'In behandeling nemen' niet doen bij dit agendaverzoek."
    assert counts(app) == before


def test_a_step_that_does_not_exist_or_an_answer_it_does_not_ask_names_the_field(app, write):
    case = submitted(app, write)
    sec = write(SEC)
    before = counts(app)
    unknown = step(sec, case, "goedkeuren")
    assert unknown.status_code == 422 and set(unknown.json["errors"]) == {"name"}
    unasked = step(sec, case, "in_behandeling", due_date="2031-01-01")
    assert unasked.status_code == 422 and unasked.json["errors"] == {"due_date": ["Deze stap vraagt hier niet om."]}
    bad = step(sec, case, "agenderen", position=0, kind="x", due_date="morgen")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"position", "kind", "due_date"}
    assert counts(app) == before


def test_the_owner_asks_for_a_postponement_with_a_date_and_a_reason(app, write, action):
    regio = write(REGIO)
    later = (date.today() + timedelta(days=60)).isoformat()
    before = counts(app)
    no_date = step(regio, action, "uitstel_aanvragen", reason="De netbeheerder heeft meer tijd nodig.")
    assert no_date.status_code == 422 and set(no_date.json["errors"]) == {"due_date"}
    assert counts(app) == before
    asked = step(regio, action, "uitstel_aanvragen", reason="De netbeheerder heeft meer tijd nodig.", due_date=later)
    assert asked.status_code == 200, asked.json
    assert asked.json["events"][-1]["due_date"] == later
    assert step(regio, action, "uitstel_verlenen").status_code == 403
    granted = step(write(SEC), action, "uitstel_verlenen")
    assert granted.status_code == 200 and granted.json["due_date"] == later


# --- uploads ---------------------------------------------------------------------------------------


def upload(api: Any, meeting: int, content: bytes | None = None, name: str = "notitie.pdf", **fields: Any) -> Any:
    data: dict[str, Any] = dict(fields)
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return api.post(f"/api/v1/meetings/{meeting}/documents", data=data, content_type="multipart/form-data")


@pytest.fixture
def meetings(app) -> dict[str, Any]:
    """A BO-Brainport meeting for the table with an item the province brought in, and a Rijk-only one."""
    from meetings.services import agenda

    with in_app(app):
        table = new_meeting(date(2031, 5, 6))
        province = user(REGIO).organisation_id
        item = agenda.add_agenda_item(
            user(SEC), table, title="Talent", kind=AgendaItemKind.TER_BESPREKING, organisation_id=province
        )
        other = agenda.add_agenda_item(user(SEC), table, title="Mainportstatus", kind=AgendaItemKind.TER_BESPREKING)
        agenda.publish_agenda(user(SEC), table)
        rijk = new_meeting(date(2032, 5, 6), audience=Audience.RIJK)
        db.session.flush()
        return {"table": table.id, "item": item.id, "other": other.id, "rijk": rijk.id}


def test_the_secretariat_uploads_a_document_readable_and_downloadable(app, write, meetings):
    api = write(SEC)
    content = text_pdf("Voortgangsrapportage", ["Talent: 72.000 banen in 2030."])
    response = upload(api, meetings["table"], content, title="Voortgangsrapportage talent", audience="overleg")
    assert response.status_code == 201, response.json
    document = response.json
    assert response.headers["Location"].endswith(f"/api/v1/documents/{document['id']}")
    assert (document["title"], document["filename"], document["audience"]) == (
        "Voortgangsrapportage talent",
        "notitie.pdf",
        "overleg",
    )
    regio = write(REGIO)
    assert regio.get(f"/api/v1/documents/{document['id']}").json == document
    download = regio.get(f"/api/v1/documents/{document['id']}/content")
    assert download.status_code == 200 and download.get_data() == content
    download.close()
    assert_from_the_api(app, "documents", document["id"], SEC, f"/api/v1/meetings/{meetings['table']}/documents")


def test_a_member_uploads_to_the_item_its_organisation_brought_in_and_nowhere_else(app, write, meetings):
    api = write(REGIO)
    content = text_pdf("Notitie", ["Van de provincie."])
    mine = upload(api, meetings["table"], content, agenda_item_id=str(meetings["item"]))
    assert mine.status_code == 201, mine.json
    assert mine.json["agenda_item_id"] == meetings["item"] and mine.json["title"] == "notitie"
    before = counts(app)
    for refused in (
        upload(api, meetings["table"], content, agenda_item_id=str(meetings["other"])),
        upload(api, meetings["table"], content),
        upload(write(WAARNEMER), meetings["table"], content),
        upload(write(AUDITOR), meetings["table"], content, agenda_item_id=str(meetings["item"])),
    ):
        assert refused.status_code == 403 and refused.mimetype == PROBLEM
    assert counts(app) == before


def test_a_rijk_only_meeting_is_a_missing_one_for_a_regio_upload(app, write, meetings):
    regio = write(REGIO)
    content = text_pdf("Notitie", ["Van de provincie."])
    before = counts(app)
    assert_missing(regio, upload(regio, meetings["rijk"], content), upload(regio, 999999, content))
    assert counts(app) == before
    assert upload(write(SEC), meetings["rijk"], content).status_code == 201


def test_an_item_of_another_meeting_is_a_missing_one(app, write, meetings):
    from meetings.models import AgendaItem

    with in_app(app):
        elsewhere = db.session.scalars(select(AgendaItem.id).where(AgendaItem.meeting_id != meetings["table"])).first()
    sec = write(SEC)
    content = text_pdf("Notitie", ["Tekst."])
    response = upload(sec, meetings["table"], content, agenda_item_id=str(elsewhere))
    assert_missing(sec, response, upload(sec, meetings["table"], content, agenda_item_id="999999"))


def test_an_upload_gets_the_pages_checks_of_file_size_and_type(app, write, meetings):
    sec = write(SEC)
    before = counts(app)
    cases = {
        "no file": upload(sec, meetings["table"], title="Zonder bestand"),
        "empty": upload(sec, meetings["table"], b""),
        "not a pdf": upload(sec, meetings["table"], b"MZ\x90\x00 not a pdf at all"),
        "wrong type": upload(sec, meetings["table"], b"#!/bin/sh\necho hallo\n", name="script.sh"),
        "too large": upload(sec, meetings["table"], b"%PDF-1.4\n" + b"0" * (600 * 1024)),
        "a plain field": sec.post(
            f"/api/v1/meetings/{meetings['table']}/documents",
            data={"file": "geen bestand"},
            content_type="multipart/form-data",
        ),
        "bad audience": upload(sec, meetings["table"], text_pdf("Stuk", ["Tekst."]), audience="iedereen"),
        "long title": upload(sec, meetings["table"], text_pdf("Stuk", ["Tekst."]), title="t" * 201),
    }
    for why, response in cases.items():
        assert response.status_code == 422 and response.mimetype == PROBLEM, (why, response.status_code)
    assert cases["no file"].json["errors"] == {"file": ["Kies een bestand."]}
    assert cases["empty"].json["errors"] == {"file": ["notitie.pdf: Dit bestand is leeg."]}
    assert set(cases["not a pdf"].json["errors"]) == {"file"}
    assert "Dit soort bestand kan niet." in cases["wrong type"].json["errors"]["file"][0]
    assert cases["too large"].json["errors"]["file"][0].startswith("notitie.pdf: Dit bestand is 0,6 MB")
    assert set(cases["bad audience"].json["errors"]) == {"audience"}
    assert set(cases["long title"].json["errors"]) == {"title"}
    assert counts(app) == before


def test_a_full_storage_refuses_the_upload_and_keeps_nothing(app, write, meetings, _rollback):
    sec = write(SEC)
    before = counts(app)
    with full_after(_rollback, stored=0):
        response = upload(sec, meetings["table"], text_pdf("Stuk", ["Past niet meer."]))
    assert response.status_code == 422 and FULL in response.json["errors"]["file"][0]
    assert counts(app) == before


def test_the_document_describes_every_write(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    writes = {
        "/api/v1/agenda-requests": "application/json",
        "/api/v1/decisions/{id}/comments": "application/json",
        "/api/v1/cases/{id}/progress": "application/json",
        "/api/v1/cases/{id}/transitions": "application/json",
        "/api/v1/meetings/{id}/documents": "multipart/form-data",
    }
    for path, content_type in writes.items():
        operation = paths[path]["post"]
        assert list(operation["requestBody"]["content"]) == [content_type], path
        assert {"422", "default"} <= set(operation["responses"]), path
    assert json.dumps(paths).count('"Location"') == 3


def test_the_documentation_page_names_each_writes_body_and_its_fields(app):
    text = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert "multipart/form-data: <code>file*</code>" in text
    assert "application/json: <code>body_id*</code>" in text
