"""The people and tables of the large data set.

Organisations, themes, bodies, roles and seats go through the app's services (a few thousand calls).
The accounts are written in bulk: the services would hash the demo password once per account, half a
minute for five hundred of them, so it is hashed once here (with the configured method) and the
accounts get that hash, each with the audit records that creating and provisioning it would leave.
The demo's people take part, in the role they have in the demo, wherever their organisation sits
at a generated table.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from auth import services as auth_services
from auth.models import Membership, Organisation, Role, User
from auth.passwords import hash_password
from core.acting import SYSTEM, Actor
from core.dates import now
from core.db import Side
from core.extensions import db
from demo import story
from demo.large_data import BODIES, DEMO_SEATS, FIRST_NAMES, FUNCTIONS, LAST_NAMES, ORGANISATIONS, THEMES
from demo.large_trail import Trail, seal
from meetings.models import Body, Theme
from meetings.services import bodies as body_services

#: E-mail domains of the demo's organisations (``demo.story.USERS``); the others get ``<key>.test``.
_DOMAINS = {
    "ezk": "ezk.test",
    "ocw": "ocw.test",
    "ienw": "ienw.test",
    "brabant": "noord-brabant.test",
    "eindhoven": "eindhoven.test",
    "bd": "brainportdevelopment.test",
    "gelderland": "gelderland.test",
}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    organisation_id: int
    side: Side
    actor: Actor


@dataclass
class Table:
    """A generated body, with what the plan needs to know of it."""

    body: Body
    themes: list[tuple[int, str]]
    places: list[str]
    #: The organisations at the table: id, name, side.
    organisations: list[tuple[int, str, Side]]
    seats: list[int] = field(default_factory=list)
    chair: str = ""
    secretariat: dict[Side, Person] = field(default_factory=dict)
    members: list[tuple[Person, Role]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.body.id

    @property
    def name(self) -> str:
        return self.body.name

    def people(self, *roles: Role, side: Side | None = None, organisation_id: int | None = None) -> list[Person]:
        """Members holding one of ``roles``, of ``side`` or of one organisation if asked."""
        return [
            person
            for person, role in self.members
            if role in roles
            and (side is None or person.side is side)
            and (organisation_id is None or person.organisation_id == organisation_id)
        ]


@dataclass
class World:
    tables: list[Table]
    #: The generated accounts (the demo's own are not among them).
    people: list[Person]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("ı", "i")).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower().replace(" ", "") if c.isalnum())


def build(rng: random.Random, *, bodies: int, users: int, beheer: User, password: str, trail: Trail) -> World:
    """Organisations, themes and ``bodies`` bodies through the services; ``users`` accounts in bulk; roles
    and seats through the services. Runs at the clock's current moment (``demo.story.at``); the accounts'
    records are sealed before the roles' (which the recorder writes as the services run)."""
    start = now()
    organisations = {key: _demo_organisation(name) for key, name, *_rest in story.ORGANISATIONS}
    seat_functions = dict(DEMO_SEATS)
    for key, name, short_name, side, tooi, function in ORGANISATIONS:
        organisations[key] = auth_services.create_organisation(
            beheer, name=name, short_name=short_name, side=side, tooi_uri=tooi
        )
        seat_functions[key] = function
    for name in THEMES:
        body_services.create_theme(beheer, name=name)
    db.session.flush()
    theme_ids = {theme.name: theme.id for theme in db.session.scalars(select(Theme))}
    specs = BODIES[:bodies]
    tables: list[Table] = []
    for name, slug, description, rijk, regio, themes, places in specs:
        body = body_services.create_body(beheer, name=name, slug=slug, description=description)
        db.session.flush()
        tables.append(
            Table(
                body=body,
                themes=[(theme_ids[theme], theme) for theme in themes],
                places=places,
                organisations=[
                    (organisations[key].id, organisations[key].name, organisations[key].side) for key in rijk + regio
                ],
                chair=seat_functions[rijk[0]],
            )
        )

    people, roles = _accounts(rng, specs, organisations, users, beheer, password, start, trail)
    seal(db.session.connection(), trail.take())

    for person, held in zip(people, roles, strict=True):
        for index, role in held:
            body_services.set_member_role(beheer, tables[index].body, user_id=person.id, role=role)
            tables[index].members.append((person, role))
            if role is Role.SECRETARIAAT:
                tables[index].secretariat.setdefault(person.side, person)
    for demo_person, key, role in _demo_people():
        for index, (_name, _slug, _description, rijk, regio, *_more) in enumerate(specs):
            if key in rijk + regio:
                body_services.set_member_role(beheer, tables[index].body, user_id=demo_person.id, role=role)
                tables[index].members.append((demo_person, role))
    db.session.flush()

    for index, (_name, _slug, _description, rijk, regio, *_more) in enumerate(specs):
        secretary = db.session.get(User, tables[index].secretariat[Side.RIJK].id)
        assert secretary is not None
        for position, key in enumerate(rijk + regio):
            seat = body_services.add_seat(
                secretary,
                tables[index].body,
                organisation_id=organisations[key].id,
                function=seat_functions[key],
                is_chair=position == 0,
            )
            db.session.flush()
            tables[index].seats.append(seat.id)
    return World(tables=tables, people=people)


def _demo_organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _demo_people() -> list[tuple[Person, str, Role]]:
    """The demo's people, their organisation's key and their role in the demo (BO-Brainport first)."""
    keys = {email: org for _key, email, _name, _function, org in story.USERS}
    found = []
    for user in db.session.scalars(select(User).where(User.email.in_(list(keys))).order_by(User.id)):
        held = db.session.scalars(
            select(Membership.role)
            .join(Body, Membership.body_id == Body.id)
            .where(Membership.user_id == user.id)
            .order_by(Body.slug != "bo-brainport", Body.id)
        ).first()
        if held is not None:
            person = Person(user.id, user.name, user.email, user.organisation_id, user.side, user.as_actor())
            found.append((person, keys[user.email], held))
    return found


def _accounts(
    rng: random.Random,
    specs: list[Any],
    organisations: dict[str, Organisation],
    count: int,
    beheer: User,
    password: str,
    start: datetime,
    trail: Trail,
) -> tuple[list[Person], list[list[tuple[int, Role]]]]:
    """Who the accounts are and which roles each holds: per body a secretariat on each side, an auditor
    per side for the bodies an organisation leads, and members spread over the organisations at the
    tables. Written in bulk, with their records."""
    wanted: list[tuple[str, list[tuple[int, Role]]]] = []
    for index, (_name, _slug, _description, rijk, regio, *_more) in enumerate(specs):
        wanted.append((rijk[0], [(index, Role.SECRETARIAAT)]))
        wanted.append((regio[0], [(index, Role.SECRETARIAAT)]))
    auditing: dict[str, list[tuple[int, Role]]] = defaultdict(list)
    for index, (_name, _slug, _description, rijk, regio, *_more) in enumerate(specs):
        auditing[rijk[0]].append((index, Role.AUDITOR))
        auditing[regio[0]].append((index, Role.AUDITOR))
    wanted.extend(auditing.items())
    seated: dict[str, list[int]] = defaultdict(list)
    for index, (_name, _slug, _description, rijk, regio, *_more) in enumerate(specs):
        for key in rijk + regio:
            seated[key].append(index)
    keys = sorted(seated)
    weights = [len(seated[key]) for key in keys]
    while len(wanted) < count:
        key = rng.choices(keys, weights)[0]
        tables = rng.sample(seated[key], rng.randint(1, min(3, len(seated[key]))))
        wanted.append((key, [(i, Role.DEELNEMER if rng.random() < 0.85 else Role.WAARNEMER) for i in tables]))

    first_id = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    # One hash (one salt) for every generated account: they share the demo's published password anyway,
    # and hashing it five hundred times would take as long as the rest of the accounts' work.
    shared_hash = hash_password(password)
    taken = set(db.session.scalars(select(User.email)))
    rows, people = [], []
    for offset, (key, _held) in enumerate(wanted):
        organisation = organisations[key]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        domain = _DOMAINS.get(key, key.replace("_", "-") + ".test")
        email, n = f"{_ascii(first)}.{_ascii(last)}@{domain}", 1
        while email in taken:
            n += 1
            email = f"{_ascii(first)}.{_ascii(last)}{n}@{domain}"
        taken.add(email)
        name = f"{first} {last}"
        row = {
            "id": first_id + offset,
            "email": email,
            "name": name,
            "function": rng.choice(FUNCTIONS[organisation.side]),
            "organisation_id": organisation.id,
            "password_hash": None,
            "active": True,
            "is_beheerder": False,
            "created_at": start,
            "last_login_at": None,
            "password_changed_at": None,
            "totp_secret": None,
            "totp_last_step": None,
            "mfa_enabled_at": None,
            "locale": "nl",
        }
        trail.created(start, beheer.as_actor(), "auth.create_user", User, row)
        row = {**row, "password_hash": shared_hash, "password_changed_at": start}
        trail.updated(
            start,
            SYSTEM,
            "auth.provision_password",
            User,
            row,
            {"password_hash": (None, shared_hash), "password_changed_at": (None, start)},
        )
        rows.append(row)
        ident = first_id + offset
        actor = Actor(user_id=ident, label=f"{name} <{email}>", organisation=organisation.name)
        people.append(Person(ident, name, email, organisation.id, organisation.side, actor))
    db.session.connection().execute(insert(User.__table__), rows)  # type: ignore[arg-type]
    return people, [held for _key, held in wanted]
