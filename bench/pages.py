"""Which addresses ``make bench`` measures for a persona, and how many SQL statements each costs.

Both through the Flask test client, in the bench's own process, on the same database as the served
app: the persona signs in through the login form, each page is chosen among the busiest objects of
its kind as the first that answers 200 to that persona (hidden is 404, so a regio user is never
measured on a Rijk-internal item), and the statements of one request are counted with an SQLAlchemy
event listener on the engine (``StatementCounter``), on the second request of the page so that what
the first fills (templates, caches) is not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, func, select

#: The pages of issue 12, in the order the tables show them: (key, label).
PAGES: list[tuple[str, str]] = [
    ("home", "home"),
    ("body", "overleg"),
    ("cycle", "cyclus"),
    ("agenda", "vergadering (agenda)"),
    ("item", "agendapunt"),
    ("besluitenlijst", "besluitenlijst"),
    ("decision", "besluit"),
    ("decisions", "besluitenoverzicht"),
    ("my_actions", "mijn acties"),
    ("body_actions", "acties per organisatie"),
    ("case", "zaak (actiepunt)"),
    ("nota", "nota"),
    ("dashboard", "dashboard"),
    ("search_common", "zoeken (veelvoorkomend)"),
    ("search_rare", "zoeken (zeldzaam)"),
    ("history", "geschiedenis (druk object; auditor)"),
    ("ics", "agenda-feed (ICS)"),
]
LABELS = dict(PAGES)

#: A word on many items, and one on a handful (in the demo and in the large set alike).
COMMON_WORD = "talent"
RARE_WORD = "bio-based"

#: How many of the busiest objects of a kind to try before saying the persona sees none.
CANDIDATES = 12


class StatementCounter:
    """Counts the SQL statements an engine executes while it is ``counting()``; savepoints are not
    counted, as the suite's ``count_queries`` does not (the tests run inside one), so the bench's
    figures and the counts the tests assert are the same numbers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self._on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._on and not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[StatementCounter]:
        self.count, self._on = 0, True
        try:
            yield self
        finally:
            self._on = False

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1) or found.group(2)


class SignInRefused(RuntimeError):
    pass


def sign_in(client: Any, email: str, password: str) -> None:
    """Sign in through the login form, as a person does; refuse to go on at a second factor."""
    page = client.get("/auth/login")
    answer = client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    where = answer.headers.get("Location", "")
    if answer.status_code != 302 or "/auth/" in where:
        raise SignInRefused(
            f"{email} kon niet inloggen (status {answer.status_code}, naar {where or 'nergens'}); "
            "een tweede factor of een ander wachtwoord (DEMO_PASSWORD)?"
        )


def first_ok(client: Any, paths: Iterable[str], *also: str) -> str | None:
    """The first path that answers 200 (and each ``also`` suffix with it), or None."""
    for path in paths:
        if client.get(path).status_code == 200 and all(client.get(path + s).status_code == 200 for s in also):
            return path
    return None


class Rows:
    """Runs a query in an app context of its own, so that the test client's requests never share one
    (a shared context would carry ``g`` from request to request: the signed-in user, the CSRF token)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, query: Any) -> list[Any]:
        from core.extensions import db

        with self.app.app_context():
            try:
                return list(db.session.execute(query).all())
            finally:
                db.session.remove()


def discover(
    app: Any,
    client: Any,
    email: str,
    historian: Any,
    historian_email: str,
    *,
    common: str = COMMON_WORD,
    rare: str = RARE_WORD,
) -> dict[str, str | None]:
    """Per page key, the address measured for this (signed-in) persona; None where it sees no such object.

    The history of an object is for the secretariat and the auditors, so ``historian`` (a client signed
    in as ``historian_email``, an auditor of the persona's side) chooses that page."""
    from audit.models import AuditRecord
    from auth.models import Membership, Role, User
    from cases.models import Case, CaseEvent, CaseType
    from meetings.models import AgendaItem, Body, Decision, DecisionComment, Document, Meeting

    rows = Rows(app)
    pages: dict[str, str | None] = {key: None for key, _ in PAGES}
    pages.update(
        home="/",
        decisions="/besluiten",
        my_actions="/acties",
        search_common=f"/zoeken?q={common}",
        search_rare=f"/zoeken?q={rare}",
    )
    member = select(Membership.body_id).join(User, User.id == Membership.user_id).where(User.email == email)
    items = select(AgendaItem.body_id, func.count().label("n")).group_by(AgendaItem.body_id).subquery()
    # The persona's own bodies first, the one with the most agenda items (the most years) first.
    bodies = rows(
        select(Body.id, Body.slug)
        .outerjoin(items, items.c.body_id == Body.id)
        .order_by(Body.id.in_(member.scalar_subquery()).desc(), func.coalesce(items.c.n, 0).desc(), Body.id)
        .limit(CANDIDATES)
    )
    body = next(((i, s) for i, s in bodies if first_ok(client, [f"/overleggen/{s}"])), None)
    if body is not None:
        body_id, slug = body
        pages.update(
            body=f"/overleggen/{slug}",
            body_actions=f"/overleggen/{slug}/acties",
            dashboard=f"/overleggen/{slug}/dashboard",
        )
        # The meeting with the most decisions: a held meeting whose agenda, besluitenlijst and items are full.
        meetings = rows(
            select(Decision.meeting_id)
            .where(Decision.body_id == body_id)
            .group_by(Decision.meeting_id)
            .order_by(func.count().desc(), Decision.meeting_id.desc())
            .limit(CANDIDATES)
        )
        agenda = first_ok(client, (f"/vergaderingen/{m}" for (m,) in meetings), "/besluitenlijst")
        if agenda:
            meeting_id = int(agenda.rsplit("/", 1)[1])
            pages.update(agenda=agenda, besluitenlijst=f"{agenda}/besluitenlijst")
            [(cycle_id,)] = rows(select(Meeting.cycle_id).where(Meeting.id == meeting_id))
            pages["cycle"] = first_ok(client, [f"/cycli/{cycle_id}"])
            documents = (
                select(Document.agenda_item_id, func.count().label("n")).group_by(Document.agenda_item_id).subquery()
            )
            item_ids = rows(
                select(AgendaItem.id)
                .outerjoin(documents, documents.c.agenda_item_id == AgendaItem.id)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(func.coalesce(documents.c.n, 0).desc(), AgendaItem.id)
                .limit(CANDIDATES)
            )
            pages["item"] = first_ok(client, (f"/agendapunten/{i}" for (i,) in item_ids))
        comments = (
            select(DecisionComment.decision_id, func.count().label("n"))
            .group_by(DecisionComment.decision_id)
            .subquery()
        )
        decision_ids = rows(
            select(Decision.id)
            .outerjoin(comments, comments.c.decision_id == Decision.id)
            .where(Decision.body_id == body_id)
            .order_by(func.coalesce(comments.c.n, 0).desc(), Decision.id.desc())
            .limit(CANDIDATES)
        )
        pages["decision"] = first_ok(client, (f"/besluiten/{i}" for (i,) in decision_ids))

    events = select(CaseEvent.case_id, func.count().label("n")).group_by(CaseEvent.case_id).subquery()

    def busiest_cases(kind: CaseType, body_id: int | None) -> list[str]:
        query = select(Case.id).outerjoin(events, events.c.case_id == Case.id).where(Case.type == kind)
        if body_id is not None:
            query = query.where(Case.body_id == body_id)
        ordered = query.order_by(func.coalesce(events.c.n, 0).desc(), Case.id.desc()).limit(CANDIDATES)
        return [f"/zaken/{i}" for (i,) in rows(ordered)]

    if body is not None:
        pages["case"] = first_ok(client, busiest_cases(CaseType.ACTIEPUNT, body[0]))
    pages["nota"] = first_ok(client, busiest_cases(CaseType.NOTA, None))

    # The object with the most records in the trail among the bodies whose history the auditor reads.
    readers_bodies = (
        select(Membership.body_id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == historian_email, Membership.role.in_([Role.AUDITOR, Role.SECRETARIAAT]))
    )
    busy = rows(
        select(AuditRecord.object_type, AuditRecord.object_id)
        .where(
            AuditRecord.body_id.in_(readers_bodies.scalar_subquery()),
            AuditRecord.object_type.in_(["agenda_items", "decisions", "cases", "meetings"]),
        )
        .group_by(AuditRecord.object_type, AuditRecord.object_id)
        .order_by(func.count().desc())
        .limit(CANDIDATES)
    )
    pages["history"] = first_ok(historian, (f"/geschiedenis/{t}/{i}" for t, i in busy))

    pages["ics"] = calendar_feed(client)
    return pages


def calendar_feed(client: Any) -> str | None:
    """The persona's calendar feed, made through the account page's form (the old one stops working)."""
    account = client.get("/auth/account")
    made = client.post("/auth/account/agenda", data={"csrf_token": csrf_token(account.get_data(as_text=True))})
    feed = re.search(r"/agenda/[A-Za-z0-9_-]+\.ics", made.get_data(as_text=True))
    return feed.group(0) if made.status_code == 200 and feed else None


@dataclass(frozen=True)
class Counted:
    status: int
    statements: int
    bytes: int


def count(client: Any, counter: StatementCounter, path: str) -> Counted:
    """Statements and bytes of one request for ``path``, after one that warms up."""
    client.get(path)
    with counter.counting():
        answer = client.get(path)
    return Counted(answer.status_code, counter.count, len(answer.get_data()))
