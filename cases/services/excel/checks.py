"""Import, step 2: checking each row (organisation known and at the table, date understood, assignee
working at that organisation, …), with what it resolves to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from auth.models import Organisation, User
from cases.models import CaseType
from cases.services.excel.reader import SheetRow
from cases.workflows import TYPE_LABELS, WORKFLOWS
from core.extensions import db
from core.forms import TEXT_MAX, TITLE_MAX
from meetings.services.bodies import organisations_of

_KINDS = {
    "actiepunt": CaseType.ACTIEPUNT,
    "actie": CaseType.ACTIEPUNT,
    "ap": CaseType.ACTIEPUNT,
    "toezegging": CaseType.TOEZEGGING,
    "tz": CaseType.TOEZEGGING,
}
_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_WRITTEN = re.compile(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})")


def parse_date(text: str) -> date | None:
    """A date as people type it in a Dutch sheet: 23-11-2026, 23/11/26, 23 november 2026, 2026-11-23.
    None when it is not understood."""
    text = text.strip().casefold()
    try:
        if match := _ISO.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := _DMY.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if (match := _WRITTEN.fullmatch(text)) and match.group(2) in _MONTHS:
            return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:  # 31-02-2026
        return None
    return None


@dataclass
class CheckedRow:
    """A row of the sheet with what it resolves to, and what is wrong with it (in Dutch)."""

    sheet: SheetRow
    problems: list[str] = field(default_factory=list)
    case_type: CaseType = CaseType.ACTIEPUNT
    #: False when the "Soort" column says something else than actiepunt or toezegging.
    kind_understood: bool = True
    owner: Organisation | None = None
    assignee_id: int | None = None
    assignee_name: str | None = None
    due_date: date | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def kind_label(self) -> str:
        return TYPE_LABELS[self.case_type]


@dataclass(frozen=True)
class _Person:
    id: int
    email: str
    name: str
    organisation_id: int
    active: bool


class _Lookups:
    """The organisations and the people the rows name, and the organisations at the body's table,
    loaded in three queries for all rows."""

    def __init__(self, rows: Sequence[SheetRow], body_id: int) -> None:
        self.organisations: dict[str, list[Organisation]] = {}
        for organisation in db.session.scalars(select(Organisation)):
            for key in {_key(organisation.name), _key(organisation.short_name)}:
                self.organisations.setdefault(key, []).append(organisation)
        self.at_table = {organisation.id for organisation in organisations_of(body_id)}
        wanted = {row.assignee.casefold() for row in rows if row.assignee}
        emails = [w for w in wanted if "@" in w]
        names = [w for w in wanted if "@" not in w]
        self.by_email: dict[str, _Person] = {}
        self.by_name: dict[str, list[_Person]] = {}
        if wanted:
            query = select(User.id, User.email, User.name, User.organisation_id, User.active).where(
                or_(User.email.in_(emails), func.lower(User.name).in_(names))
            )
            for found in db.session.execute(query):
                person = _Person(*found)
                self.by_email[person.email.casefold()] = person
                self.by_name.setdefault(_key(person.name), []).append(person)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def check_rows(rows: Sequence[SheetRow], body_id: int) -> list[CheckedRow]:
    """Every row, for an import into the body ``body_id``, with what it resolves to and what is wrong with it."""
    lookups = _Lookups(rows, body_id)
    return [_check(row, lookups) for row in rows]


def _check(row: SheetRow, lookups: _Lookups) -> CheckedRow:
    checked = CheckedRow(sheet=row)
    problems = checked.problems
    if not row.title:
        problems.append(_("De titel is leeg."))
    elif len(row.title) > TITLE_MAX:
        problems.append(_("De titel is te lang: hoogstens %(max)s tekens.", max=TITLE_MAX))
    if row.kind:
        kind = _KINDS.get(_key(row.kind))
        if kind is None:
            checked.kind_understood = False
            problems.append(_("Soort ‘%(kind)s’ onbekend: kies actiepunt of toezegging.", kind=row.kind))
        else:
            checked.case_type = kind
    if not row.owner:
        problems.append(_("Geen eigenaar (organisatie)."))
    else:
        matches = lookups.organisations.get(_key(row.owner), [])
        if not matches:
            problems.append(_("Organisatie ‘%(name)s’ onbekend.", name=row.owner))
        elif len({o.id for o in matches}) > 1:
            problems.append(_("Meer dan één organisatie heet ‘%(name)s’: gebruik de volledige naam.", name=row.owner))
        elif matches[0].id not in lookups.at_table:
            problems.append(
                _(
                    "%(name)s zit niet aan tafel bij dit overleg: kies een organisatie met een zetel of met leden.",
                    name=matches[0].name,
                )
            )
        else:
            checked.owner = matches[0]
    if row.assignee:
        _check_assignee(checked, row.assignee, lookups)
    if row.due:
        due = parse_date(row.due)
        if due is None:
            problems.append(
                _("Datum ‘%(text)s’ niet begrepen: schrijf dd-mm-jjjj, bijvoorbeeld 23-11-2026.", text=row.due)
            )
        elif not 2000 <= due.year < 2100:
            problems.append(_("Datum %(date)s ligt niet tussen 2000 en 2100.", date=due.strftime("%d-%m-%Y")))
        else:
            checked.due_date = due
    elif WORKFLOWS[checked.case_type].due_date_required:
        problems.append(_("Geen datum gereed: een actiepunt heeft er een nodig."))
    if len(row.source) > TITLE_MAX:
        problems.append(_("De herkomst is te lang: hoogstens %(max)s tekens.", max=TITLE_MAX))
    if len(row.description) > TEXT_MAX:
        problems.append(_("De toelichting is te lang: hoogstens %(max)s tekens.", max=format_decimal(TEXT_MAX)))
    return checked


def _check_assignee(checked: CheckedRow, text: str, lookups: _Lookups) -> None:
    owner = checked.owner
    if "@" in text:
        person = lookups.by_email.get(text.casefold())
        candidates = [person] if person is not None else []
    else:
        candidates = lookups.by_name.get(_key(text), [])
        if len(candidates) > 1 and owner is not None:
            candidates = [p for p in candidates if p.organisation_id == owner.id] or candidates
    if not candidates:
        checked.problems.append(_("Uitvoerder ‘%(name)s’ onbekend.", name=text))
        return
    if len(candidates) > 1:
        checked.problems.append(_("Meer dan één gebruiker heet ‘%(name)s’: gebruik het e-mailadres.", name=text))
        return
    person = candidates[0]
    if not person.active:
        checked.problems.append(_("Uitvoerder %(name)s is geen actieve gebruiker meer.", name=person.name))
    elif owner is not None and person.organisation_id != owner.id:
        checked.problems.append(
            _("Uitvoerder %(name)s werkt niet bij %(organisation)s.", name=person.name, organisation=owner.name)
        )
    else:
        checked.assignee_id, checked.assignee_name = person.id, person.name
