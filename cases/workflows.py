"""The case types' workflows, declared once as data. ``cases.engine`` enforces them.

Each transition says from which states it may fire and where it leads; who may fire it (roles in
the case's body, the participants of the organisation that owns the case, or a named person such
as the nota's signatory whose turn it is, optionally limited to one side); under which condition
(a guard, e.g. "this is the last paraaf"); which fields it requires; what else it does (an
effect); and whom it tells (a notification the scheduler sends). A workflow also declares which
states count as "still to be done by the owner" (a passed due date then makes the case overdue)
and the reminders its due date brings.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from flask_babel import lazy_gettext

from auth.models import Role
from core.db import Side
from core.labels import Labels

#: Lazy, so the labels read in the language of whoever reads them; typed as text because they act as it.
_l = cast(Callable[[str], str], lazy_gettext)


class CaseType(enum.StrEnum):
    AGENDAVERZOEK = "agendaverzoek"
    ACTIEPUNT = "actiepunt"
    TOEZEGGING = "toezegging"
    NOTA = "nota"
    DOSSIER = "dossier"


# The states of each workflow, one enum each: code that names a state names a member (a typo is an
# AttributeError, not a state no case ever reaches), and ``Workflow`` checks that its declaration
# uses exactly these.


class AgendaverzoekState(enum.StrEnum):
    INGEDIEND = "ingediend"
    IN_BEHANDELING = "in_behandeling"
    DOORGESCHOVEN = "doorgeschoven"
    GEAGENDEERD = "geagendeerd"
    AFGEWEZEN = "afgewezen"


class ActiepuntState(enum.StrEnum):
    OPEN = "open"
    IN_UITVOERING = "in_uitvoering"
    GEREED = "gereed"
    AFGEROND = "afgerond"
    VERVALLEN = "vervallen"


class ToezeggingState(enum.StrEnum):
    OPENSTAAND = "openstaand"
    DEELS_VOLDAAN = "deels_voldaan"
    VOLDAAN = "voldaan"
    VERVALLEN = "vervallen"


class NotaState(enum.StrEnum):
    CONCEPT = "concept"
    TER_PARAFERING = "ter_parafering"
    TER_BESLISSING = "ter_beslissing"
    BESLOTEN = "besloten"
    AFGEWEZEN = "afgewezen"


class DossierState(enum.StrEnum):
    LOPEND = "lopend"
    AFGESLOTEN = "afgesloten"


class Progress(enum.StrEnum):
    """Where an action or commitment stands, in words both follow-up workflows share: the segments of
    the dashboard's bars (``Workflow.progress`` says which state counts in which)."""

    OPEN = "open"
    BEZIG = "bezig"
    GEREED = "gereed"
    AFGEROND = "afgerond"
    VERVALLEN = "vervallen"


#: Who may be named in ``Transition.person`` and ``Transition.notifies`` (``cases.services.people``).
PEOPLE: Labels[str] = Labels(
    {
        "auteur": _l("de auteur"),
        "aan_de_beurt": _l("wie aan de beurt is"),
        "beslisser": _l("de beslisser"),
        "indiener": _l("de indiener"),
        "uitvoerder": _l("de uitvoerder"),
        "secretariaat": _l("het secretariaat"),
    }
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    #: States of the workflow's enum (a ``StrEnum`` member is the text it stands for).
    sources: frozenset[str]
    target: str
    #: Roles in the case's body that may fire this transition.
    roles: frozenset[Role] = frozenset()
    #: Whether participants of the owning organisation may fire it too.
    owner: bool = False
    #: A named person who may fire it (a key of ``PEOPLE``), e.g. the signatory whose turn it is.
    person: str | None = None
    #: Limit to users of these sides (None: either side).
    sides: frozenset[Side] | None = None
    #: A condition on the case beyond its state, named in ``cases.engine``'s guards.
    guard: str | None = None
    #: Fields the transition requires: "reason" (a required reason or comment), "due_date" (a date
    #: the step asks for, which must then also be among ``asks``).
    requires: tuple[str, ...] = ()
    #: Details the step asks for and hands to its effect: "kind" and "position" (what kind of item
    #: agenderen makes, and where on the agenda it puts it), "due_date" (the new date a postponement asks).
    asks: tuple[str, ...] = ()
    #: Name of an effect in ``cases.services.cases`` run before the state changes.
    effect: str | None = None
    #: Whom the step is told to (keys of ``PEOPLE``), by e-mail through the scheduler.
    notifies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reminder:
    """A message about a case's due date while the case is in one of ``Workflow.overdue_in``.

    ``days`` counts from the due date: -7 is a week before. With ``every`` the reminder repeats
    each ``every`` days from ``days`` on, for as long as the case stays overdue.
    """

    name: str
    days: int
    to: str
    every: int | None = None


S = TypeVar("S", bound=enum.StrEnum)


@dataclass(frozen=True)
class Workflow(Generic[S]):
    """A case type's states and steps, and what the pages and services do differently for it: the
    declaration carries the type's behaviour, so no code asks "is this a nota?"."""

    case_type: CaseType
    #: Where a new case starts; its enum is the workflow's (``State``).
    initial: S
    #: state → Dutch label, in the order they are usually passed.
    states: dict[S, str]
    #: States in which the case is finished.
    closed: frozenset[S]
    transitions: tuple[Transition, ...] = field(default=())
    #: States in which the owner still has to deliver: a passed due date makes the case overdue,
    #: and the reminders below are sent.
    overdue_in: frozenset[S] = frozenset()
    reminders: tuple[Reminder, ...] = ()
    #: Whom a new case of this type is told to.
    created_notifies: tuple[str, ...] = ()
    #: Closed states in which the work was not done (afgewezen, vervallen): the step to one warns.
    dropped: frozenset[S] = frozenset()
    #: An action or commitment (``FOLLOW_UP_TYPES``): the secretariat records it and moves its due
    #: date, the overview per organisation, the dashboard and the Woo package list it.
    follow_up: bool = False
    #: A follow-up's state → the dashboard segment it counts in; every state has one.
    progress: Mapping[S, Progress] = field(default_factory=dict)
    #: Whether a new case needs a due date.
    due_date_required: bool = False
    #: What the case page calls the assignee.
    assignee_label: str = _l("Uitvoerder")
    #: A parafenroute: signatories initial the case in turn, the last decides (``cases.services.nota``).
    route: bool = False
    #: States in which the author changes the text and the route.
    editable_in: frozenset[S] = frozenset()
    #: A dossier: it holds agenda items, decisions and other cases, shown as its timeline.
    holds_items: bool = False

    def __post_init__(self) -> None:
        """Refuse a declaration that names a state its enum does not have, or leaves one out."""
        declared = set(self.State)
        named: set[Any] = {*self.states, *self.closed, *self.overdue_in, *self.dropped, *self.editable_in}
        named |= set(self.progress)
        for transition in self.transitions:
            named |= transition.sources | ({transition.target} - {SAME_STATE})
        if unknown := named - declared:
            raise ValueError(f"the {self.case_type} workflow names undeclared states: {sorted(unknown)}")
        if set(self.states) != declared:
            raise ValueError(f"the {self.case_type} workflow has no label for {sorted(declared - set(self.states))}")
        if not self.dropped <= self.closed:
            raise ValueError(f"the {self.case_type} workflow drops cases in states that are not closed")
        if self.follow_up and set(self.progress) != declared:
            raise ValueError(f"the {self.case_type} workflow does not place every state on the dashboard")

    @property
    def State(self) -> type[S]:
        return type(self.initial)

    def state(self, value: str) -> S:
        """``value`` as a state of this workflow; a ``ValueError`` when the workflow does not declare it."""
        try:
            return self.State(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a state of the {self.case_type} workflow") from None

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def label(self, state: str) -> str:
        return str(self.states[self.state(state)])

    def target_of(self, transition: Transition, state: str) -> str:
        """Where ``transition`` leads from ``state``: its target, or ``state`` itself for ``SAME_STATE``."""
        return state if transition.target == SAME_STATE else transition.target


SECRETARIAAT = frozenset({Role.SECRETARIAAT})

#: A step's target that keeps the case in the state it is in: asking for a postponement, granting or
#: refusing it, changes the due date (or not), not where the work stands.
SAME_STATE = "="

#: A request the secretariat has not yet put on the agenda or refused.
_UNDECIDED = frozenset(
    {AgendaverzoekState.INGEDIEND, AgendaverzoekState.IN_BEHANDELING, AgendaverzoekState.DOORGESCHOVEN}
)

AGENDAVERZOEK = Workflow(
    case_type=CaseType.AGENDAVERZOEK,
    initial=AgendaverzoekState.INGEDIEND,
    states={
        AgendaverzoekState.INGEDIEND: _l("ingediend"),
        AgendaverzoekState.IN_BEHANDELING: _l("in behandeling"),
        AgendaverzoekState.DOORGESCHOVEN: _l("doorgeschoven naar volgende cyclus"),
        AgendaverzoekState.GEAGENDEERD: _l("geagendeerd"),
        AgendaverzoekState.AFGEWEZEN: _l("afgewezen"),
    },
    closed=frozenset({AgendaverzoekState.GEAGENDEERD, AgendaverzoekState.AFGEWEZEN}),
    dropped=frozenset({AgendaverzoekState.AFGEWEZEN}),
    created_notifies=("secretariaat",),
    transitions=(
        Transition(
            "in_behandeling",
            _l("In behandeling nemen"),
            frozenset({AgendaverzoekState.INGEDIEND, AgendaverzoekState.DOORGESCHOVEN}),
            AgendaverzoekState.IN_BEHANDELING,
            SECRETARIAAT,
        ),
        Transition(
            "agenderen",
            _l("Agenderen"),
            _UNDECIDED,
            AgendaverzoekState.GEAGENDEERD,
            SECRETARIAAT,
            asks=("kind", "position"),
            effect="put_on_agenda",
            notifies=("indiener",),
        ),
        Transition(
            "afwijzen",
            _l("Afwijzen"),
            _UNDECIDED,
            AgendaverzoekState.AFGEWEZEN,
            SECRETARIAAT,
            requires=("reason",),
            notifies=("indiener",),
        ),
        Transition(
            "doorschuiven",
            _l("Doorschuiven naar de volgende cyclus"),
            _UNDECIDED,
            AgendaverzoekState.DOORGESCHOVEN,
            SECRETARIAAT,
            requires=("reason",),
            effect="move_to_next_cycle",
            notifies=("indiener",),
        ),
    ),
)

#: Owner 7 days and 1 day before the due date; the secretariat weekly while overdue (DESIGN.md).
FOLLOW_UP_REMINDERS = (
    Reminder("week-vooraf", -7, "uitvoerder"),
    Reminder("dag-vooraf", -1, "uitvoerder"),
    Reminder("escalatie", 1, "secretariaat", every=7),
)


def postponement(open_states: frozenset[str]) -> tuple[Transition, ...]:
    """Uitstel: the owner asks for a later due date with a reason; the secretariat grants it (the due
    date moves) or refuses it with a reason. One request at a time; the case stays where it stands."""
    return (
        Transition(
            "uitstel_aanvragen",
            _l("Uitstel aanvragen"),
            open_states,
            SAME_STATE,
            owner=True,
            guard="geen_uitstel_gevraagd",
            requires=("reason", "due_date"),
            asks=("due_date",),
            effect="uitstel_gevraagd",
            notifies=("secretariaat",),
        ),
        Transition(
            "uitstel_verlenen",
            _l("Uitstel verlenen"),
            open_states,
            SAME_STATE,
            SECRETARIAAT,
            guard="uitstel_gevraagd",
            effect="uitstel_verleend",
            notifies=("uitvoerder",),
        ),
        Transition(
            "uitstel_weigeren",
            _l("Uitstel weigeren"),
            open_states,
            SAME_STATE,
            SECRETARIAAT,
            guard="uitstel_gevraagd",
            requires=("reason",),
            effect="uitstel_geweigerd",
            notifies=("uitvoerder",),
        ),
    )


def follow_up(
    *,
    case_type: CaseType,
    initial: S,
    states: dict[S, str],
    done: S,
    lapsed: S,
    overdue_in: frozenset[S],
    progress: Mapping[S, Progress],
    steps: tuple[Transition, ...],
    due_date_required: bool = False,
) -> Workflow[S]:
    """An action or commitment: its own ``steps`` to ``done``, and what both kinds share. The secretariat
    lets it lapse with a reason from any state not closed; the owner asks for uitstel while the due
    date still binds (``overdue_in``); the same reminders, and the assignee is told of a new one."""
    closed = frozenset({done, lapsed})
    lapse = Transition(
        "laten_vervallen",
        _l("Laten vervallen"),
        frozenset(states) - closed,
        lapsed,
        SECRETARIAAT,
        requires=("reason",),
        notifies=("uitvoerder",),
    )
    return Workflow(
        case_type=case_type,
        initial=initial,
        states=states,
        closed=closed,
        dropped=frozenset({lapsed}),
        overdue_in=overdue_in,
        reminders=FOLLOW_UP_REMINDERS,
        created_notifies=("uitvoerder",),
        transitions=(*steps, lapse, *postponement(overdue_in)),
        follow_up=True,
        progress=progress,
        due_date_required=due_date_required,
    )


ACTIEPUNT = follow_up(
    case_type=CaseType.ACTIEPUNT,
    initial=ActiepuntState.OPEN,
    states={
        ActiepuntState.OPEN: _l("open"),
        ActiepuntState.IN_UITVOERING: _l("in uitvoering"),
        ActiepuntState.GEREED: _l("gereed gemeld"),
        ActiepuntState.AFGEROND: _l("afgerond"),
        ActiepuntState.VERVALLEN: _l("vervallen"),
    },
    done=ActiepuntState.AFGEROND,
    lapsed=ActiepuntState.VERVALLEN,
    overdue_in=frozenset({ActiepuntState.OPEN, ActiepuntState.IN_UITVOERING}),
    progress={
        ActiepuntState.OPEN: Progress.OPEN,
        ActiepuntState.IN_UITVOERING: Progress.BEZIG,
        ActiepuntState.GEREED: Progress.GEREED,
        ActiepuntState.AFGEROND: Progress.AFGEROND,
        ActiepuntState.VERVALLEN: Progress.VERVALLEN,
    },
    # An action without a date cannot be chased; a commitment may be open-ended.
    due_date_required=True,
    steps=(
        Transition(
            "starten",
            _l("Starten"),
            frozenset({ActiepuntState.OPEN}),
            ActiepuntState.IN_UITVOERING,
            SECRETARIAAT,
            owner=True,
        ),
        Transition(
            "gereed_melden",
            _l("Gereed melden"),
            frozenset({ActiepuntState.OPEN, ActiepuntState.IN_UITVOERING}),
            ActiepuntState.GEREED,
            SECRETARIAAT,
            owner=True,
            notifies=("secretariaat",),
        ),
        Transition(
            "afronden",
            _l("Afronden"),
            frozenset({ActiepuntState.GEREED}),
            ActiepuntState.AFGEROND,
            SECRETARIAAT,
            notifies=("uitvoerder",),
        ),
        Transition(
            "heropenen",
            _l("Terug naar uitvoering"),
            frozenset({ActiepuntState.GEREED}),
            ActiepuntState.IN_UITVOERING,
            SECRETARIAAT,
            requires=("reason",),
            notifies=("uitvoerder",),
        ),
    ),
)

# As parliament tracks toezeggingen: openstaand, deels voldaan, voldaan. The owner reports how it
# was met (a letter, a debate); the secretariat can reopen it when that does not hold.
TOEZEGGING = follow_up(
    case_type=CaseType.TOEZEGGING,
    initial=ToezeggingState.OPENSTAAND,
    states={
        ToezeggingState.OPENSTAAND: _l("openstaand"),
        ToezeggingState.DEELS_VOLDAAN: _l("deels voldaan"),
        ToezeggingState.VOLDAAN: _l("voldaan"),
        ToezeggingState.VERVALLEN: _l("vervallen"),
    },
    done=ToezeggingState.VOLDAAN,
    lapsed=ToezeggingState.VERVALLEN,
    overdue_in=frozenset({ToezeggingState.OPENSTAAND, ToezeggingState.DEELS_VOLDAAN}),
    progress={
        ToezeggingState.OPENSTAAND: Progress.OPEN,
        ToezeggingState.DEELS_VOLDAAN: Progress.BEZIG,
        ToezeggingState.VOLDAAN: Progress.AFGEROND,
        ToezeggingState.VERVALLEN: Progress.VERVALLEN,
    },
    steps=(
        Transition(
            "deels_voldaan",
            _l("Deels voldaan melden"),
            frozenset({ToezeggingState.OPENSTAAND}),
            ToezeggingState.DEELS_VOLDAAN,
            SECRETARIAAT,
            owner=True,
            requires=("reason",),
        ),
        Transition(
            "voldaan",
            _l("Voldaan melden"),
            frozenset({ToezeggingState.OPENSTAAND, ToezeggingState.DEELS_VOLDAAN}),
            ToezeggingState.VOLDAAN,
            SECRETARIAAT,
            owner=True,
            requires=("reason",),
            notifies=("secretariaat",),
        ),
        Transition(
            "heropenen",
            _l("Niet (geheel) voldaan: heropenen"),
            frozenset({ToezeggingState.VOLDAAN}),
            ToezeggingState.DEELS_VOLDAAN,
            SECRETARIAAT,
            requires=("reason",),
            notifies=("uitvoerder",),
        ),
    ),
)

# A nota "TER BESLISSING" (seed 004): its author sends it along an ordered parafenroute; each
# signatory in turn initials it (paraaf) or returns it with a comment; the decision-maker decides
# last. Which of two steps applies ("paraferen" or the last paraaf) is the guards' business.
NOTA = Workflow(
    case_type=CaseType.NOTA,
    initial=NotaState.CONCEPT,
    states={
        NotaState.CONCEPT: _l("concept"),
        NotaState.TER_PARAFERING: _l("ter parafering"),
        NotaState.TER_BESLISSING: _l("ter beslissing"),
        NotaState.BESLOTEN: _l("besloten"),
        NotaState.AFGEWEZEN: _l("afgewezen"),
    },
    closed=frozenset({NotaState.BESLOTEN, NotaState.AFGEWEZEN}),
    dropped=frozenset({NotaState.AFGEWEZEN}),
    assignee_label=_l("Auteur"),
    route=True,
    editable_in=frozenset({NotaState.CONCEPT}),
    transitions=(
        Transition(
            "aanbieden",
            _l("Ter parafering aanbieden"),
            frozenset({NotaState.CONCEPT}),
            NotaState.TER_PARAFERING,
            person="auteur",
            guard="parafen_open",
            notifies=("aan_de_beurt",),
        ),
        Transition(
            "voorleggen",
            _l("Ter beslissing voorleggen"),
            frozenset({NotaState.CONCEPT}),
            NotaState.TER_BESLISSING,
            person="auteur",
            guard="parafen_compleet",
            notifies=("beslisser",),
        ),
        Transition(
            "paraferen",
            _l("Paraferen"),
            frozenset({NotaState.TER_PARAFERING}),
            NotaState.TER_PARAFERING,
            person="aan_de_beurt",
            guard="niet_laatste_paraaf",
            effect="paraaf",
            notifies=("aan_de_beurt",),
        ),
        Transition(
            "laatste_paraaf",
            _l("Paraferen"),
            frozenset({NotaState.TER_PARAFERING}),
            NotaState.TER_BESLISSING,
            person="aan_de_beurt",
            guard="laatste_paraaf",
            effect="paraaf",
            notifies=("beslisser",),
        ),
        Transition(
            "terugsturen",
            _l("Terugsturen met opmerking"),
            frozenset({NotaState.TER_PARAFERING}),
            NotaState.CONCEPT,
            person="aan_de_beurt",
            requires=("reason",),
            effect="paraaf_geweigerd",
            notifies=("auteur",),
        ),
        Transition(
            "besluiten",
            _l("Besluiten conform advies"),
            frozenset({NotaState.TER_BESLISSING}),
            NotaState.BESLOTEN,
            person="beslisser",
            effect="beslissing",
            notifies=("auteur",),
        ),
        Transition(
            "afwijzen",
            _l("Afwijzen"),
            frozenset({NotaState.TER_BESLISSING}),
            NotaState.AFGEWEZEN,
            person="beslisser",
            requires=("reason",),
            effect="beslissing",
            notifies=("auteur",),
        ),
        Transition(
            "terugsturen_beslisser",
            _l("Terugsturen met opmerking"),
            frozenset({NotaState.TER_BESLISSING}),
            NotaState.CONCEPT,
            person="beslisser",
            requires=("reason",),
            effect="paraaf_geweigerd",
            notifies=("auteur",),
        ),
        Transition(
            "terugnemen",
            _l("Terugnemen om te wijzigen"),
            frozenset({NotaState.TER_PARAFERING, NotaState.TER_BESLISSING}),
            NotaState.CONCEPT,
            person="auteur",
            requires=("reason",),
        ),
    ),
)

# A dossier groups agenda items, decisions and cases of one body across cycles.
DOSSIER = Workflow(
    case_type=CaseType.DOSSIER,
    initial=DossierState.LOPEND,
    states={DossierState.LOPEND: _l("lopend"), DossierState.AFGESLOTEN: _l("afgesloten")},
    closed=frozenset({DossierState.AFGESLOTEN}),
    holds_items=True,
    transitions=(
        Transition(
            "afsluiten",
            _l("Dossier afsluiten"),
            frozenset({DossierState.LOPEND}),
            DossierState.AFGESLOTEN,
            SECRETARIAAT,
        ),
        Transition(
            "heropenen",
            _l("Dossier heropenen"),
            frozenset({DossierState.AFGESLOTEN}),
            DossierState.LOPEND,
            SECRETARIAAT,
            requires=("reason",),
        ),
    ),
)

WORKFLOWS: dict[CaseType, Workflow[Any]] = {
    w.case_type: w for w in (AGENDAVERZOEK, ACTIEPUNT, TOEZEGGING, NOTA, DOSSIER)
}
#: The actions and commitments: the types whose due dates are chased.
FOLLOW_UP_TYPES: tuple[CaseType, ...] = tuple(t for t, w in WORKFLOWS.items() if w.follow_up)

TYPE_LABELS: Labels[CaseType] = Labels(
    {
        CaseType.AGENDAVERZOEK: _l("agendaverzoek"),
        CaseType.ACTIEPUNT: _l("actiepunt"),
        CaseType.TOEZEGGING: _l("toezegging"),
        CaseType.NOTA: _l("nota"),
        CaseType.DOSSIER: _l("dossier"),
    }
)

#: Each type named as messages need it: "het actiepunt", "dit actiepunt", "nieuw actiepunt". Whole
#: phrases, not an article glued to a noun, so that each language can say them its own way.
THE_TYPE: Labels[CaseType] = Labels(
    {
        CaseType.AGENDAVERZOEK: _l("het agendaverzoek"),
        CaseType.ACTIEPUNT: _l("het actiepunt"),
        CaseType.TOEZEGGING: _l("de toezegging"),
        CaseType.NOTA: _l("de nota"),
        CaseType.DOSSIER: _l("het dossier"),
    }
)
THIS_TYPE: Labels[CaseType] = Labels(
    {
        CaseType.AGENDAVERZOEK: _l("dit agendaverzoek"),
        CaseType.ACTIEPUNT: _l("dit actiepunt"),
        CaseType.TOEZEGGING: _l("deze toezegging"),
        CaseType.NOTA: _l("deze nota"),
        CaseType.DOSSIER: _l("dit dossier"),
    }
)
NEW_TYPE: Labels[CaseType] = Labels(
    {
        CaseType.AGENDAVERZOEK: _l("Nieuw agendaverzoek"),
        CaseType.ACTIEPUNT: _l("Nieuw actiepunt"),
        CaseType.TOEZEGGING: _l("Nieuwe toezegging"),
        CaseType.NOTA: _l("Nieuwe nota"),
        CaseType.DOSSIER: _l("Nieuw dossier"),
    }
)
