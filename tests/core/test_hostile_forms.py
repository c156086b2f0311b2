"""Every form of the URL map filled by hypothesis with hostile values (issue 13): very long, unicode
(right-to-left marks, combining characters, emoji), NUL bytes, wrong types, lists where one value is
expected, unknown choices, a stale ``version``, no CSRF token. Never a response >= 500, and a refusal
stores nothing: every table has as many rows, and the audit chain as many records, as before.

The forms are found as a person finds them: the pages of every GET route (a few per route) read as the
secretariat, the beheerder and a deelnemer, and every ``<form method="post">`` on them. A POST route
without a form found fails the test unless ``SKIPPED`` says why, so a new form is not left unchecked.

``make test`` runs a few derandomized examples per form; ``HOSTILE_FORMS_EXAMPLES=200`` (``make
drill-forms``) many more, with fresh random choices.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from core.db import Base
from core.extensions import db
from tools.forms import Form, post_forms

LONG_RUN = int(os.environ.get("HOSTILE_FORMS_EXAMPLES", "0"))
EXAMPLES = LONG_RUN or 3
#: Who reads the pages, in this order: a form is posted by the first who found it ("" reads signed out).
PERSONAS = (
    "secretariaat@ezk.test",
    "beheer@regiotafel.test",
    "economie@noord-brabant.test",
    "beleid@ezk.test",
    "auditor@ezk.test",
    "",
)
#: Pages read per route: the forms of one agenda item are mostly the forms of every other; a form shown
#: only in some states (a concept decision's) is then found by opening its page with every id.
PAGES_PER_ROUTE = 1

#: POST routes without a form here, and why.
SKIPPED: dict[str, str] = {
    "auth.logout": "ends the session; carries nothing but the CSRF token",
    "auth.second_factor": "only between password and session, with a code from a phone",
    "auth.mfa_setup": "setting up a second factor needs the secret its GET puts in the session",
    "auth.invitation_accept": "needs the secret token of an invitation mail",
    "auth.password_reset_save": "needs the secret token of a reset mail",
    "auth.login": "signing in; tests/auth holds its refusals (a failed attempt counts against the account)",
    "auth.recovery_codes": "only for an account with a second factor, which no demo account has",
    "auth.admin_user_reset_mfa": "only for an account with a second factor, which no demo account has",
    "auth.admin_user_reactivate": "only for an account switched off, which the demo has not",
    "auth.invitation_resend": "only for an open invitation, which the demo has not",
    "auth.invitation_withdraw": "only for an open invitation, which the demo has not",
    "auth.calendar_feed_revoke": "only for an account with a calendar feed, which no demo account has",
    "api_tokens.revoke": "only for an account with an access token, which no demo account has (tests/api)",
    "auth.admin_provider_edit": "only for an identity provider, which the demo has not (tests/core/test_bad_input)",
    "auth.sso_start": "a button per identity provider, which the demo has not (tests/sso)",
    "notify.outbox_retry": "only for a failed message, which the demo has not",
    "cases.actions_import_save": "the second step of an import, after an uploaded workbook; tests/cases covers it",
    "cases.dossier_link": "only on a case its dossiers may take, which the pages read here do not show",
    "cases.dossier_unlink": "only for a case linked to a dossier (tests/cases covers it)",
    "meetings.progress_item_add": "only for a meeting without its progress item within 42 days",
    "meetings.besluitenlijst_publish": "only between a meeting held and its besluitenlijst published",
    "meetings.minutes_share": "only for minutes in concept",
    "meetings.minutes_adopt": "only for minutes shared and not adopted",
}
#: The API's writes take JSON or multipart with a token, no form: tests/api/test_writes.py sends them
#: bad input, and schemathesis (tests/api/test_schemathesis.py) every shape its document allows.
SKIPPED |= {
    f"api_writes.{name}": "the API: JSON with a token, no form (tests/api)"
    for name in (
        "agenda_requests_create",
        "decision_comment",
        "case_progress",
        "case_transition",
        "meeting_documents_add",
    )
}

#: Values a person, a broken client or an attacker may send. Each is tried on every kind of field.
HOSTILE_TEXT = st.sampled_from(
    [
        "x" * 100_000,
        "\u202egnitsil\u202c \u200f\u200e",  # right-to-left override, marks
        "e\u0301\u0301\u0301\u0301" * 200,  # combining accents piled up
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f4a9\ufe0f",  # emoji with joiners
        "nul\x00byte",
        "\x00",
        "   ",
        "",
        "-1",
        "99999999999999999999999999",
        "1e309",
        "NaN",
        "31-02-2026",
        "2026-13-45",
        "0000-00-00",
        "25:61",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\ufeff\u00a0\u2028",
    ]
) | st.text(min_size=1, max_size=40)


@dataclass
class Found:
    """A form to post, and who found it."""

    persona: str
    endpoint: str
    form: Form


HREF = re.compile(r'href="(/[^"]*)"')


def _endpoint(adapter: Any, path: str, method: str) -> str | None:
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


def find_forms(app: Any, client_for: Any) -> dict[str, Found]:
    """Per POST endpoint, the first form that posts to it, reading at most ``PAGES_PER_ROUTE`` pages per
    GET route as each persona (following links from the home page, as test_crawl does)."""
    adapter = app.url_map.bind("localhost")
    forms: dict[str, Found] = {}
    for persona in PERSONAS:
        client = client_for(persona)
        queue, seen, per_route = ["/" if persona else "/auth/login"], set(), dict[str, int]()
        while queue:
            path = queue.pop(0)
            endpoint = _endpoint(adapter, path, "GET")
            if path in seen or endpoint is None or per_route.get(endpoint, 0) >= PAGES_PER_ROUTE:
                continue
            seen.add(path)
            per_route[endpoint] = per_route.get(endpoint, 0) + 1
            response = client.get(path)
            html = response.content_type.startswith("text/html") and response.status_code == 200
            body = response.get_data(as_text=True) if html else ""
            response.close()
            if not html:
                continue
            _keep(adapter, forms, post_forms(path, body), persona)
            for href in HREF.findall(body):
                href = urldefrag(unescape(href))[0]
                if not href.startswith("/static/") and href not in seen:
                    queue.append(href)
    _open_by_id(app, adapter, forms, client_for)
    return forms


def _keep(adapter: Any, forms: dict[str, Found], found: list[Form], persona: str) -> None:
    for form in found:
        form.action = unescape(form.action)
        posted = _endpoint(adapter, form.action, "POST")
        if posted and posted not in forms and posted not in SKIPPED:
            forms[posted] = Found(persona, posted, form)


def _open_by_id(app: Any, adapter: Any, forms: dict[str, Found], client_for: Any) -> None:
    """A form the links did not lead to (a decision's edit form is only there while the decision is a
    concept, a nota's route only on a nota): its page (the route itself, or the object's page its address
    starts with) opened with each id of its table in turn, by the first persona it shows the form to."""
    from tests.hunt.checks import ARG_TABLES

    rules = list(app.url_map.iter_rules())
    pages = [
        r for r in rules if "GET" in (r.methods or ()) and len(r.arguments) == 1 and set(r.arguments) <= set(ARG_TABLES)
    ]
    for rule in rules:
        if rule.endpoint in forms or rule.endpoint in SKIPPED or "POST" not in (rule.methods or ()):
            continue
        page = next(
            (
                p
                for p in sorted(pages, key=lambda p: -len(p.rule))
                if rule.rule == p.rule or rule.rule.startswith(p.rule + "/")
            ),
            None,
        )
        if page is None:
            continue
        argument = next(iter(page.arguments))
        with app.app_context():
            table = Base.metadata.tables[ARG_TABLES[argument]]
            ids = list(db.session.scalars(select(table.c.id).order_by(table.c.id)))
            db.session.remove()
        for persona in filter(None, PERSONAS):
            for id_ in ids:
                path = adapter.build(page.endpoint, {argument: id_})
                response = client_for(persona).get(path)
                if response.status_code == 200:
                    _keep(adapter, forms, post_forms(path, response.get_data(as_text=True)), persona)
                response.close()
                if rule.endpoint in forms:
                    break
            if rule.endpoint in forms:
                break


def rows(app: Any) -> dict[str, int]:
    """Rows per table, the audit records among them."""
    with app.app_context():
        counted = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
        db.session.remove()
    return counted


@st.composite
def hostile(draw: Any, form: Form) -> tuple[dict[str, Any], str]:
    """The form's own values with some fields made hostile; and what was done, for the report."""
    data: dict[str, Any] = {name: list(values) for name, values in form.values.items()}
    for name in form.choices:
        data.setdefault(name, [])
    done = []
    names = sorted(set(data) - {"csrf_token"} | form.files)
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=4)) if names else []:
        if name in form.files:
            filename = draw(HOSTILE_TEXT.map(lambda t: t[:300] + ".pdf") | st.just(""))
            content = draw(st.binary(max_size=2000) | st.just(b"%PDF-1.4\n\x00"))
            data[name] = [(io.BytesIO(content), filename)]
            done.append(f"{name}=<file {filename[:20]!r}>")
            continue
        how = draw(st.sampled_from(["text", "list", "choice", "missing"]))
        if how == "text":
            data[name] = [draw(HOSTILE_TEXT)]
        elif how == "list":
            data[name] = [draw(HOSTILE_TEXT), draw(HOSTILE_TEXT)]
        elif how == "choice":
            data[name] = [draw(st.sampled_from(["999999999", "-5", "onbekend", "0", "1.5"]))]
        else:
            data.pop(name)
        done.append(f"{name} {how}={repr(data.get(name))[:60]}")
    if "version" in data and draw(st.booleans()):
        data["version"] = [draw(st.sampled_from(["0", "-1", "x", ""]))]
        done.append(f"stale version {data['version']}")
    if draw(st.integers(0, 9)) == 0:
        data.pop("csrf_token", None)
        done.append("no CSRF token")
    return data, "; ".join(done)


@pytest.fixture(scope="module")
def found(app: Any) -> Iterator[dict[str, Found]]:
    clients = {}

    def client_for(persona: str) -> Any:
        if persona not in clients:
            clients[persona] = app.test_client()
            if persona:
                assert clients[persona].login(persona).status_code == 302
        return clients[persona]

    started = time.monotonic()
    forms = find_forms(app, client_for)
    print(f"hostile forms: found {len(forms)} forms in {time.monotonic() - started:.0f} s")
    yield forms


def test_every_post_route_has_a_form_or_a_reason(app, found):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    missing = sorted(posts - set(found) - set(SKIPPED))
    assert not missing, f"POST routes without a form on any page the personas read (or a reason in SKIPPED): {missing}"


def post_hostile(app: Any, undo: Any, found: Found, failures: list[str], posted: Counter[str]) -> None:
    """Hypothesis's examples for one form, posted as the persona who found it."""
    form = found.form
    client = app.test_client()
    if found.persona:
        assert client.login(found.persona).status_code == 302

    @settings(
        max_examples=EXAMPLES,
        derandomize=not LONG_RUN,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile(form))
    def attempt(case: tuple[dict[str, Any], str]) -> None:
        data, what = case
        if "csrf_token" in data:
            data["csrf_token"] = [client.csrf_token()]
        with undo():
            before = rows(app)
            response = client.post(form.action, data=data, content_type="multipart/form-data")
            response.get_data()  # a streamed export reads inside the savepoint, as it does inside its request
            after = rows(app)
        status = response.status_code
        body = response.request.environ.get("wsgi.input")
        if body is not None:
            body.close()
        response.close()
        posted["posts"] += 1
        if status >= 500:
            failures.append(f"{found.endpoint} {form.action} as {found.persona or 'anonymous'}: {status} with {what}")
        elif status >= 400:
            posted["refused"] += 1
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                failures.append(f"{found.endpoint}: refused ({status}) but stored {changed} with {what}")
        with client.session_transaction() as state:
            state.pop("_flashes", None)
            ended = "csrf_token" not in state
        if ended and found.persona:  # the post ended the session: sign in again for the next
            assert client.login(found.persona).status_code == 302

    attempt()


def test_hostile_values_on_every_form(app, found, undo):
    failures: list[str] = []
    posted: Counter[str] = Counter()
    for endpoint in sorted(found):
        post_hostile(app, undo, found[endpoint], failures, posted)
    print(f"hostile forms: {len(found)} forms, {posted['posts']} posts, {posted['refused']} refused")
    assert not failures, "\n".join(failures[:30])


@pytest.mark.parametrize("seat", ["x" * 300, "", "1.5"])
def test_attendance_with_a_seat_that_is_no_number_is_refused_next_to_it(app, found, undo, seat):
    """Found by the hostile forms: a seat's hidden number reached the service unchecked (a 500)."""
    entry = found["meetings.attendance"]
    client = app.test_client()
    assert client.login(entry.persona).status_code == 302
    data = {**entry.form.values, "entries-0-seat_id": [seat], "csrf_token": [client.csrf_token()]}
    with undo():
        before = rows(app)
        response = client.post(entry.form.action, data=data)
        assert rows(app) == before
    assert response.status_code == 400
    assert "Deze zetel hoort niet bij dit overleg." in response.get_data(as_text=True)
