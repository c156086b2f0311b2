"""The hunter's own model of who may read what, written from DESIGN.md and README's *Who sees what*.

It never asks ``auth.policy``: it is the second opinion the app's answers are held against. It knows
the people of BO-Brainport (side, organisation, role), every object the hunter made (its audience,
the people named on it, whether it is released yet, the whole it is part of) and every marker the
hunter wrote, with each state of its object while that marker was current. From that it says, per
person, which markers they may read:

* a marker that is its object's current value, to whoever may see the object now: a member of the
  body, admitted by its audience (their side, or named on a vertrouwelijk item), and, while the item
  waits for publication, only the secretariat; and who may see the whole it is part of (an agenda
  item's meeting, a decision's agenda item, a document's item, a comment's decision);
* a marker of the past (a value since replaced, or of an object since deleted), only to who reads
  the history (secretariat and auditors, as they are now) of an object they may see now (or, if it
  was deleted, whose last state admitted them), and then only if one of the states the object had
  while that value was current admitted them.

Scaffolding (a meeting's attendance) has no audience of its own: it is seen with its meeting. A
comment is seen by its author's organisation and the secretariat, and never further than its
decision. A case that follows from a decision is released with the decision (issue 16, bug 1) but is
no part of it: it may be shared wider.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

SECRETARIAAT, DEELNEMER, WAARNEMER, AUDITOR = "secretariaat", "deelnemer", "waarnemer", "auditor"
HISTORY_ROLES = frozenset({SECRETARIAAT, AUDITOR})
AUDIENCES = ("openbaar", "overleg", "rijk", "regio", "vertrouwelijk")


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    side: str
    organisation: str
    beheerder: bool = False


@dataclass(frozen=True)
class State:
    """Who an object admitted at one moment: its audience, the people named on it, and whether it was
    out yet (published agenda, besluitenlijst out of concept, minutes shared)."""

    audience: str
    named: frozenset[str]
    released: bool


@dataclass(eq=False)
class Obj:
    """Something the hunter made. ``table`` and ``id`` are the app's; ``whole`` is what it is part of."""

    table: str
    id: int
    audience: str | None = None
    named: frozenset[str] = frozenset()
    whole: Obj | None = None
    deleted: bool = False
    #: For a meeting: the agenda is out; its besluitenlijst's status; for minutes: their status.
    agenda_published: bool = False
    status: str = "concept"
    #: For a case that follows from a decision; for a comment, the decision it is about.
    decision: Obj | None = None
    #: For a comment: its author's organisation.
    organisation: str | None = None
    #: Scaffolding: seen with its whole, no audience of its own.
    scaffolding: bool = False
    meeting: Obj | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ref(self) -> tuple[str, int]:
        return (self.table, self.id)

    def released(self) -> bool:
        if self.table in ("agenda_items", "documents"):
            return self.meeting is not None and self.meeting.agenda_published
        if self.table == "decisions":
            return self.meeting is not None and self.meeting.status != "concept"
        if self.table == "minutes":
            return self.status != "concept"
        if self.table == "cases" and self.decision is not None:
            return self.decision.released()
        return True

    def state(self) -> State | None:
        if self.scaffolding:
            return self.whole.state() if self.whole is not None else None
        if self.audience is None:
            return None
        return State(self.audience, self.named, self.released())

    def __repr__(self) -> str:
        return f"{self.table}/{self.id}"


@dataclass(eq=False)
class Marker:
    """One value the hunter wrote (a title, a text, a reason, a file), on one object."""

    text: str
    obj: Obj
    field: str
    current: bool = True
    #: Every state of ``obj`` while this value was current (seen after each step).
    states: set[State] = field(default_factory=set)


@dataclass
class Model:
    people: dict[str, Person]
    #: Role in BO-Brainport per person key (None: no member).
    roles: dict[str, str | None]
    objects: list[Obj] = field(default_factory=list)
    markers: dict[str, list[Marker]] = field(default_factory=dict)

    # --- bookkeeping ---------------------------------------------------------------------------

    def add(self, obj: Obj) -> Obj:
        self.objects.append(obj)
        return obj

    def write(self, obj: Obj, field_name: str, text: str) -> None:
        """``text`` (a marker) is now the value of ``obj``'s ``field_name``; an earlier one is history."""
        for old in self.current_markers(obj):
            if old.field == field_name:
                old.current = False
        marker = Marker(text, obj, field_name)
        self.markers.setdefault(text, []).append(marker)
        state = obj.state()
        if state is not None:
            marker.states.add(state)

    def event(self, obj: Obj, field_name: str, text: str) -> None:
        """A value that stays in the object's history as written (a reason, a progress note)."""
        marker = Marker(text, obj, field_name, current=True)
        self.markers.setdefault(text, []).append(marker)
        state = obj.state()
        if state is not None:
            marker.states.add(state)

    def delete(self, obj: Obj) -> None:
        for gone in [obj, *(part for part in self.objects if part.scaffolding and part.whole is obj)]:
            gone.extra["last_state"] = gone.state()
            gone.deleted = True

    def current_markers(self, obj: Obj) -> Iterator[Marker]:
        for markers in self.markers.values():
            for marker in markers:
                if marker.obj is obj and marker.current:
                    yield marker

    def seal(self) -> None:
        """After a step: every current value has lived through its object's present state."""
        for markers in self.markers.values():
            for marker in markers:
                if marker.current and not marker.obj.deleted:
                    state = marker.obj.state()
                    if state is not None:
                        marker.states.add(state)

    def of(self, table: str) -> list[Obj]:
        return [o for o in self.objects if o.table == table and not o.deleted]

    def members(self) -> list[str]:
        return [key for key, role in self.roles.items() if role is not None]

    # --- who may see what -----------------------------------------------------------------------

    def role(self, person: str) -> str | None:
        return self.roles.get(person)

    def admits(self, person: str, state: State) -> bool:
        """Whether an object in ``state`` admitted ``person`` (membership and the whole aside)."""
        who = self.people[person]
        if state.audience == "vertrouwelijk":
            admitted = person in state.named
        else:
            admitted = state.audience in ("openbaar", "overleg", who.side)
        return admitted and (state.released or self.role(person) == SECRETARIAAT)

    def sees(self, person: str, obj: Obj) -> bool:
        """Whether ``person`` may see ``obj`` now."""
        if obj.deleted or self.role(person) is None:
            return False
        if obj.table == "decision_comments":
            who = self.people[person]
            if not (self.role(person) == SECRETARIAAT or who.organisation == obj.organisation):
                return False
            return obj.decision is not None and self.sees(person, obj.decision)
        if obj.scaffolding:
            return obj.whole is not None and self.sees(person, obj.whole)
        state = obj.state()
        if state is not None and not self.admits(person, state):
            return False
        return obj.whole is None or self.sees(person, obj.whole)

    def may_read(self, person: str, text: str) -> bool:
        """Whether ``person`` may read the marker ``text`` anywhere, now."""
        return any(self._reads(person, marker) for marker in self.markers.get(text, []))

    def _reads(self, person: str, marker: Marker) -> bool:
        obj = marker.obj
        if marker.current and self.sees(person, obj):
            return True
        if self.role(person) not in HISTORY_ROLES:
            return False
        # The trail: of an object the reader may see now, or that is gone and whose last state admitted them.
        if obj.deleted:
            last = self._last_state(obj)
            if last is None or not self.admits(person, last):
                return False
        elif not self.sees(person, obj):
            return False
        if obj.table == "decision_comments":
            return True  # nothing that varies over time decides it: its present visibility does
        return any(self.admits(person, state) for state in marker.states)

    def _last_state(self, obj: Obj) -> State | None:
        states = obj.extra.get("last_state")
        return states if isinstance(states, State) else None

    def readable(self, person: str) -> set[str]:
        return {text for text in self.markers if self.may_read(person, text)}

    # --- the public (a Woo package) -----------------------------------------------------------

    def public(self, text: str) -> bool:
        """Whether ``text`` may go out to the public: openbaar, published, and the whole it is part of too.
        A meeting's own details go with its agenda when the meeting is for the whole table (judgement: a
        Rijk-only meeting is not published at all); who replaced whom at a meeting never does (functions,
        not people)."""
        return any(self._public(marker) for marker in self.markers.get(text, []))

    def _public(self, marker: Marker) -> bool:
        obj = marker.obj
        if not marker.current or obj.deleted or obj.scaffolding:
            return False
        return self._public_obj(obj)

    def _public_obj(self, obj: Obj) -> bool:
        if obj.table == "meetings":
            return obj.audience in ("openbaar", "overleg")
        if obj.audience != "openbaar":
            return False
        if obj.table in ("agenda_items", "documents") and not obj.released():
            return False
        if obj.table == "decisions" and (obj.meeting is None or obj.meeting.status != "vastgesteld"):
            return False
        if obj.table == "cases" and not obj.released():
            return False  # a case is no part of its decision: openbaar and out with it is enough
        if obj.table in ("minutes", "notes", "decision_comments"):
            return False
        return obj.whole is None or self._public_obj(obj.whole)

    # --- for the checks ------------------------------------------------------------------------

    def live(self, tables: Iterable[str] | None = None) -> list[Obj]:
        wanted = set(tables) if tables is not None else None
        return [o for o in self.objects if not o.deleted and (wanted is None or o.table in wanted)]

    def around(self, objs: set[Obj]) -> set[Obj]:
        """``objs`` and their parts, whose pages show what they are part of: an item's documents and
        decisions, a decision's comments and the cases that follow from it, a case's events and files.
        A meeting's parts are not (its own details show on its pages); the sweeps read everything."""
        near, wholes = set(objs), {o for o in objs if o.table != "meetings"}
        while wholes:
            parts = {o for o in self.objects if not o.deleted and {o.whole, o.decision} & wholes} - near
            near |= parts
            wholes = parts
        return near

    def find(self, table: str, ident: int) -> Obj | None:
        """The object with this id: the live one, if SQLite gave a deleted one's id to a new one."""
        return next((o for o in reversed(self.objects) if o.table == table and o.id == ident), None)
