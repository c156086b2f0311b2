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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from flask_babel import lazy_gettext

from auth.models import Role
from cases.models import CaseType
from core.db import Side
from core.labels import Labels

#: Lazy, so the labels read in the language of whoever reads them; typed as text because they act as it.
_l = cast(Callable[[str], str], lazy_gettext)

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


@dataclass(frozen=True)
class Workflow:
    case_type: CaseType
    initial: str
    #: state → Dutch label, in the order they are usually passed.
    states: dict[str, str]
    #: States in which the case is finished.
    closed: frozenset[str]
    transitions: tuple[Transition, ...] = field(default=())
    #: States in which the owner still has to deliver: a passed due date makes the case overdue,
    #: and the reminders below are sent.
    overdue_in: frozenset[str] = frozenset()
    reminders: tuple[Reminder, ...] = ()
    #: Whom a new case of this type is told to.
    created_notifies: tuple[str, ...] = ()

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def label(self, state: str | None) -> str:
        return str(self.states.get(state or "", state or ""))

    def target_of(self, transition: Transition, state: str) -> str:
        """Where ``transition`` leads from ``state``: its target, or ``state`` itself for ``SAME_STATE``."""
        return state if transition.target == SAME_STATE else transition.target


SECRETARIAAT = frozenset({Role.SECRETARIAAT})

#: A step's target that keeps the case in the state it is in: asking for a postponement, granting or
#: refusing it, changes the due date (or not), not where the work stands.
SAME_STATE = "="

AGENDAVERZOEK = Workflow(
    case_type=CaseType.AGENDAVERZOEK,
    initial="ingediend",
    states={
        "ingediend": _l("ingediend"),
        "in_behandeling": _l("in behandeling"),
        "doorgeschoven": _l("doorgeschoven naar volgende cyclus"),
        "geagendeerd": _l("geagendeerd"),
        "afgewezen": _l("afgewezen"),
    },
    closed=frozenset({"geagendeerd", "afgewezen"}),
    created_notifies=("secretariaat",),
    transitions=(
        Transition(
            "in_behandeling",
            _l("In behandeling nemen"),
            frozenset({"ingediend", "doorgeschoven"}),
            "in_behandeling",
            SECRETARIAAT,
        ),
        Transition(
            "agenderen",
            _l("Agenderen"),
            frozenset({"ingediend", "in_behandeling", "doorgeschoven"}),
            "geagendeerd",
            SECRETARIAAT,
            asks=("kind", "position"),
            effect="put_on_agenda",
            notifies=("indiener",),
        ),
        Transition(
            "afwijzen",
            _l("Afwijzen"),
            frozenset({"ingediend", "in_behandeling", "doorgeschoven"}),
            "afgewezen",
            SECRETARIAAT,
            requires=("reason",),
            notifies=("indiener",),
        ),
        Transition(
            "doorschuiven",
            _l("Doorschuiven naar de volgende cyclus"),
            frozenset({"ingediend", "in_behandeling", "doorgeschoven"}),
            "doorgeschoven",
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


ACTIEPUNT = Workflow(
    case_type=CaseType.ACTIEPUNT,
    initial="open",
    states={
        "open": _l("open"),
        "in_uitvoering": _l("in uitvoering"),
        "gereed": _l("gereed gemeld"),
        "afgerond": _l("afgerond"),
        "vervallen": _l("vervallen"),
    },
    closed=frozenset({"afgerond", "vervallen"}),
    overdue_in=frozenset({"open", "in_uitvoering"}),
    reminders=FOLLOW_UP_REMINDERS,
    created_notifies=("uitvoerder",),
    transitions=(
        Transition("starten", _l("Starten"), frozenset({"open"}), "in_uitvoering", SECRETARIAAT, owner=True),
        Transition(
            "gereed_melden",
            _l("Gereed melden"),
            frozenset({"open", "in_uitvoering"}),
            "gereed",
            SECRETARIAAT,
            owner=True,
            notifies=("secretariaat",),
        ),
        Transition(
            "afronden", _l("Afronden"), frozenset({"gereed"}), "afgerond", SECRETARIAAT, notifies=("uitvoerder",)
        ),
        Transition(
            "heropenen",
            _l("Terug naar uitvoering"),
            frozenset({"gereed"}),
            "in_uitvoering",
            SECRETARIAAT,
            requires=("reason",),
            notifies=("uitvoerder",),
        ),
        Transition(
            "laten_vervallen",
            _l("Laten vervallen"),
            frozenset({"open", "in_uitvoering", "gereed"}),
            "vervallen",
            SECRETARIAAT,
            requires=("reason",),
            notifies=("uitvoerder",),
        ),
        *postponement(frozenset({"open", "in_uitvoering"})),
    ),
)

# As parliament tracks toezeggingen: openstaand, deels voldaan, voldaan. The owner reports how it
# was met (a letter, a debate); the secretariat can reopen it when that does not hold.
TOEZEGGING = Workflow(
    case_type=CaseType.TOEZEGGING,
    initial="openstaand",
    states={
        "openstaand": _l("openstaand"),
        "deels_voldaan": _l("deels voldaan"),
        "voldaan": _l("voldaan"),
        "vervallen": _l("vervallen"),
    },
    closed=frozenset({"voldaan", "vervallen"}),
    overdue_in=frozenset({"openstaand", "deels_voldaan"}),
    reminders=FOLLOW_UP_REMINDERS,
    created_notifies=("uitvoerder",),
    transitions=(
        Transition(
            "deels_voldaan",
            _l("Deels voldaan melden"),
            frozenset({"openstaand"}),
            "deels_voldaan",
            SECRETARIAAT,
            owner=True,
            requires=("reason",),
        ),
        Transition(
            "voldaan",
            _l("Voldaan melden"),
            frozenset({"openstaand", "deels_voldaan"}),
            "voldaan",
            SECRETARIAAT,
            owner=True,
            requires=("reason",),
            notifies=("secretariaat",),
        ),
        Transition(
            "heropenen",
            _l("Niet (geheel) voldaan: heropenen"),
            frozenset({"voldaan"}),
            "deels_voldaan",
            SECRETARIAAT,
            requires=("reason",),
            notifies=("uitvoerder",),
        ),
        Transition(
            "laten_vervallen",
            _l("Laten vervallen"),
            frozenset({"openstaand", "deels_voldaan"}),
            "vervallen",
            SECRETARIAAT,
            requires=("reason",),
            notifies=("uitvoerder",),
        ),
        *postponement(frozenset({"openstaand", "deels_voldaan"})),
    ),
)

# A nota "TER BESLISSING" (seed 004): its author sends it along an ordered parafenroute; each
# signatory in turn initials it (paraaf) or returns it with a comment; the decision-maker decides
# last. Which of two steps applies ("paraferen" or the last paraaf) is the guards' business.
NOTA = Workflow(
    case_type=CaseType.NOTA,
    initial="concept",
    states={
        "concept": _l("concept"),
        "ter_parafering": _l("ter parafering"),
        "ter_beslissing": _l("ter beslissing"),
        "besloten": _l("besloten"),
        "afgewezen": _l("afgewezen"),
    },
    closed=frozenset({"besloten", "afgewezen"}),
    transitions=(
        Transition(
            "aanbieden",
            _l("Ter parafering aanbieden"),
            frozenset({"concept"}),
            "ter_parafering",
            person="auteur",
            guard="parafen_open",
            notifies=("aan_de_beurt",),
        ),
        Transition(
            "voorleggen",
            _l("Ter beslissing voorleggen"),
            frozenset({"concept"}),
            "ter_beslissing",
            person="auteur",
            guard="parafen_compleet",
            notifies=("beslisser",),
        ),
        Transition(
            "paraferen",
            _l("Paraferen"),
            frozenset({"ter_parafering"}),
            "ter_parafering",
            person="aan_de_beurt",
            guard="niet_laatste_paraaf",
            effect="paraaf",
            notifies=("aan_de_beurt",),
        ),
        Transition(
            "laatste_paraaf",
            _l("Paraferen"),
            frozenset({"ter_parafering"}),
            "ter_beslissing",
            person="aan_de_beurt",
            guard="laatste_paraaf",
            effect="paraaf",
            notifies=("beslisser",),
        ),
        Transition(
            "terugsturen",
            _l("Terugsturen met opmerking"),
            frozenset({"ter_parafering"}),
            "concept",
            person="aan_de_beurt",
            requires=("reason",),
            effect="paraaf_geweigerd",
            notifies=("auteur",),
        ),
        Transition(
            "besluiten",
            _l("Besluiten conform advies"),
            frozenset({"ter_beslissing"}),
            "besloten",
            person="beslisser",
            effect="beslissing",
            notifies=("auteur",),
        ),
        Transition(
            "afwijzen",
            _l("Afwijzen"),
            frozenset({"ter_beslissing"}),
            "afgewezen",
            person="beslisser",
            requires=("reason",),
            effect="beslissing",
            notifies=("auteur",),
        ),
        Transition(
            "terugsturen_beslisser",
            _l("Terugsturen met opmerking"),
            frozenset({"ter_beslissing"}),
            "concept",
            person="beslisser",
            requires=("reason",),
            effect="paraaf_geweigerd",
            notifies=("auteur",),
        ),
        Transition(
            "terugnemen",
            _l("Terugnemen om te wijzigen"),
            frozenset({"ter_parafering", "ter_beslissing"}),
            "concept",
            person="auteur",
            requires=("reason",),
        ),
    ),
)

# A dossier groups agenda items, decisions and cases of one body across cycles.
DOSSIER = Workflow(
    case_type=CaseType.DOSSIER,
    initial="lopend",
    states={"lopend": _l("lopend"), "afgesloten": _l("afgesloten")},
    closed=frozenset({"afgesloten"}),
    transitions=(
        Transition("afsluiten", _l("Dossier afsluiten"), frozenset({"lopend"}), "afgesloten", SECRETARIAAT),
        Transition(
            "heropenen",
            _l("Dossier heropenen"),
            frozenset({"afgesloten"}),
            "lopend",
            SECRETARIAAT,
            requires=("reason",),
        ),
    ),
)

WORKFLOWS: dict[CaseType, Workflow] = {w.case_type: w for w in (AGENDAVERZOEK, ACTIEPUNT, TOEZEGGING, NOTA, DOSSIER)}

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
