"""Reading as each persona: the pages of the URL map, the API with the persona's own token, the exports,
search, the audit export and the e-mails the scheduler sends; and holding what each one received
against the hunter's model."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from werkzeug.routing import Map

from tests.hunt.model import Model, Obj
from tests.hunt.reading import cycle_choices, links_in, markers_in, text_of

BODY_SLUG = "bo-brainport"
#: The common word every text the hunter writes carries: one search lists everything a reader may find.
COMMON_WORD = "speurhond"

#: GET routes the hunter does not read, and why. Every other GET route is read with every id that exists;
#: a new route the hunter cannot fill fails the hunt (as the access matrix fails on a route without an
#: expectation), so no page is added unread.
SKIPPED: dict[str, str] = {
    "static": "the app's own files, the same for everyone",
    "meetings.static": "the app's own files, the same for everyone",
    "core.favicon": "an icon, the same for everyone",
    "core.healthz": "says only that the app runs",
    "auth.login": "the sign-in form; a signed-in reader is sent on",
    "auth.second_factor": "the second step of signing in, only between password and session",
    "auth.mfa_setup": "setting up a second factor: the GET already starts a change (a new secret)",
    "auth.mfa_qr": "the QR code of a second factor being set up",
    "auth.invitation": "needs the secret token of an invitation mail; the hunter invites nobody",
    "auth.password_reset": "needs the secret token of a reset mail; the hunter resets nothing",
    "auth.password_forgotten": "a public form without data",
    "auth.admin_user_edit": "an account (name, e-mail, roles), no body content; the access matrix covers it",
    "auth.admin_organisation_edit": "an organisation, no body content; the access matrix covers it",
    "auth.admin_provider_edit": "an organisation's identity provider, no body content; the access matrix covers it",
    "auth.sso_callback": "a provider's answer to a sign-in under way; the hunter signs in with passwords",
    "api-docs.openapi_json": "the API's document, the same for everyone",
    "api_docs.docs": "the API's documentation page, the same for everyone",
}
SKIPPED["api.bodies_get"] = "a body's own fields, which the hunter never writes (tests/api reads it per side)"

#: The API's calls on one object (``/api/v1/<kind>/<id>``): the table that fills ``id``. The API is read
#: with each persona's own read token, its errors too, and every list to its last page.
API_TABLES = {
    "api.cycles_get": "cycles",
    "api.meetings_get": "meetings",
    "api.agenda_items_get": "agenda_items",
    "api.documents_get": "documents",
    "api.documents_content": "documents",
    "api.decisions_get": "decisions",
    "api.decision_comments": "decisions",
    "api.minutes_get": "minutes",
    "api.cases_get": "cases",
}
#: The tables whose history the API gives (``/api/v1/history/<table>/<id>``) that the hunter makes.
API_HISTORY_TABLES = frozenset(API_TABLES.values())
API_LIMIT = 200

#: Which objects fill which argument of a route.
ARG_TABLES = {
    "meeting_id": "meetings",
    "item_id": "agenda_items",
    "decision_id": "decisions",
    "cycle_id": "cycles",
    "document_id": "documents",
    "note_id": "notes",
    "case_id": "cases",
    "comment_id": "decision_comments",
}
#: Tables whose history pages the hunter reads (everything it makes that has a trail of its own).
HISTORY_TABLES = (
    "meetings",
    "cycles",
    "milestones",
    "attendances",
    "agenda_items",
    "documents",
    "decisions",
    "decision_comments",
    "minutes",
    "notes",
    "cases",
    "case_events",
    "case_attachments",
)
#: Forms (GET of a page that changes something), opened by the secretariat or an author: read as the
#: personas who take part (secretariat, deelnemers); the access matrix holds the refusal of the others.
FORMS = frozenset(
    {
        "meetings.agenda_item_edit",
        "meetings.agenda_item_remove",
        "meetings.agenda_item_new",
        "meetings.decision_new",
        "meetings.decision_edit",
        "meetings.decision_remove",
        "meetings.document_new",
        "meetings.document_remove",
        "meetings.meeting_edit",
        "meetings.attendance",
        "meetings.agenda_copy",
        "meetings.comment_handle",
        "meetings.note_edit",
        "meetings.note_remove",
        "meetings.note_new",
        "meetings.cycle_new",
        "meetings.cycle_year_plan",
        "meetings.seats",
        "meetings.body_invite",
        "cases.nota_edit",
        "cases.action_new",
        "cases.follow_up_new",
        "cases.nota_new",
        "cases.request_new",
        "cases.dossier_new",
        "cases.actions_import",
        "cases.actions_import_template",
        "audit.export_page",
    }
)
#: The beheerder's pages: read as the beheerder (the access matrix holds the refusal of the others).
ADMIN = frozenset(
    {
        "auth.admin_index",
        "auth.admin_organisation_new",
        "meetings.admin_user_invite",
        "meetings.admin_bodies",
        "meetings.admin_body_new",
        "meetings.admin_body_settings",
        "meetings.admin_body_members",
        "notify.outbox",
        "notify.outbox_message",
    }
)
HISTORY = "audit.history"
_NEXT_HISTORY_PAGE = re.compile(r'<a rel="next" href="([^"]+)"')


class Leak(AssertionError):
    """A persona received a marker (or a link, or a filter choice) the model says it may not read."""

    def __init__(self, signature: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.signature = signature


@dataclass
class Figures:
    """What a hunt did, for the closing note."""

    steps: int = 0
    examples: int = 0
    pages: int = 0
    exports: int = 0
    api_calls: int = 0
    searches: int = 0
    mails: int = 0
    audit_exports: int = 0
    sweeps: int = 0
    refused: int = 0
    started: float = field(default_factory=time.monotonic)
    cpu: float = field(default_factory=time.process_time)
    first_failure_step: int | None = None
    failure: str | None = None
    final_steps: int | None = None
    #: Once a leak is found, only its kind of check runs (shrinking replays the steps many times).
    focus: tuple[str, ...] | None = None
    #: The seed of the round that runs (a long hunt).
    seed: int | None = None

    costs: dict[str, list[float]] = field(default_factory=dict)
    #: Print a line after every run (the long hunt), so that a watcher sees it move.
    progress: bool = False

    def progress_line(self) -> str:
        seconds = time.monotonic() - self.started
        return f"hunt: {self.examples} runs, {self.steps} steps, {self.pages} pages, {seconds:.0f} s (seed {self.seed})"

    def cost(self, what: str, started: float) -> None:
        spent = self.costs.setdefault(what, [0, 0.0])
        spent[0] += 1
        spent[1] += time.perf_counter() - started

    def summary(self) -> str:
        seconds, cpu = time.monotonic() - self.started, time.process_time() - self.cpu
        return (
            f"hunt: {self.steps} steps in {self.examples} examples, {seconds:.0f} s ({cpu:.0f} s CPU); "
            f"read {self.pages} pages (of which {self.exports} exports: CSV, XLSX, DOCX, PDF, ZIP, ICS, Woo), "
            f"{self.api_calls} API calls, {self.searches} searches, "
            f"{self.audit_exports} audit exports, {self.mails} mails; {self.sweeps} full sweeps; "
            f"{self.refused} steps refused by the app"
        )


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    arguments: frozenset[str]


def get_routes(url_map: Map) -> list[Route]:
    """The GET routes the hunter reads; fails for one it does not know how to fill."""
    routes, unknown = [], []
    fillable = set(ARG_TABLES) | {"slug", "token", "object_type", "object_id", "attachment_id", "notification_id"}
    fillable |= {"id"}  # the API's, by API_TABLES
    for rule in url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in SKIPPED:
            continue
        if not set(rule.arguments) <= fillable:
            unknown.append(f"{rule.endpoint} {rule.rule}")
            continue
        routes.append(Route(rule.endpoint, rule.rule, frozenset(rule.arguments)))
    assert not unknown, f"GET routes the hunter cannot fill (read them, or list them in SKIPPED): {unknown}"
    return sorted(routes, key=lambda r: r.rule)


EXPORT_ENDPOINTS = {
    "meetings.decisions_csv",
    "meetings.decisions_xlsx",
    "cases.body_actions_xlsx",
    "cases.body_actions_csv",
    "cases.actions_import_template",
    "meetings.access_review_xlsx",
    "meetings.access_review_csv",
    "meetings.agenda_docx",
    "meetings.agenda_pdf",
    "meetings.bundle_pdf",
    "meetings.bundle_zip",
    "meetings.besluitenlijst_docx",
    "meetings.besluitenlijst_pdf",
    "meetings.woo_package",
    "meetings.meeting_ics",
    "meetings.calendar_feed",
    "meetings.document_download",
    "cases.attachment_download",
}


#: Files of one object, read after a step that touched it (a meeting's papers wait for the sweeps).
OBJECT_FILES = frozenset({"meetings.document_download", "cases.attachment_download"})


class Reader:
    """Reads as the personas through the Flask test client and judges what they get."""

    def __init__(
        self,
        app: Flask,
        model: Model,
        clients: dict[str, Any],
        passwords: dict[str, str],
        feeds: dict[str, str],
        figures: Figures,
        issue_token: Callable[[str], str],
    ) -> None:
        self.app = app
        self.model = model
        self.clients = clients
        self.passwords = passwords
        self.feeds = feeds
        self.figures = figures
        self.issue_token = issue_token
        self.tokens: dict[str, str] = {}
        self.routes = get_routes(app.url_map)
        self.adapter = app.url_map.bind("localhost")
        self.notifications: list[int] = []

    # --- which pages exist ---------------------------------------------------------------------

    def urls(self, persona: str, route: Route) -> Iterator[tuple[str, set[Obj]]]:
        """Every URL of ``route`` with the ids that exist, and the objects each one names."""
        args = route.arguments
        if not args and route.endpoint.endswith("_list"):  # the API's lists: as long pages as it gives
            yield self._build(route, {}) + f"?limit={API_LIMIT}", set()
        elif not args:
            yield self._build(route, {}), set()
        elif args == {"id"}:
            for obj in self.model.objects:
                if obj.table == API_TABLES[route.endpoint]:
                    yield self._build(route, {"id": obj.id}), {obj}
        elif args == {"object_type", "id"}:
            for obj in self.model.objects:
                if obj.table in API_HISTORY_TABLES:
                    yield self._build(route, {"object_type": obj.table, "id": obj.id}), {obj}
        elif args == {"slug"}:
            yield self._build(route, {"slug": BODY_SLUG}), set()
        elif args == {"token"}:
            if persona in self.feeds:
                yield self._build(route, {"token": self.feeds[persona]}), set()
        elif args == {"object_type", "object_id"}:
            for obj in self.model.objects:
                if obj.table in HISTORY_TABLES:
                    yield self._build(route, {"object_type": obj.table, "object_id": obj.id}), {obj}
        elif args == {"case_id", "attachment_id"}:
            for obj in self.model.objects:
                if obj.table == "case_attachments" and obj.whole is not None:
                    url = self._build(route, {"case_id": obj.whole.id, "attachment_id": obj.id})
                    yield url, {obj, obj.whole}
        elif args == {"notification_id"}:
            for ident in self.notifications:
                yield self._build(route, {"notification_id": ident}), set()
        else:
            (arg,) = args
            for obj in self.model.objects:
                if obj.table == ARG_TABLES[arg]:
                    yield self._build(route, {arg: obj.id}), {obj}

    def _build(self, route: Route, values: dict[str, Any]) -> str:
        return str(self.adapter.build(route.endpoint, values))

    # --- reading one page ------------------------------------------------------------------------

    def page(self, persona: str, url: str, endpoint: str, typed: str | None = None) -> str:
        """GET ``url`` as ``persona`` and judge it; the text it held. ``typed``: a marker the reader typed
        (a search), which the page may say back."""
        if endpoint.startswith("api."):
            return self.api(persona, url, endpoint)
        client = self.clients[persona]
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code in (301, 302, 303) and "/auth/login" in response.headers.get("Location", ""):
            response.close()
            client.login(self.model.people[persona].email, self.passwords[persona])  # the session ran out
            response = client.get(url)
        status = response.status_code
        data = response.get_data()
        content_type = response.headers.get("Content-Type", "")
        disposition = response.headers.get("Content-Disposition", "")
        response.close()
        self.figures.pages += 1
        if endpoint in EXPORT_ENDPOINTS:
            self.figures.exports += 1
        if status >= 500:
            raise Leak(("page", persona, endpoint), f"{persona} GET {url}: the app failed ({status})")
        if status != 200:
            self.figures.cost(endpoint, started)
            return ""
        text = text_of(data, content_type, url) + "\n" + disposition
        self.figures.cost(endpoint, started)
        if typed is not None:
            text = re.sub(typed, "", text, flags=re.IGNORECASE)
        self.judge(persona, text, ("page", persona, endpoint), f"GET {url}", html=content_type.startswith("text/html"))
        if endpoint == "meetings.woo_package":
            self.judge_public(text, ("page", persona, endpoint), f"GET {url} (a Woo package, for the public)")
        if endpoint == "search.search":
            self.judge_cycles(persona, text, ("page", persona, endpoint), f"GET {url}")
        if endpoint == HISTORY and (following := _NEXT_HISTORY_PAGE.search(text)):
            # A long history has more pages: read them all, as the API's history answers it whole.
            text += self.page(persona, following.group(1).replace("&amp;", "&"), endpoint)
        return text

    def api(self, persona: str, url: str, endpoint: str) -> str:
        """GET an API call with ``persona``'s own token and judge every answer, errors included (a problem's
        text must not name what the reader may not see either); a list is followed to its last page."""
        texts = []
        path = url.split("?", 1)[0]
        while url:
            started = time.perf_counter()
            response = self._api_get(persona, url)
            status, data = response.status_code, response.get_data()
            content_type = response.headers.get("Content-Type", "")
            response.close()
            self.figures.pages += 1
            self.figures.api_calls += 1
            if status >= 500:
                raise Leak(("page", persona, endpoint), f"{persona} GET {url} (API): the app failed ({status})")
            text = text_of(data, content_type, url)
            self.figures.cost(endpoint, started)
            self.judge(persona, text, ("page", persona, endpoint), f"GET {url} (API, {status})")
            texts.append(text)
            answer = json.loads(data) if status == 200 and content_type == "application/json" else None
            following = answer.get("next_cursor") if isinstance(answer, dict) else None
            url = f"{path}?limit={API_LIMIT}&cursor={following}" if following else ""
        return "\n".join(texts)

    def _api_get(self, persona: str, url: str) -> Any:
        """The call with the persona's token; a token that ran out in the hunt's time is issued anew."""
        client = self.clients[persona]
        for _attempt in range(2):
            if persona not in self.tokens:
                self.tokens[persona] = self.issue_token(persona)
            response = client.get(url, headers={"Authorization": f"Bearer {self.tokens[persona]}"})
            if response.status_code != 401:
                return response
            response.close()
            del self.tokens[persona]
        raise AssertionError(f"{persona}'s API token is refused even when new: the hunter would read nothing there")

    # --- judging -------------------------------------------------------------------------------------

    def judge(self, persona: str, text: str, signature: tuple[str, ...], where: str, *, html: bool = False) -> None:
        model = self.model
        bad = sorted(m for m in markers_in(text) if not model.may_read(persona, m))
        links = []
        if html:
            for table, ident in sorted(links_in(text)):
                obj = model.find(table, ident)
                if obj is not None and not model.sees(persona, obj):
                    links.append(f"{table}/{ident}")
        if bad or links:
            raise Leak(signature, self._message(persona, where, bad, links))

    def judge_public(self, text: str, signature: tuple[str, ...], where: str) -> None:
        bad = sorted(m for m in markers_in(text) if not self.model.public(m))
        if bad:
            raise Leak(signature, self._message("the public", where, bad, []))

    def judge_cycles(self, persona: str, text: str, signature: tuple[str, ...], where: str) -> None:
        hidden = []
        for ident in sorted(cycle_choices(text)):
            cycle = self.model.find("cycles", ident)
            if cycle is not None and not self.model.sees(persona, cycle):
                hidden.append(f"cycles/{ident}")
        if hidden:
            raise Leak(signature, f"{persona} {where}: the search filter offers cycles of hidden meetings: {hidden}")

    def _message(self, persona: str, where: str, bad: list[str], links: list[str]) -> str:
        lines = [f"LEAK: {persona} {where}"]
        for text in bad:
            owners = self.model.markers.get(text)
            if not owners:
                lines.append(f"  {text}: a marker the model does not know (written by a step that was refused?)")
            for marker in owners or []:
                state = "current" if marker.current and not marker.obj.deleted else "past"
                lines.append(
                    f"  {text}: {marker.obj!r}.{marker.field} ({state}; object now {marker.obj.state()}, "
                    f"seen with {sorted(marker.states, key=repr)})"
                )
        if links:
            lines.append(f"  links to objects it may not see: {links}")
        return "\n".join(lines)

    # --- what to read ------------------------------------------------------------------------------

    def focused(self, signature: tuple[str, ...]) -> bool:
        focus = self.figures.focus
        return focus is None or focus == signature

    def read_routes(self, personas: Iterable[str], routes: Iterable[Route], touched: set[Obj] | None = None) -> None:
        for persona in personas:
            for route in routes:
                if not self.focused(("page", persona, route.endpoint)):
                    continue
                for url, names in self.urls(persona, route):
                    if touched is not None and not (names & touched):
                        continue
                    self.page(persona, url, route.endpoint)

    def readers_of(self, route: Route, personas: list[str]) -> list[str]:
        """Who reads ``route``: forms as who take part, admin pages as the beheerder, histories as who read
        histories (secretariat and auditors, as the model knows their roles now); everything else as all."""
        roles = self.model.roles
        if route.endpoint in FORMS:
            return [p for p in personas if roles.get(p) in ("secretariaat", "deelnemer")]
        if route.endpoint in ADMIN:
            return [p for p in personas if self.model.people[p].beheerder]
        if route.endpoint in (HISTORY, "api.history"):
            return [p for p in personas if roles.get(p) in ("secretariaat", "auditor")]
        return personas

    def quick(self, personas: list[str], touched: set[Obj]) -> None:
        """After a step: the pages of the objects it touched (their history as who reads histories), and
        the pages of their meetings. Forms, lists and exports wait for the sweeps."""
        if not touched:
            return
        meetings = {o.meeting for o in touched if o.meeting is not None} | {o for o in touched if o.table == "meetings"}
        for route in self.routes:
            if route.endpoint in FORMS or route.endpoint in ADMIN or not route.arguments - {"slug", "token"}:
                continue
            if route.endpoint in EXPORT_ENDPOINTS and route.endpoint not in OBJECT_FILES:
                continue
            names = touched | meetings if route.endpoint == "meetings.meeting" else touched
            self.read_routes(self.readers_of(route, personas), [route], {o for o in names if o is not None})

    def sweep(self, personas: list[str]) -> None:
        """Every route with every id (``readers_of`` says as whom), and the common-word search."""
        started = time.perf_counter()
        self.figures.sweeps += 1
        for route in self.routes:
            if route.endpoint == "search.search":
                continue
            self.read_routes(self.readers_of(route, personas), [route])
        for persona in personas:
            self.search_all(persona)
        self.figures.cost("(sweeps)", started)

    def search_all(self, persona: str) -> None:
        signature = ("page", persona, "search.search")
        if not self.focused(signature):
            return
        for page in itertools.count(1):
            text = self.page(persona, f"/zoeken?q={COMMON_WORD}&pagina={page}", "search.search")
            self.figures.searches += 1
            pages = [int(n) for n in re.findall(r"pagina=(\d+)", text)]
            if page >= max(pages, default=1) or page >= 50:
                break

    def search(self, persona: str, text: str) -> None:
        """Search for a marker ``persona`` may not read: nothing may be found."""
        signature = ("page", persona, "search.search")
        if not self.focused(signature):
            return
        page = self.page(persona, f"/zoeken?q={text}", "search.search", typed=text)
        self.figures.searches += 1
        if 'class="search-hit"' in page:
            raise Leak(signature, f"LEAK: {persona} searching {text}, which it may not read, finds something")

    # --- the audit export and the mail -----------------------------------------------------------

    def audit_export(self, persona: str, user: Any, connection: Any, start: date) -> None:
        from audit import export

        signature = ("audit-export", persona)
        if not self.focused(signature):
            return
        rows = list(export.readable(connection, user, export.ExportFilter(start=start)))
        for form in export.FORMATS:
            manifest = export.Manifest(format=form, exported_for=user.email, filters={})
            text = b"".join(export.lines(iter(rows), form, manifest)).decode()
            self.judge(persona, text, signature, f"audit export ({form})")
        self.figures.audit_exports += 1

    def mail(self, recipient: str | None, kind: str, subject: str, text: str, attachments: list[Any]) -> None:
        signature = ("mail", recipient or "someone else")
        if not self.focused(signature):
            return
        self.figures.mails += 1
        body = "\n".join(
            [subject, text, *(text_of(a.data, f"{a.maintype}/{a.subtype}", a.filename) for a in attachments)]
        )
        if recipient is None:
            found = sorted(markers_in(body))
            if found:
                raise Leak(signature, f"LEAK: mail '{kind}' to someone the model does not know holds {found}")
            return
        self.judge(recipient, body, signature, f"mail '{kind}' ({subject})")
