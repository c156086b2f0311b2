"""The leak hunter: a hypothesis state machine that drives the services as the people of BO-Brainport
(both sides, every role) and, after every step, reads as each of them what the app gives out.

Every text a step writes carries a unique marker (``HUNT000123``). The model (``tests.hunt.model``)
says who may read each marker; a persona that receives a marker it may not read is a leak, and
hypothesis shrinks the steps that led there to the shortest it can find.

A step's writes go through the services, as the views would call them, with the acting user passed
in; a step the app refuses (a domain rule, a role, something the actor may not see) changes nothing,
in the app and in the model. Reads go through the Flask test client, as a browser would.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any, ClassVar

from flask import Flask
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import Connection, select

from core import db as core_db
from core.dates import AMSTERDAM
from core.errors import DomainError
from core.extensions import db
from tests.conftest import DEMO_PASSWORD, account, in_app
from tests.hunt.checks import COMMON_WORD, Figures, Leak, Reader
from tests.hunt.model import AUDIENCES, AUDITOR, DEELNEMER, SECRETARIAAT, WAARNEMER, Model, Obj, Person
from tests.hunt.reading import marker
from tests.hunt.snapshot import Snapshot

BODY = "bo-brainport"
#: The personas who read, by the demo's accounts (and one the hunt adds: a secretary on the regio side,
#: so that regio-only items have someone to make them).
READERS = {
    "sec": "secretariaat@ezk.test",
    "rijk": "beleid@ezk.test",
    "rijk_auditor": "auditor@ezk.test",
    "regio": "economie@noord-brabant.test",
    "eindhoven": "economie@eindhoven.test",
    "regio_auditor": "auditor@noord-brabant.test",
    "gelderland": "economie@gelderland.test",  # no member of BO-Brainport until a step makes them one
    "beheer": "beheer@regiotafel.test",
    "regio_sec": "secretariaat@noord-brabant.test",
}
REGIO_SEC_PASSWORD = "speurhond-zoekt-lekken-7"
#: Whose role in BO-Brainport the beheerder changes (the others keep theirs, so every side and role
#: stays represented).
FLEXIBLE = ("eindhoven", "gelderland")
ROLES = (SECRETARIAAT, DEELNEMER, WAARNEMER, AUDITOR)
KINDS = ("ter_besluitvorming", "ter_bespreking", "ter_informatie", "hamerstuk")
REFUSED = object()
#: At most this many meetings in one run: every meeting adds a dozen pages to read.
MEETINGS = 3
_numbers = itertools.count(1)


def text(kind: str) -> tuple[str, str]:
    """A fresh marker and a text that carries it (and the common word search lists everything by)."""
    found = marker(next(_numbers))
    return found, f"{kind} {found} {COMMON_WORD}"


class Hunter(RuleBasedStateMachine):
    """See the module's docstring. The test sets ``app``, ``connection`` and ``figures`` before running."""

    app: ClassVar[Flask]
    connection: ClassVar[Connection]
    #: On PostgreSQL a long hunt commits, and puts the database back after every run (see snapshot.py).
    snapshot: ClassVar[Snapshot | None] = None
    figures: ClassVar[Figures]
    #: Read everything, for every persona, every this many steps (and at the end of every run).
    sweep_every: ClassVar[int] = 10

    def __init__(self) -> None:
        super().__init__()
        self.figures.examples += 1
        self.steps = 0
        #: After which step everything was last read.
        self.swept = -1
        self.failed = False
        # Each run starts from the database as the hunt found it: a savepoint, or the snapshot (PostgreSQL).
        self.point = self.connection.begin_nested() if self.snapshot is None else None
        self.original_clock = core_db.clock
        self.start = date(date.today().year + 6, 1, 5)
        self.now = datetime.combine(self.start, time(9), tzinfo=AMSTERDAM).astimezone(UTC)
        core_db.clock = lambda: self.now
        self.slots = itertools.count()
        self.touched: set[Obj] = set()
        self.searched: list[str] = []
        self.changed_personas: set[str] = set()
        self.uploaded = False
        try:
            self._set_up()
        except BaseException:
            self._tear_down()
            raise

    # --- the world -------------------------------------------------------------------------------

    def _set_up(self) -> None:
        from auth.feeds import create_feed
        from auth.models import Membership, Organisation, User
        from meetings.models import Body, Seat
        from meetings.services.bodies import set_member_role

        with in_app(self.app):
            body = db.session.scalars(select(Body).where(Body.slug == BODY)).one()
            self.body_id = body.id
            brabant = db.session.scalars(select(User).where(User.email == READERS["regio"])).one().organisation_id
            regio_sec = account(READERS["regio_sec"], "Secretariaat regio", brabant, password=REGIO_SEC_PASSWORD)
            beheer = db.session.scalars(select(User).where(User.email == READERS["beheer"])).one()
            set_member_role(beheer, body, user_id=regio_sec.id, role=SECRETARIAAT)
            people: dict[str, Person] = {}
            self.user_ids: dict[str, int] = {}
            by_email = {email: key for key, email in READERS.items()}
            for person, side in db.session.execute(select(User, Organisation.side).join(Organisation)):
                key = by_email.get(person.email, person.email)
                people[key] = Person(key, person.email, side.value, str(person.organisation_id), person.is_beheerder)
                self.user_ids[key] = person.id
            roles: dict[str, str | None] = {key: None for key in people}
            ids = {ident: key for key, ident in self.user_ids.items()}
            for membership in db.session.scalars(select(Membership).where(Membership.body_id == body.id)):
                roles[ids[membership.user_id]] = membership.role.value
            self.organisations = {
                name: ident for name, ident in db.session.execute(select(Organisation.short_name, Organisation.id))
            }
            self.seats = list(db.session.scalars(select(Seat.id).where(Seat.body_id == body.id).order_by(Seat.id)))
            self.feeds = {}
            for key in READERS:
                self.feeds[key] = create_feed(db.session.get(User, self.user_ids[key])).token
        self.model = Model(people=people, roles=roles)
        self.clients: dict[str, Any] = {}
        passwords = {key: DEMO_PASSWORD for key in READERS} | {"regio_sec": REGIO_SEC_PASSWORD}
        for key, email in READERS.items():
            client = self.app.test_client()
            response = client.login(email, passwords[key])  # type: ignore[attr-defined]
            assert response.status_code == 302, f"{key} could not sign in"
            self.clients[key] = client
        self.reader = Reader(self.app, self.model, self.clients, passwords, self.feeds, self.figures, self.issue_token)

    def teardown(self) -> None:
        try:
            # After a leak in a step, no second one from the sweep: hypothesis tells failures apart by
            # where they were raised and what was being handled, and must see the same one when it shrinks.
            if self.steps and not self.failed:
                self._check(final=True)
        finally:
            self._tear_down()
            if self.figures.progress and self.figures.focus is None:
                print(self.figures.progress_line(), file=sys.stderr, flush=True)

    def issue_token(self, persona: str) -> str:
        """A read token of ``persona``'s own, for reading the API as them (valid a year of the hunt's time)."""
        from api.tokens import create_token

        with in_app(self.app):
            owner = self.user(persona)
            return create_token(owner, owner=owner, name="speurhond", scope="read", days=365).secret

    def _tear_down(self) -> None:
        core_db.clock = self.original_clock
        if self.snapshot is not None:
            self.snapshot.restore()
        elif self.point.is_active:
            self.point.rollback()

    # --- acting ------------------------------------------------------------------------------------

    def user(self, key: str) -> Any:
        from auth.models import User

        return db.session.get(User, self.user_ids[key])

    def get(self, obj: Obj) -> Any:
        from core.refs import model_for_table

        return db.session.get(model_for_table(obj.table), obj.id)

    def act(self, work: Callable[[], Any]) -> Any:
        """Run a step's writes as a request would: in an app context of its own, committed at its end.
        A refusal by the app leaves everything as it was (``REFUSED``)."""
        try:
            with in_app(self.app):
                return work()
        except DomainError:
            self.figures.refused += 1
            return REFUSED

    def today(self) -> date:
        return self.now.astimezone(AMSTERDAM).date()

    def move_clock(self, day: date, hour: int = 14) -> None:
        """Forward only: the hunt lives through time as the app's users do."""
        moment = datetime.combine(day, time(hour), tzinfo=AMSTERDAM).astimezone(UTC)
        if moment > self.now:
            self.now = moment

    def draw(self, data: Any, options: Any, label: str) -> Any:
        return data.draw(st.sampled_from(list(options)), label=label)

    def secretaries(self, obj: Obj | None = None) -> list[str]:
        return [p for p in READERS if self.model.role(p) == SECRETARIAAT and (obj is None or self.model.sees(p, obj))]

    def participants(self, obj: Obj | None = None) -> list[str]:
        return [
            p
            for p in self.model.people
            if self.model.role(p) in (SECRETARIAAT, DEELNEMER) and (obj is None or self.model.sees(p, obj))
        ]

    def managed(self, data: Any, options: list[Obj], label: str) -> tuple[Obj, str] | None:
        """One of ``options`` and a secretary who may see it, to act on it (None: no secretary may)."""
        chosen = self.draw(data, options, label)
        actors = self.secretaries(chosen)
        return (chosen, self.draw(data, actors, "actor")) if actors else None

    def member(self, data: Any) -> str | None:
        """A participant who signs in (a secretary or deelnemer of the body), to write something of their own."""
        actors = sorted(p for p in self.participants() if p in READERS)
        return self.draw(data, actors, "actor") if actors else None

    def anyone_who_sees(self, data: Any, obj: Obj) -> str:
        """Anyone who may see ``obj`` (the app refuses whoever may not act on it); the secretariat when
        nobody may."""
        return str(self.draw(data, sorted(p for p in READERS if self.model.sees(p, obj)) or ["sec"], "actor"))

    def audience(self, data: Any, inherit: bool = True) -> tuple[str | None, list[str]]:
        """An audience to choose (None: the item takes its whole's) and, for vertrouwelijk, people to name."""
        audience = data.draw(st.sampled_from([None, *AUDIENCES] if inherit else list(AUDIENCES)), label="audience")
        named: list[str] = []
        if audience == "vertrouwelijk":
            members = sorted(self.model.members())
            named = sorted(data.draw(st.sets(st.sampled_from(members), max_size=3), label="named"))
        return audience, named

    def sharing(self, choice: tuple[str | None, list[str]]) -> dict[str, Any]:
        """The arguments a service takes for an audience chosen with ``audience``."""
        audience, named = choice
        return {"audience": audience, "shared_with": self.ids(named) or None}

    def ids(self, keys: list[str]) -> list[int]:
        return [self.user_ids[k] for k in keys]

    def shared(
        self, actor: str, audience: str | None, named: list[str], like: Obj | None
    ) -> tuple[str, frozenset[str]]:
        """Who an item is shared with after ``share``: its own audience (the actor always named on a
        vertrouwelijk one), or its whole's."""
        if audience is None:
            assert like is not None
            return like.audience or "overleg", like.named
        if audience == "vertrouwelijk":
            return audience, frozenset(named) | {actor}
        return audience, frozenset()

    def add_shared(
        self, table: str, ident: int, actor: str, choice: tuple[str | None, list[str]], like: Obj | None, **parts: Any
    ) -> Obj:
        """A new object of the model, shared as ``choice`` said (or as ``like``, when it named no audience)."""
        audience, named = self.shared(actor, *choice, like)
        return self.model.add(Obj(table, ident, audience=audience, named=named, **parts))

    def reshared(self, obj: Obj, actor: str, choice: tuple[str | None, list[str]]) -> None:
        """An edit that named an audience shares ``obj`` anew; without one it keeps its own."""
        if choice[0] is not None:
            obj.audience, obj.named = self.shared(actor, *choice, None)

    def touch(self, *objs: Obj | None) -> None:
        self.touched |= {o for o in objs if o is not None}

    def written(self, obj: Obj, **values: str) -> None:
        """Each marker is now the value of the field it is named by; what it replaces is past, and searched
        for by who may not read it."""
        for field, value in values.items():
            replaced = [m.text for m in self.model.current_markers(obj) if m.field == field]
            self.model.write(obj, field, value)
            self.searched.extend(replaced)

    def body(self) -> Any:
        from meetings.models import Body

        return db.session.get(Body, self.body_id)

    def create(self, work: Callable[[], Any]) -> Any:
        """``act`` for a step that makes a row: the new row's id, or ``REFUSED``."""

        def make() -> Any:
            row = work()
            db.session.flush()
            return row.id

        return self.act(make)

    def did(self, service: Callable[..., Any], obj: Obj, actor: str, **arguments: Any) -> bool:
        """Whether ``actor`` could do ``service`` to ``obj`` (the app refused nothing)."""
        return self.act(lambda: service(self.user(actor), self.get(obj), **arguments)) is not REFUSED

    def removed(self, service: Callable[..., Any], obj: Obj, actor: str) -> None:
        if self.did(service, obj, actor):
            self.model.delete(obj)
            self.touch(obj)

    # --- meetings --------------------------------------------------------------------------------------

    def _meeting_day(self) -> date:
        """The next half-year without a cycle, at least a week ahead."""
        while True:
            slot = next(self.slots)
            day = date(self.start.year + slot // 2, 3 if slot % 2 == 0 else 9, 10)
            if day > self.today() + timedelta(days=7):
                return day

    @initialize(data=st.data())
    def first_meeting(self, data: Any) -> None:
        """A meeting to work in; perhaps one already held, its besluitenlijst out for comments or adopted,
        and then the next one under way with a decision that amends one of the adopted meeting's, so
        that what needs a past (comments on a decision, a link to the decision it amends) is at hand or a
        step away, not twenty.

        The app refuses many a random choice here (an item wider than its meeting, a regio-only item by the
        Rijk secretariat): each item, decision and the next meeting is tried a few times, else most runs
        would start with nothing held (measured: 33 of 61 'held' starts had no decision, and none reached an
        amending one)."""
        self.create_meeting(data)
        if not (self.model.of("meetings") and data.draw(st.booleans(), label="held already")):
            return
        held = self.model.of("meetings")[0]
        for _ in range(data.draw(st.integers(1, 3), label="items")):
            self._tried(lambda: self.add_item(data, meetings=[held]), "agenda_items")
        self.publish_agenda(data)
        for _ in range(data.draw(st.integers(1, 3), label="decisions")):
            if items := [i for i in self._on_published_agendas() if i.meeting is held]:
                self._tried(lambda: self.add_decision(data, items=items), "decisions")
        if self._meetings("concept", published=True):
            self.publish_besluitenlijst(data)
        if not (self._meetings("ter_commentaar") and data.draw(st.booleans(), label="adopted")):
            return
        self.adopt_besluitenlijst(data)
        if held.status != "vastgesteld":
            return
        # The body's next meeting, which both sides attend (a link from it to a one-sided decision is what a
        # reader of the other side must not get).
        self._tried(lambda: self.create_meeting(data, audiences=["overleg", "openbaar"]), "meetings")
        following = self.model.of("meetings")[-1]
        if following is held:
            return
        self._tried(lambda: self.add_item(data, meetings=[following]), "agenda_items")
        self.publish_agenda(data)
        if items := [i for i in self._on_published_agendas() if i.meeting is following]:
            self._tried(lambda: self.add_decision(data, items=items, amending=True), "decisions")

    def _tried(self, step: Callable[[], None], table: str, attempts: int = 3) -> None:
        """``step`` until it adds a row to ``table``, at most ``attempts`` times."""
        before = len(self.model.of(table))
        for _ in range(attempts):
            step()
            if len(self.model.of(table)) > before:
                return

    @precondition(lambda self: len(self.model.of("meetings")) < MEETINGS)
    @rule(data=st.data())
    def create_meeting(self, data: Any, audiences: list[str] | None = None) -> None:
        from meetings.services import cycles

        audience = self.draw(data, audiences or ["overleg", "openbaar", "rijk", "regio"], "meeting audience")
        actor = (
            "regio_sec"
            if audience == "regio"
            else "sec"
            if audience == "rijk"
            else self.draw(data, ["sec", "regio_sec"], "actor")
        )
        day = self._meeting_day()
        (location, location_text), (chair, chair_text), (kenmerk, _k) = text("Zaal"), text("Voorzitter"), text("")

        def work() -> Any:
            cycle = cycles.create_cycle(
                self.user(actor),
                self.body(),
                meeting_date=day,
                start_time=time(10),
                end_time=time(12),
                location=location_text,
                chair=chair_text,
                audience=audience,
                kenmerk=kenmerk,
                standing_items=False,
            )
            db.session.flush()
            return cycle.id, cycle.meetings[0].id, [m.id for m in cycle.milestones]

        done = self.act(work)
        if done is REFUSED:
            return
        cycle_id, meeting_id, milestones = done
        meeting = self.model.add(Obj("meetings", meeting_id, audience=audience))
        meeting.extra.update(day=day, actor=actor)
        cycle = self.model.add(Obj("cycles", cycle_id, scaffolding=True, whole=meeting, meeting=meeting))
        meeting.extra["cycle"] = cycle
        for ident in milestones:
            self.model.add(Obj("milestones", ident, scaffolding=True, whole=meeting, meeting=meeting))
        self.written(meeting, location=location, chair=chair, kenmerk=kenmerk)
        self.touch(meeting, cycle)

    @precondition(lambda self: self.model.of("meetings"))
    @rule(data=st.data())
    def edit_meeting(self, data: Any) -> None:
        from meetings.services import cycles

        if not (picked := self.managed(data, self.model.of("meetings"), "meeting")):
            return
        meeting, actor = picked
        location, location_text = text("Zaal")

        def work() -> None:
            row = self.get(meeting)
            cycles.update_meeting(
                self.user(actor),
                row,
                meeting_date=meeting.extra["day"],
                start_time=time(10),
                end_time=time(12),
                location=location_text,
                chair=row.chair,
            )

        if self.act(work) is not REFUSED:
            self.written(meeting, location=location)
            self.touch(meeting)

    @precondition(lambda self: self.model.of("meetings"))
    @rule(data=st.data())
    def record_attendance(self, data: Any) -> None:
        """Who replaced whom: scaffolding, seen with its meeting (finding 2)."""
        from meetings.models import Attendance
        from meetings.services import cycles

        if not (picked := self.managed(data, self.model.of("meetings"), "meeting")):
            return
        meeting, actor = picked
        seat = self.draw(data, self.seats, "seat")
        replaced, replaced_text = text("Vervanger")
        self.move_clock(meeting.extra["day"])

        def work() -> int:
            row = self.get(meeting)
            cycles.record_attendance(
                self.user(actor), row, entries=[{"seat_id": seat, "status": "vervangen", "replaced_by": replaced_text}]
            )
            db.session.flush()
            return db.session.scalars(
                select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.seat_id == seat)
            ).one()

        ident = self.act(work)
        if ident is REFUSED:
            return
        attendance = self.model.find("attendances", ident) or self.model.add(
            Obj("attendances", ident, scaffolding=True, whole=meeting, meeting=meeting)
        )
        self.written(attendance, replaced_by=replaced)
        self.touch(attendance, meeting)

    # --- the agenda ------------------------------------------------------------------------------------

    @precondition(lambda self: self.model.of("meetings"))
    @rule(data=st.data())
    def add_item(self, data: Any, meetings: list[Obj] | None = None) -> None:
        from meetings.services import agenda

        if not (picked := self.managed(data, meetings or self.model.of("meetings"), "meeting")):
            return
        meeting, actor = picked
        choice = self.audience(data)
        organisation = self.draw(data, [None, "EZK", "Prov. Noord-Brabant", "Gem. Eindhoven"], "brought in by")
        kind = self.draw(data, KINDS, "kind")
        (title, title_text), (description, description_text) = text("Punt"), text("Toelichting")
        ident = self.create(
            lambda: agenda.add_agenda_item(
                self.user(actor),
                self.get(meeting),
                title=title_text,
                kind=kind,
                description=description_text,
                organisation_id=self.organisations.get(organisation) if organisation else None,
                **self.sharing(choice),
            )
        )
        if ident is REFUSED:
            return
        item = self.add_shared("agenda_items", ident, actor, choice, meeting, whole=meeting, meeting=meeting)
        item.extra["organisation"] = organisation
        self.written(item, title=title, description=description)
        self.touch(item)

    @precondition(lambda self: self.model.of("agenda_items"))
    @rule(data=st.data())
    def edit_item(self, data: Any) -> None:
        """New text, and perhaps a wider or narrower audience (or other people named)."""
        from meetings.services import agenda

        if not (picked := self.managed(data, self.model.of("agenda_items"), "item")):
            return
        item, actor = picked
        choice = self.audience(data)
        new_title = data.draw(st.booleans(), label="new title")
        (title, title_text), (description, description_text) = text("Punt"), text("Toelichting")
        organisation = item.extra.get("organisation")

        def work() -> None:
            row = self.get(item)
            agenda.update_agenda_item(
                self.user(actor),
                row,
                title=title_text if new_title else row.title,
                kind=row.kind,
                description=description_text,
                organisation_id=self.organisations.get(organisation) if organisation else None,
                **self.sharing(choice),
            )

        if self.act(work) is REFUSED:
            return
        self.reshared(item, actor, choice)
        self.written(item, **({"title": title} if new_title else {}), description=description)
        self.touch(item)

    @precondition(lambda self: self.model.of("agenda_items"))
    @rule(data=st.data())
    def move_item(self, data: Any) -> None:
        from meetings.services import agenda

        if not (picked := self.managed(data, self.model.of("agenda_items"), "item")):
            return
        item, actor = picked
        position = data.draw(st.integers(1, 4), label="position")
        if self.did(agenda.move_agenda_item, item, actor, position=position):
            self.touch(item)

    @precondition(lambda self: self.model.of("agenda_items"))
    @rule(data=st.data())
    def remove_item(self, data: Any) -> None:
        from meetings.services import agenda

        if picked := self.managed(data, self.model.of("agenda_items"), "item"):
            self.removed(agenda.remove_agenda_item, *picked)

    @precondition(lambda self: self.model.of("meetings"))
    @rule(data=st.data())
    def add_progress_item(self, data: Any) -> None:
        """The item that lists the open actions: its page shows cases of the body."""
        from meetings.services import agenda

        if not (picked := self.managed(data, self.model.of("meetings"), "meeting")):
            return
        meeting, actor = picked
        ident = self.create(lambda: agenda.add_progress_item(self.user(actor), self.get(meeting)))
        if ident is not REFUSED:
            shared = {"audience": meeting.audience, "named": meeting.named}
            self.touch(self.model.add(Obj("agenda_items", ident, whole=meeting, meeting=meeting, **shared)))

    def _unpublished(self) -> list[Obj]:
        return [m for m in self.model.of("meetings") if not m.agenda_published]

    @precondition(lambda self: self._unpublished())
    @rule(data=st.data())
    def publish_agenda(self, data: Any) -> None:
        from meetings.services import agenda

        if not (picked := self.managed(data, self._unpublished(), "meeting")):
            return
        meeting, actor = picked
        if self.did(agenda.publish_agenda, meeting, actor):
            meeting.agenda_published = True
            self.touch(meeting, *[o for o in self.model.live() if o.meeting is meeting])

    @precondition(lambda self: self.model.of("meetings"))
    @rule(data=st.data())
    def add_document(self, data: Any) -> None:
        """A PDF whose title, file name and text each carry a marker; on the meeting or one of its items,
        uploaded by the secretariat or by a member of the organisation that brought the item in."""
        from demo.pdf import text_pdf
        from meetings.services import agenda

        meeting = self.draw(data, self.model.of("meetings"), "meeting")
        items = [i for i in self.model.of("agenda_items") if i.meeting is meeting]
        item = self.draw(data, [None, *items], "item")
        whole = item or meeting
        bringers = [
            p
            for p in self.participants(whole)
            if item is not None
            and item.extra.get("organisation")
            and self.model.people[p].organisation == str(self.organisations.get(str(item.extra["organisation"])))
        ]
        actors = [*self.secretaries(whole), *bringers]
        if not actors:
            return
        actor = self.draw(data, actors, "actor")
        choice = self.audience(data)
        (title, title_text), (content, content_text) = text("Stuk"), text("Inhoud")
        filename = marker(next(_numbers))
        ident = self.create(
            lambda: agenda.add_document(
                self.user(actor),
                self.get(meeting),
                title=title_text,
                filename=f"{filename}.pdf",
                content=text_pdf(title_text, [content_text]),
                agenda_item=self.get(item) if item is not None else None,
                **self.sharing(choice),
            )
        )
        if ident is REFUSED:
            return
        document = self.add_shared("documents", ident, actor, choice, whole, whole=whole, meeting=meeting)
        self.written(document, title=title, content=content, filename=filename)
        self.uploaded = True
        self.touch(document)

    @precondition(lambda self: self.model.of("documents"))
    @rule(data=st.data())
    def remove_document(self, data: Any) -> None:
        from meetings.services import agenda

        if picked := self.managed(data, self.model.of("documents"), "document"):
            self.removed(agenda.remove_document, *picked)

    # --- decisions and the besluitenlijst ------------------------------------------------------------

    def _on_published_agendas(self) -> list[Obj]:
        return [i for i in self.model.of("agenda_items") if i.meeting.agenda_published]

    @precondition(lambda self: self._on_published_agendas())
    @rule(data=st.data())
    def add_decision(self, data: Any, items: list[Obj] | None = None, *, amending: bool = False) -> None:
        """On the meeting's day or later; perhaps amending an adopted decision of an earlier meeting.
        ``amending``: certainly, by a secretary who may see the decision it amends (the app refuses the
        others, which the rule's random secretary tries often enough)."""
        from meetings.services import decisions

        item = self.draw(data, items or self._on_published_agendas(), "item")
        adopted = [
            d for d in self.model.of("decisions") if d.meeting.status == "vastgesteld" and d.meeting is not item.meeting
        ]
        amends = self.draw(data, adopted if amending and adopted else [None, *adopted], "amends")
        actors = [p for p in self.secretaries(item) if not amending or amends is None or self.model.sees(p, amends)]
        if not actors:
            return
        actor = self.draw(data, actors, "actor")
        choice = self.audience(data)
        decided, decided_text = text("Besluit")
        self.move_clock(item.meeting.extra["day"])
        ident = self.create(
            lambda: decisions.add_decision(
                self.user(actor),
                self.get(item),
                text=decided_text,
                amends_id=amends.id if amends is not None else None,
                **self.sharing(choice),
            )
        )
        if ident is REFUSED:
            return
        decision = self.add_shared("decisions", ident, actor, choice, item, whole=item, meeting=item.meeting)
        self.written(decision, text=decided)
        self.touch(decision, amends)

    def _concept_decisions(self) -> list[Obj]:
        return [d for d in self.model.of("decisions") if d.meeting.status == "concept"]

    @precondition(lambda self: self._concept_decisions())
    @rule(data=st.data())
    def edit_decision(self, data: Any) -> None:
        from meetings.services import decisions

        if not (picked := self.managed(data, self._concept_decisions(), "decision")):
            return
        decision, actor = picked
        choice = self.audience(data)
        decided, decided_text = text("Besluit")
        if self.did(decisions.update_decision, decision, actor, text=decided_text, **self.sharing(choice)):
            self.reshared(decision, actor, choice)
            self.written(decision, text=decided)
            self.touch(decision)

    @precondition(lambda self: self._concept_decisions())
    @rule(data=st.data())
    def remove_decision(self, data: Any) -> None:
        from meetings.services import decisions

        if picked := self.managed(data, self._concept_decisions(), "decision"):
            self.removed(decisions.remove_decision, *picked)

    def _meetings(self, status: str, *, published: bool = False) -> list[Obj]:
        return [m for m in self.model.of("meetings") if m.status == status and (m.agenda_published or not published)]

    @precondition(lambda self: self._meetings("concept", published=True))
    @rule(data=st.data())
    def publish_besluitenlijst(self, data: Any) -> None:
        """Out for comments: the decisions, and the actions that follow from them, become visible."""
        from meetings.services import decisions

        if not (picked := self.managed(data, self._meetings("concept", published=True), "meeting")):
            return
        meeting, actor = picked
        self.move_clock(meeting.extra["day"])
        deadline = self.today() + timedelta(days=data.draw(st.integers(1, 14), label="days to comment"))
        if not self.did(decisions.publish_besluitenlijst, meeting, actor, comments_deadline=deadline):
            return
        meeting.status = "ter_commentaar"
        meeting.extra["deadline"] = deadline
        self.touch(meeting, *[o for o in self.model.live() if o.meeting is meeting])
        self.touch(*[c for c in self.model.of("cases") if c.decision is not None and c.decision.meeting is meeting])

    def _open_for_comments(self) -> list[Obj]:
        return [d for d in self.model.of("decisions") if d.meeting.status == "ter_commentaar"]

    @precondition(lambda self: self._open_for_comments())
    @rule(data=st.data())
    def comment(self, data: Any) -> None:
        from meetings.services import decisions

        decision = self.draw(data, self._open_for_comments(), "decision")
        actors = self.participants(decision)
        if not actors:
            return
        actor = self.draw(data, sorted(actors), "actor")
        said, said_text = text("Reactie")
        ident = self.create(lambda: decisions.comment_on_decision(self.user(actor), self.get(decision), text=said_text))
        if ident is REFUSED:
            return
        organisation = self.model.people[actor].organisation
        comment = Obj("decision_comments", ident, decision=decision, organisation=organisation)
        comment.meeting = decision.meeting
        self.written(self.model.add(comment), text=said)
        self.touch(comment, decision)

    def _unsettled(self) -> list[Obj]:
        return [c for c in self.model.of("decision_comments") if not c.extra.get("settled")]

    @precondition(lambda self: self._unsettled())
    @rule(data=st.data())
    def settle_comment(self, data: Any) -> None:
        """Take the comment over (a new text for the decision) or answer it."""
        from meetings.services import decisions

        comment = self.draw(data, self._unsettled(), "comment")
        assert comment.decision is not None
        actors = self.secretaries(comment.decision)
        if not actors:
            return
        actor = self.draw(data, actors, "actor")
        take_over = data.draw(st.booleans(), label="take over")
        answer, answer_text = text("Antwoord")
        if not self.did(
            decisions.handle_comment,
            comment,
            actor,
            outcome="overgenomen" if take_over else "beantwoord",
            response=answer_text,
            new_text=answer_text if take_over else None,
        ):
            return
        comment.extra["settled"] = True
        self.written(comment, response=answer)
        if take_over:
            self.model.markers[answer].append(_copy(self.model, answer, comment.decision, "text"))
        self.touch(comment, comment.decision)

    @precondition(lambda self: self._meetings("ter_commentaar"))
    @rule(data=st.data())
    def adopt_besluitenlijst(self, data: Any) -> None:
        """Vaststellen, the day after the comments closed."""
        from meetings.services import decisions

        if not (picked := self.managed(data, self._meetings("ter_commentaar"), "meeting")):
            return
        meeting, actor = picked
        self.move_clock(meeting.extra["deadline"] + timedelta(days=1))
        if self.did(decisions.adopt_besluitenlijst, meeting, actor):
            meeting.status = "vastgesteld"
            self.touch(meeting, *[o for o in self.model.live() if o.meeting is meeting])

    # --- minutes -------------------------------------------------------------------------------------

    @precondition(lambda self: self.model.of("meetings"))
    @rule(data=st.data())
    def save_minutes(self, data: Any) -> None:
        from meetings.services import decisions

        if not (picked := self.managed(data, self.model.of("meetings"), "meeting")):
            return
        meeting, actor = picked
        choice = self.audience(data)
        written, written_text = text("Verslag")
        # The secretary is one who may see the meeting; its minutes may be another side's, or vertrouwelijk.
        present = next((m for m in self.model.of("minutes") if m.meeting is meeting), None)
        ident = self.create(
            lambda: decisions.save_minutes(
                self.user(actor), self.get(meeting), text=written_text, **self.sharing(choice)
            )
        )
        if ident is REFUSED:
            return
        if present is not None and not self.model.sees(actor, present):
            # Writing over what one may not read is a leak in the other direction.
            raise Leak(("write", actor, "minutes"), f"WRITE: {actor} wrote over minutes/{present.id}, hidden from them")
        minutes = self.model.find("minutes", ident)
        if minutes is None:
            minutes = self.add_shared("minutes", ident, actor, choice, meeting, whole=meeting, meeting=meeting)
        else:
            self.reshared(minutes, actor, choice)
        self.written(minutes, text=written)
        self.touch(minutes)

    def _unadopted_minutes(self) -> list[Obj]:
        return [m for m in self.model.of("minutes") if m.status != "vastgesteld"]

    @precondition(lambda self: self._unadopted_minutes())
    @rule(data=st.data())
    def minutes_onward(self, data: Any) -> None:
        """Share the draft minutes with the members, or adopt shared ones."""
        from meetings.services import decisions

        if not (picked := self.managed(data, self._unadopted_minutes(), "minutes")):
            return
        minutes, actor = picked
        step = decisions.share_minutes if minutes.status == "concept" else decisions.adopt_minutes
        if self.did(step, minutes, actor):
            minutes.status = "ter_commentaar" if minutes.status == "concept" else "vastgesteld"
            self.touch(minutes)

    # --- notes ---------------------------------------------------------------------------------------

    @rule(data=st.data())
    def add_note(self, data: Any) -> None:
        """A member's note on the body, a meeting or an agenda item; by default for the author's side."""
        from meetings.services import notes

        if (actor := self.member(data)) is None:
            return
        choice = self.audience(data)
        targets = [None, *[o for o in self.model.live(("meetings", "agenda_items")) if self.model.sees(actor, o)]]
        target = self.draw(data, targets, "on")
        (title, title_text), (said, said_text) = text("Notitie"), text("Notitietekst")

        def work() -> Any:
            row = self.get(target) if target is not None else None
            return notes.add_note(
                self.user(actor),
                self.body(),
                title=title_text,
                text=said_text,
                meeting=row if target is not None and target.table == "meetings" else None,
                agenda_item=row if target is not None and target.table == "agenda_items" else None,
                **self.sharing(choice),
            )

        ident = self.create(work)
        if ident is REFUSED:
            return
        note = self.add_shared("notes", ident, actor, choice, self._side(actor))
        note.extra["author"] = actor
        self.written(note, title=title, text=said)
        self.touch(note, target)

    def _side(self, person: str) -> Obj:
        """What a note or nota without an audience of its own is shared like: its author's side."""
        return Obj("", 0, audience=self.model.people[person].side)

    @precondition(lambda self: self.model.of("notes"))
    @rule(data=st.data())
    def edit_note(self, data: Any) -> None:
        """The author rewrites a note: wider, narrower, or shared with other people."""
        from meetings.services import notes

        note = self.draw(data, self.model.of("notes"), "note")
        actor = str(note.extra["author"])
        audience, named = choice = self.audience(data)
        (title, title_text), (said, said_text) = text("Notitie"), text("Notitietekst")
        if not self.did(notes.update_note, note, actor, title=title_text, text=said_text, **self.sharing(choice)):
            return
        # Without an audience the note keeps its own; a vertrouwelijk one is shared anew (with whom is named).
        note.audience, note.named = self.shared(actor, audience or note.audience, named, None)
        self.written(note, title=title, text=said)
        self.touch(note)

    @precondition(lambda self: self.model.of("notes"))
    @rule(data=st.data())
    def remove_note(self, data: Any) -> None:
        from meetings.services import notes

        note = self.draw(data, self.model.of("notes"), "note")
        self.removed(notes.remove_note, note, str(note.extra["author"]))

    # --- cases ---------------------------------------------------------------------------------------

    @rule(data=st.data())
    def follow_up(self, data: Any) -> None:
        """An action or commitment, from a decision (released with it: issue 16, bug 1) or from a debate."""
        from cases.services.cases import create_follow_up

        decision = self.draw(data, [None, *self.model.of("decisions")], "decision")
        actors = self.secretaries(decision)
        if not actors:
            return
        actor = self.draw(data, actors, "actor")
        choice = self.audience(data, inherit=decision is not None)
        owner = self.draw(data, ["EZK", "Prov. Noord-Brabant", "Gem. Eindhoven", "OCW"], "owner")
        kind = self.draw(data, ["actiepunt", "toezegging"], "type")
        (title, title_text), (said, said_text) = text("Actie"), text("Actietekst")
        ident = self.create(
            lambda: create_follow_up(
                self.user(actor),
                self.body(),
                case_type=kind,
                title=title_text,
                description=said_text,
                owner_organisation_id=self.organisations[owner],
                due_date=self.today() + timedelta(days=30),
                decision=self.get(decision) if decision is not None else None,
                **self.sharing(choice),
            )
        )
        if ident is REFUSED:
            return
        if choice[0] is None and decision is None:
            choice = ("overleg", choice[1])
        case = self.add_shared("cases", ident, actor, choice, decision, decision=decision)
        case.extra.update(type=kind, owner=str(self.organisations[owner]), author=actor)
        self.written(case, title=title, description=said)
        self.touch(case, decision)

    @rule(data=st.data())
    def write_nota(self, data: Any) -> None:
        """A member writes a nota, by default for their own side."""
        from cases.services.cases import create_nota

        if (actor := self.member(data)) is None:
            return
        choice = self.audience(data)
        (title, title_text), (said, said_text), (kenmerk, _k) = text("Nota"), text("Notatekst"), text("")
        ident = self.create(
            lambda: create_nota(
                self.user(actor),
                self.body(),
                title=title_text,
                kenmerk=kenmerk,
                description=said_text,
                **self.sharing(choice),
            )
        )
        if ident is REFUSED:
            return
        nota = self.add_shared("cases", ident, actor, choice, self._side(actor))
        nota.extra.update(type="nota", owner=self.model.people[actor].organisation, author=actor)
        self.written(nota, title=title, description=said, kenmerk=kenmerk)
        self.touch(nota)

    def _notas(self) -> list[Obj]:
        return [c for c in self.model.of("cases") if c.extra.get("type") == "nota"]

    @precondition(lambda self: self._notas())
    @rule(data=st.data())
    def edit_nota(self, data: Any) -> None:
        """The author changes the text, or puts someone on the parafenroute (in a function that carries a
        marker)."""
        from cases.services import nota as notas

        nota = self.draw(data, self._notas(), "nota")
        actor = str(nota.extra["author"])
        (title, title_text), (said, said_text) = text("Nota"), text("Notatekst")
        route = data.draw(st.booleans(), label="route")
        person = self.draw(data, sorted(self.model.members()), "signatory")
        capacity, capacity_text = text("Functie")
        decides = data.draw(st.booleans(), label="decides")

        def work() -> None:
            row = self.get(nota)
            if route:
                notas.add_route_step(
                    self.user(actor), row, user_id=self.user_ids[person], capacity=capacity_text, decides=decides
                )
            else:
                notas.edit_nota(self.user(actor), row, title=title_text, kenmerk=row.kenmerk, description=said_text)

        if self.act(work) is REFUSED:
            return
        if route:
            self.model.event(nota, "route", capacity)
        else:
            self.written(nota, title=title, description=said)
        self.touch(nota)

    @rule(data=st.data())
    def request_agenda_item(self, data: Any) -> None:
        """An agenda request, for the whole table, to the next cycle the whole table may see."""
        from cases.services.cases import submit_agenda_request

        if (actor := self.member(data)) is None:
            return
        kind = self.draw(data, KINDS, "kind")
        (title, title_text), (said, said_text) = text("Verzoek"), text("Verzoektekst")
        ident = self.create(
            lambda: submit_agenda_request(
                self.user(actor), self.body(), title=title_text, description=said_text, requested_kind=kind
            )
        )
        if ident is REFUSED:
            return
        request = self.model.add(Obj("cases", ident, audience="overleg"))
        request.extra.update(type="agendaverzoek", owner=self.model.people[actor].organisation, author=actor)
        self.written(request, title=title, description=said)
        self.touch(request)

    @precondition(lambda self: self.model.of("cases"))
    @rule(data=st.data())
    def case_step(self, data: Any) -> None:
        """A step of a case's workflow, by whoever may take it (the app refuses the others), with a reason
        that carries a marker."""
        from cases import engine
        from cases.models import Case, CaseEvent
        from cases.workflows import WORKFLOWS

        case = self.draw(data, self.model.of("cases"), "case")
        with in_app(self.app):
            row = db.session.get(Case, case.id)
            transitions = [t.name for t in WORKFLOWS[row.type].from_state(row.state)]
            items_before = row.agenda_item_id
        if not transitions:
            return
        name = self.draw(data, transitions, "step")
        actor = self.anyone_who_sees(data, case)
        reason, reason_text = text("Reden")
        due = self.today() + timedelta(days=data.draw(st.integers(10, 90), label="days"))

        def work() -> tuple[int, int | None]:
            row = db.session.get(Case, case.id)
            details = {"due_date": due} if name == "uitstel_aanvragen" else None
            event = engine.fire(self.user(actor), row, name, reason=reason_text, details=details)
            db.session.flush()
            assert isinstance(event, CaseEvent)
            return event.id, row.agenda_item_id

        done = self.act(work)
        if done is REFUSED:
            return
        event_id, item_id = done
        self.model.add(Obj("case_events", event_id, scaffolding=True, whole=case))
        self.model.event(case, "reason", reason)
        self.touch(case)
        if item_id is not None and item_id != items_before:
            self._agendeerd(case, item_id)

    def _agendeerd(self, request: Obj, item_id: int) -> None:
        """Agenderen made an agenda item of the request (for the whole table): its title and text are the
        request's, so they are readable through either."""
        from meetings.models import AgendaItem

        with in_app(self.app):
            meeting_id = db.session.get(AgendaItem, item_id).meeting_id
        meeting = self.model.find("meetings", meeting_id)
        assert meeting is not None, "a request was put on a meeting the hunt did not make"
        item = self.model.add(Obj("agenda_items", item_id, audience="overleg", whole=meeting, meeting=meeting))
        item.extra["organisation"] = None
        for field in ("title", "description"):
            current = next(m for m in self.model.current_markers(request) if m.field == field)
            self.model.markers[current.text].append(_copy(self.model, current.text, item, field))
        self.touch(item)

    @precondition(lambda self: self.model.of("cases"))
    @rule(data=st.data())
    def report_progress(self, data: Any) -> None:
        """A progress note, perhaps with a file (whose name and text carry markers too)."""
        from cases.models import Case, CaseAttachment
        from cases.services.cases import add_progress_note
        from demo.pdf import text_pdf
        from meetings.storage import Upload

        case = self.draw(data, self.model.of("cases"), "case")
        actor = self.anyone_who_sees(data, case)
        with_file = data.draw(st.booleans(), label="with a file")
        (said, said_text), (content, content_text) = text("Voortgang"), text("Bijlage")
        filename = marker(next(_numbers))

        def work() -> tuple[int, list[int]]:
            files = [Upload(f"{filename}.pdf", text_pdf(filename, [content_text]))] if with_file else None
            event = add_progress_note(self.user(actor), db.session.get(Case, case.id), text=said_text, files=files)
            db.session.flush()
            return event.id, list(
                db.session.scalars(select(CaseAttachment.id).where(CaseAttachment.event_id == event.id))
            )

        done = self.act(work)
        if done is REFUSED:
            return
        event_id, attachments = done
        self.model.add(Obj("case_events", event_id, scaffolding=True, whole=case))
        self.model.event(case, "progress", said)
        for ident in attachments:
            attachment = self.model.add(Obj("case_attachments", ident, scaffolding=True, whole=case))
            self.written(attachment, filename=filename, content=content)
        self.touch(case)

    @rule(data=st.data())
    def open_dossier(self, data: Any) -> None:
        from cases.services.dossiers import create_dossier

        actor = self.draw(data, self.secretaries(), "actor")
        choice = self.audience(data, inherit=False)
        (title, title_text), (said, said_text) = text("Dossier"), text("Dossiertekst")
        ident = self.create(
            lambda: create_dossier(
                self.user(actor), self.body(), title=title_text, description=said_text, **self.sharing(choice)
            )
        )
        if ident is REFUSED:
            return
        dossier = self.add_shared("cases", ident, actor, choice, None)
        dossier.extra.update(type="dossier", author=actor)
        self.written(dossier, title=title, description=said)
        self.touch(dossier)

    def _dossiers(self) -> list[Obj]:
        return [c for c in self.model.of("cases") if c.extra.get("type") == "dossier"]

    @precondition(lambda self: self._dossiers())
    @rule(data=st.data())
    def link_to_dossier(self, data: Any) -> None:
        """The dossier's timeline then names the item: only to who may see both."""
        from cases.services.dossiers import link

        dossier = self.draw(data, self._dossiers(), "dossier")
        targets = [o for o in self.model.live(("agenda_items", "decisions", "cases")) if o is not dossier]
        if not targets:
            return
        target = self.draw(data, targets, "target")
        actors = self.secretaries(dossier)
        if not actors:
            return
        actor = self.draw(data, actors, "actor")
        field = {"agenda_items": "agenda_item_id", "decisions": "decision_id", "cases": "case_id"}[target.table]
        if self.did(link, dossier, actor, **{field: target.id}):
            self.touch(dossier, target)

    # --- people --------------------------------------------------------------------------------------

    @rule(data=st.data())
    def change_membership(self, data: Any) -> None:
        """The beheerder gives someone another role in BO-Brainport, or takes their role away (their
        names on vertrouwelijk items stay, and count again if they come back)."""
        from auth.models import Membership
        from meetings.services.bodies import remove_member, set_member_role

        person = self.draw(data, FLEXIBLE, "person")
        role = self.draw(data, [None, *ROLES], "role")

        def work() -> None:
            beheer = self.user("beheer")
            if role is None:
                membership = db.session.scalars(
                    select(Membership).where(
                        Membership.user_id == self.user_ids[person], Membership.body_id == self.body_id
                    )
                ).one_or_none()
                if membership is None:
                    raise DomainError("no member")
                remove_member(beheer, membership)
            else:
                set_member_role(beheer, self.body(), user_id=self.user_ids[person], role=role)

        if self.act(work) is REFUSED:
            return
        self.model.roles[person] = role
        self.changed_personas.add(person)

    @rule(days=st.integers(1, 60))
    def time_passes(self, days: int) -> None:
        """Reminders come due, comment terms close, meetings come and go."""
        self.move_clock(self.today() + timedelta(days=days))

    # --- reading -------------------------------------------------------------------------------------

    @invariant()
    def nothing_leaks(self) -> None:
        # Hypothesis checks invariants after every step (not before the initialize rule has run).
        self.steps += 1
        self.figures.steps += 1
        self._check(final=False)

    def _check(self, *, final: bool) -> None:
        try:
            self._read(final=final)
        except Leak as leak:
            self.failed = True
            if self.figures.first_failure_step is None:
                self.figures.first_failure_step = self.figures.steps
                self.figures.failure = str(leak)
            self.figures.focus = leak.signature
            if current_build_context().is_final:
                self.figures.final_steps = self.steps
            raise

    def _read(self, *, final: bool) -> None:
        started = perf_counter()
        try:
            self._read_all(final=final)
        finally:
            self.figures.cost("(reading after steps)", started)

    def _read_all(self, *, final: bool) -> None:
        self.model.seal()
        # The run's end reads everything, unless the last step's sweep just did (nothing happened since).
        sweep = self.swept != self.steps if final else self.steps % self.sweep_every == 0
        focus = self.figures.focus
        started = perf_counter()
        with in_app(self.app):
            # Once a leak is found, shrinking replays the steps many times: only what that check needs.
            if self.uploaded and sweep and (focus is None or focus[-1] == "search.search"):
                from meetings.jobs.documents import read_texts

                # As the scheduler would: the uploads get their text (for search, which the sweeps read).
                read_texts("hunt", everything=True)
                self.uploaded = False
            if focus is None or focus[0] == "mail" or focus[-1].startswith("notify."):
                self._mail()
        self.figures.cost("(scheduler: texts and mail)", started)
        personas = list(READERS)
        reader = self.reader
        if sweep:
            reader.sweep(personas)
            self._audit_exports(personas)
            self.swept = self.steps
        else:
            reader.quick(personas, self.model.around(self.touched))
            if self.changed_personas:
                reader.sweep(sorted(self.changed_personas))
                self._audit_exports(sorted(self.changed_personas))
        # Search for what was just replaced, as who may not read it (an index that kept old text).
        for text in self.searched:
            for persona in personas:
                if not self.model.may_read(persona, text):
                    reader.search(persona, text)
        if final:
            for text in sorted(self.model.markers):
                past = not any(m.current and not m.obj.deleted for m in self.model.markers[text])
                for persona in personas:
                    if past and not self.model.may_read(persona, text):
                        reader.search(persona, text)
        self.touched, self.searched, self.changed_personas = set(), [], set()

    def _audit_exports(self, personas: list[str]) -> None:
        with in_app(self.app):
            connection = db.session.connection()
            for persona in personas:
                self.reader.audit_export(persona, self.user(persona), connection, self.start)

    def _mail(self) -> None:
        """What the scheduler would send now: plan what is due and compose every message as its recipient
        may see things (the test wraps ``notify.services._compose`` to keep what it wrote); judge each."""
        from notify import services

        services.plan_due()
        services.dispatch("hunt")
        people = {ident: key for key, ident in self.user_ids.items()}
        composed, CAPTURED[:] = list(CAPTURED), []
        for notification_id, recipient, kind, subject, body, attachments in composed:
            self.reader.notifications.append(notification_id)
            self.reader.mail(people.get(recipient), kind, subject, body, list(attachments))


#: Every message composed, as (notification, recipient id, kind, subject, text, attachments).
CAPTURED: list[tuple[int, int, str, str, str, tuple[Any, ...]]] = []


def capturing(compose: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``notify.services._compose`` that also keeps what it wrote, attachments included."""
    from notify.registry import Mail

    def compose_and_keep(notification: Any) -> Any:
        result = compose(notification)
        if isinstance(result, Mail):
            CAPTURED.append(
                (
                    notification.id,
                    notification.recipient_id,
                    notification.kind,
                    result.subject,
                    result.text,
                    result.attachments,
                )
            )
        return result

    return compose_and_keep


def _copy(model: Model, text: str, obj: Obj, field: str) -> Any:
    """A second bearer of one marker (a comment taken over as the decision's text, a request's title as the
    agenda item's): it is readable through either."""
    from tests.hunt.model import Marker

    for old in model.current_markers(obj):
        if old.field == field:
            old.current = False
    copy = Marker(text, obj, field)
    state = obj.state()
    if state is not None:
        copy.states.add(state)
    return copy
