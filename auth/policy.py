"""Who may see and do what. Every view, list, search, export and message asks here.

Two questions, answered alike for one item (``can``) and for a whole query (``visible``):

* *see*: the user is a member of the item's body; the item's audience admits the user's side (or,
  for a vertrouwelijk item, names the user);
  an item that waits for publication (an agenda before it goes out, a concept besluitenlijst)
  is seen only by the body's secretariat; an item one organisation submitted to the secretariat
  (a comment on a concept decision) is seen only by that organisation and the secretariat, and of
  them only by who may see what it is about (a comment never reaches further than its decision). (An
  agenda request is a case for the whole table: the members see what is asked of their meeting.)
* *do*: on top of seeing, the role in the body decides (see ``_ROLES_FOR``).

The policy knows items only through the mixins of ``core.db``. A hidden item must be
indistinguishable from a missing one: callers turn ``NotVisible`` into a 404.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from functools import cache, wraps
from typing import Any, NamedTuple, ParamSpec, TypeVar, cast

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Connection, and_, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from auth.models import AudienceGrant, IdentityProvider, Invitation, Membership, Organisation, Role, User
from core.db import Audience, AudienceMixin, BodyMixin, ScaffoldingMixin, Side, SubmittedMixin, is_storable_id
from core.errors import NotPermitted, NotVisible
from core.extensions import db
from core.refs import ObjectRef, model_for_table


class Action(enum.StrEnum):
    VIEW = "view"
    #: The secretariat's work in a body: cycles, agendas, decisions, attendance, minutes.
    MANAGE = "manage"
    #: Taking part: submitting agenda requests, commenting on a concept besluitenlijst.
    PARTICIPATE = "participate"
    #: Reading an item's audit history.
    VIEW_HISTORY = "view_history"
    #: Organisations, users, memberships and bodies (the beheerder).
    ADMINISTER = "administer"
    #: Inviting people into a body, and sending again or withdrawing such an invitation: the
    #: beheerder, and the body's secretariat where the beheerder allows it.
    INVITE = "invite"
    #: The body's access review: who holds which role since when, open invitations, named people.
    REVIEW_ACCESS = "review_access"
    #: Recording that the periodic access review of a body was done.
    CONFIRM_REVIEW = "confirm_review"


_ROLES_FOR: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.MANAGE: frozenset({Role.SECRETARIAAT}),
    Action.PARTICIPATE: frozenset({Role.SECRETARIAAT, Role.DEELNEMER}),
    Action.VIEW_HISTORY: frozenset({Role.SECRETARIAAT, Role.AUDITOR}),
    Action.ADMINISTER: frozenset(),
    # Only where the body allows it (``secretariat_invites``), and only for the roles below.
    Action.INVITE: frozenset({Role.SECRETARIAAT}),
    Action.REVIEW_ACCESS: frozenset({Role.SECRETARIAAT, Role.AUDITOR}),
    Action.CONFIRM_REVIEW: frozenset({Role.SECRETARIAAT}),
}

#: What the beheerder does in every body, member or not (bodies are theirs to arrange).
_BEHEERDER_IN_BODIES = frozenset(
    {Action.ADMINISTER, Action.VIEW_HISTORY, Action.INVITE, Action.REVIEW_ACCESS, Action.CONFIRM_REVIEW}
)

#: The roles a body's secretariat may invite people into. The roles that read the history and ask
#: for a second factor (secretariaat, auditor) are the beheerder's to give: a secretariat does not
#: choose who audits it.
_SECRETARIAT_INVITES = frozenset({Role.DEELNEMER, Role.WAARNEMER})

_SIDE_AUDIENCE = {Side.RIJK: Audience.RIJK, Side.REGIO: Audience.REGIO}

_ADMIN_OBJECTS = (Organisation, User, Membership, IdentityProvider)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def audiences_for(user: User) -> list[Audience]:
    """The audiences whose items this user's side may see (membership still applies)."""
    return [Audience.OPENBAAR, Audience.OVERLEG, _SIDE_AUDIENCE[user.side]]


def audience_admits(user: User, obj: Any) -> bool:
    """Whether ``obj``'s audience admits ``user`` (membership and publication aside)."""
    if obj.audience is Audience.VERTROUWELIJK:
        return (obj.__tablename__, obj.id) in user.grant_keys
    return obj.audience in audiences_for(user)


def _sees(user: User, role: Role, obj: Any) -> bool:
    if isinstance(obj, ScaffoldingMixin):
        return any(_sees(user, role, whole) for whole in _wholes(obj))
    if isinstance(obj, AudienceMixin):
        if not audience_admits(user, obj):
            return False
        return role is Role.SECRETARIAAT or obj.is_released()
    if isinstance(obj, SubmittedMixin):
        if not (role is Role.SECRETARIAAT or obj.organisation_id == user.organisation_id):
            return False
        return any(_sees(user, role, whole) for whole in _wholes(obj, type(obj).submitted_on()))
    return True


def _wholes(obj: Any, belongs: tuple[type[Any], Any] | None = None) -> list[Any]:
    """What ``obj`` is part of, as the database holds it: the meeting(s) a piece of scaffolding hangs off
    (``belongs_to``), or what a submitted item is about (``belongs``)."""
    if obj.id is None:
        return []
    model = type(obj)
    whole, joined = belongs or model.belongs_to()
    return list(db.session.scalars(select(whole).join(model, joined).where(model.id == obj.id)))


def can(user: Any, action: Action | str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` on ``obj``? ``obj`` is None only for global actions."""
    if not _signed_in(user):
        return False
    action = Action(action)
    if obj is None or isinstance(obj, _ADMIN_OBJECTS):
        return action in (Action.ADMINISTER, Action.VIEW, Action.VIEW_HISTORY) and user.is_beheerder
    if isinstance(obj, Invitation):
        return _on_invitation(user, action, obj)
    if isinstance(obj, BodyMixin) and user.is_beheerder and action in _BEHEERDER_IN_BODIES:
        return True
    body_id = getattr(obj, "body_id", None)
    if body_id is None:
        return False  # not in a body and not an account: the policy knows nothing that allows it
    role = user.role_in(body_id)
    if role is None or not _sees(user, role, obj):
        return False
    if action is Action.INVITE and not (isinstance(obj, BodyMixin) and obj.secretariat_invites):
        return False
    return role in _ROLES_FOR[action]


def _on_invitation(user: User, action: Action, invitation: Invitation) -> bool:
    """An invitation is an account's: the beheerder's, and the secretariat's of the body whose page
    sent it (where that body lets its secretariat invite); who reviews that body's access sees it."""
    if user.is_beheerder:
        return action in (Action.VIEW, Action.INVITE, Action.ADMINISTER)
    if invitation.body_id is None:
        return False
    role = user.role_in(invitation.body_id)
    if action is Action.VIEW:
        return role in _ROLES_FOR[Action.REVIEW_ACCESS]
    if action is Action.INVITE:
        body = db.session.get(_body_model(), invitation.body_id)
        return body is not None and can(user, Action.INVITE, body)
    return False


def grantable_roles(user: Any, body: Any) -> frozenset[Role]:
    """The roles ``user`` may invite someone into ``body`` with (empty: none)."""
    if not can(user, Action.INVITE, body):
        return frozenset()
    return frozenset(Role) if user.is_beheerder else _SECRETARIAT_INVITES


@cache
def _body_model() -> type[Any]:
    """The mapped class of the bodies (it lives in a package above this one)."""
    from core.db import Base

    return next(m.class_ for m in Base.registry.mappers if issubclass(m.class_, BodyMixin))


def holds_role(user: Any, obj: Any, roles: frozenset[Role]) -> bool:
    """Whether the user sees ``obj`` and holds one of ``roles`` in its body (for declared workflows)."""
    return can(user, Action.VIEW, obj) and user.role_in(obj.body_id) in roles


def ensure(user: Any, action: Action | str, obj: Any = None) -> None:
    """Raise ``NotVisible`` when the user may not even see ``obj``, else ``NotPermitted``."""
    if can(user, action, obj):
        return
    if obj is not None and not isinstance(obj, _ADMIN_OBJECTS) and not can(user, Action.VIEW, obj):
        raise NotVisible(getattr(obj, "__tablename__", None), getattr(obj, "id", None))
    raise NotPermitted(obj=obj)


def get_visible(user: Any, model: type[T], ident: int, *options: Any) -> T:
    """Load one item by id for ``user``; ``NotVisible`` when it is missing or hidden alike."""
    # populate_existing: an object already in the session would otherwise ignore the options.
    fits = ident is not None and is_storable_id(ident)
    obj = db.session.get(model, ident, options=options, populate_existing=bool(options)) if fits else None
    if obj is None or not can(user, Action.VIEW, obj):
        raise NotVisible(getattr(model, "__tablename__", None), ident)
    return obj


def visible(user: Any, model: type[Any]) -> ColumnElement[bool]:
    """The WHERE clause that keeps only the rows of ``model`` this user may see."""
    if not _signed_in(user):
        return false()
    body_ids = list(user.roles)
    secretariat_of = [b for b, r in user.roles.items() if r is Role.SECRETARIAAT]
    if issubclass(model, BodyMixin):
        return cast(Any, model).id.in_(body_ids)
    clauses: list[ColumnElement[bool]] = [model.body_id.in_(body_ids)]
    if issubclass(model, ScaffoldingMixin):
        whole, joined = model.belongs_to()
        clauses.append(exists(select(whole.id).where(joined, visible(user, whole))))
    elif issubclass(model, AudienceMixin):
        table: Any = model  # a mapped class: it has a table name and an id
        named = exists().where(
            AudienceGrant.object_type == table.__tablename__,
            AudienceGrant.object_id == table.id,
            AudienceGrant.user_id == user.id,
        )
        clauses.append(
            or_(model.audience.in_(audiences_for(user)), and_(model.audience == Audience.VERTROUWELIJK, named))
        )
        released = model.released_clause()
        if released is not None:
            clauses.append(or_(released, model.body_id.in_(secretariat_of)))
    elif issubclass(model, SubmittedMixin):
        clauses.append(or_(model.organisation_id == user.organisation_id, model.body_id.in_(secretariat_of)))
        whole, joined = model.submitted_on()
        clauses.append(exists(select(whole.id).where(joined, visible(user, whole)).correlate_except(whole)))
    return and_(*clauses)


def bodies_where(user: Any, action: Action | str) -> list[int]:
    """Ids of the bodies in which the user's role allows ``action`` (e.g. where to offer "new")."""
    if not _signed_in(user):
        return []
    roles = _ROLES_FOR[Action(action)]
    return [body_id for body_id, role in user.roles.items() if role in roles]


def requires(action: Action) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """For views of a global action (beheer): refuse unless the current user may do it."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            ensure(current_user, action)
            return view(*args, **kwargs)

        return guarded

    return decorate


# --- the audit trail ------------------------------------------------------------------------------

#: Tables whose records concern an account rather than a body. An identity provider's records (its
#: settings, refused sign-ins through it) are the beheerder's alone: no side's auditor reads them.
_ACCOUNT_TABLES = {"users", "organisations", "themes", "identity_providers"}


class Reading(NamedTuple):
    """What a reader may read of one audit record."""

    #: The record may be listed at all: its object is one the reader may read the history of now.
    shown: bool
    #: Its new values (and its label and reason) were readable by the reader when they were current.
    after: bool
    #: Its old values were readable by the reader when they were current (just before the change).
    before: bool


HIDDEN = Reading(False, False, False)


#: Given the subjects of a batch of records that no longer exist, the record of each one's deletion.
Deletions = Callable[[set[tuple[str, int]]], Mapping[tuple[str, int], Mapping[str, Any]]]


def readable_records(
    user: Any, records: Sequence[Mapping[str, Any]], deletions: Deletions | None = None
) -> list[Reading]:
    """What ``user`` may read of each audit record of a batch (for history pages and exports), in order.

    A record is about a *subject*: the changed object itself when it lives in a body, else the object
    it belongs to (a case for its events, a document for who was named on it; for a refused access,
    the object asked for). It may be listed when the user may read the history of the subject's body
    (secretariat, auditor) and may see the subject now (or, if it was deleted, its last state admitted
    them: the state its deletion record sealed, which ``deletions`` looks up); account records (users,
    organisations, sign-ins) are for the beheerder and, for accounts on their own side, for those who
    read some body's history.

    Visibility holds over time: a value is readable only by whom the subject's state admitted while
    that value was current. Each record carries the state after the change and, for an update, the
    state before (``reading_states``: audience, the people named on a vertrouwelijk item, whether it
    was released yet). New values are judged by the first, old values by the second. Widening an
    audience later does not publish what was written under the narrower one.

    Whatever is left out leaves no trace in the export: not even a placeholder, whose time and
    sequence number would tell that something happened where the reader may not look.
    """
    if not _signed_in(user):
        return [HIDDEN] * len(records)
    history_bodies = set(bodies_where(user, Action.VIEW_HISTORY))
    subjects = [_subject(record) for record in records]
    in_bodies = {s for s in subjects if s is not None and s[0] not in _ACCOUNT_TABLES}
    visible_now = _visible_ids(user, in_bodies)
    gone = in_bodies - visible_now.keys()
    last_states = {s: _states_of(r)[1] for s, r in deletions(gone).items()} if deletions and gone else {}
    account_sides = _account_sides({s for s in subjects if s is not None and s[0] in ("users", "organisations")})
    verdicts = []
    for record, subject in zip(records, subjects, strict=True):
        if subject is None:
            verdicts.append(_whole(user.is_beheerder))
        elif subject[0] == "themes":
            verdicts.append(_whole(_reads_theme_history(user, history_bodies)))
        elif subject[0] in _ACCOUNT_TABLES:
            verdicts.append(
                _whole(user.is_beheerder or (bool(history_bodies) and account_sides.get(subject) == user.side))
            )
        else:
            verdicts.append(_reading(user, record, subject, history_bodies, visible_now, last_states))
    return verdicts


def _reads_theme_history(user: Any, history_bodies: set[int]) -> bool:
    """Themes belong to no body: their history is the beheerder's and that of whoever reads some body's."""
    return bool(user.is_beheerder or history_bodies)


def ensure_history(user: Any, obj: Any) -> None:
    """May ``user`` open the history page of ``obj`` (``/geschiedenis/<table>/<id>``)? Else ``NotVisible``
    when they may not even see it, ``NotPermitted`` when they see it but not its history.

    A part (a case's history line, a nota's route step) is judged by the whole it belongs to, as its
    records are (``readable_records``); a theme as its records are; an account is the beheerder's. Which
    records the page then lists, and which of their values, ``readable_records`` decides.
    """
    asked = ObjectRef.of(obj)
    subject = _history_subject(obj)
    if subject is None:
        raise NotVisible(asked.table, asked.id)
    if ObjectRef.of(subject).table == "themes":
        if _signed_in(user) and _reads_theme_history(user, set(bodies_where(user, Action.VIEW_HISTORY))):
            return
        raise NotVisible(asked.table, asked.id)
    if can(user, Action.VIEW_HISTORY, subject):
        return
    # Whoever may not even see the object must not learn that it exists.
    if can(user, Action.VIEW, subject):
        raise NotPermitted(_("De geschiedenis is voor het secretariaat en de auditors."), obj=obj)
    raise NotVisible(asked.table, asked.id)


def _history_subject(obj: Any) -> Any | None:
    """The object whose history rules apply to ``obj``: itself when it lives in a body or is an account or
    a theme, else the whole its ``audit_main_object`` names (None when it names none, or it is gone)."""
    if hasattr(obj, "body_id") or obj.__tablename__ in _ACCOUNT_TABLES:
        return obj
    whole = ObjectRef.parse(obj.audit_main_object())
    return whole.load(db.session) if whole is not None else None


def _whole(allowed: bool) -> Reading:
    return Reading(allowed, allowed, allowed)


def _subject(record: Mapping[str, Any]) -> tuple[str, int] | None:
    if record["action"] == "access_refused":
        ref = ObjectRef(record["object_type"], record["object_id"]) if record["object_id"] is not None else None
    elif record["body_id"] is None and record["main_object"]:
        ref = ObjectRef.parse(record["main_object"])
    else:
        return (record["object_type"], int(record["object_id"])) if record["object_id"] is not None else None
    return (ref.table, ref.id) if ref is not None else None


def _visible_ids(user: Any, subjects: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, bool]]:
    """For each existing subject: its body and whether the user may see it. One query per table."""
    from sqlalchemy import select

    by_table: dict[str, set[int]] = {}
    for table, ident in subjects:
        by_table.setdefault(table, set()).add(ident)
    found: dict[tuple[str, int], tuple[int, bool]] = {}
    for table, ids in by_table.items():
        model: Any = model_for_table(table)
        if model is None:
            continue
        body = model.id if issubclass(model, BodyMixin) else getattr(model, "body_id", None)
        if body is None:
            continue
        for ident, body_id, seen in db.session.execute(
            select(model.id, body, visible(user, model)).where(model.id.in_(ids))
        ):
            found[(table, ident)] = (body_id, bool(seen))
    return found


def _account_sides(subjects: set[tuple[str, int]]) -> dict[tuple[str, int], Side]:
    from sqlalchemy import select

    sides: dict[tuple[str, int], Side] = {}
    user_ids = [ident for table, ident in subjects if table == "users"]
    organisation_ids = [ident for table, ident in subjects if table == "organisations"]
    if user_ids:
        for ident, side in db.session.execute(
            select(User.id, Organisation.side).join(Organisation).where(User.id.in_(user_ids))
        ):
            sides[("users", ident)] = side
    if organisation_ids:
        for ident, side in db.session.execute(
            select(Organisation.id, Organisation.side).where(Organisation.id.in_(organisation_ids))
        ):
            sides[("organisations", ident)] = side
    return sides


def _reading(
    user: Any,
    record: Mapping[str, Any],
    subject: tuple[str, int],
    history_bodies: set[int],
    visible_now: dict[tuple[str, int], tuple[int, bool]],
    last_states: Mapping[tuple[str, int], Mapping[str, Any]],
) -> Reading:
    after, before = _states_of(record)
    if subject in visible_now:
        body_id, seen = visible_now[subject]
        if not (seen and body_id in history_bodies):
            return HIDDEN
        secretariat = user.role_in(body_id) is Role.SECRETARIAAT
        return Reading(True, _admits(user, after, secretariat, subject), _admits(user, before, secretariat, subject))
    # Deleted since: listed only where the state it was deleted in admits the reader (and never a
    # vertrouwelijk item whose names went with it unless the record kept them); of a listed record, the
    # new values as the state after the change admitted, the old ones as the state before it did.
    last = last_states.get(subject) or (before if record["action"] == "delete" else after)
    if record["body_id"] not in history_bodies or last.get("audience") is None:
        return HIDDEN
    secretariat = user.role_in(record["body_id"]) is Role.SECRETARIAAT
    if not _admits(user, last, secretariat, None):
        return HIDDEN
    return Reading(True, _admits(user, after, secretariat, None), _admits(user, before, secretariat, None))


def _states_of(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The subject's state after and before the change the record describes.

    Records written before states were kept carry only the audience after the change; the one before
    is then the old value of ``audience`` when the change moved it, else the same.
    """
    kept = record.get("visibility") or {}
    if kept:
        after = kept.get("after") or {}
        return after, kept.get("before") or after
    after = {"audience": record["audience"]} if record["audience"] is not None else {}
    moved = (record.get("changes") or {}).get("audience")
    if record["action"] == "update" and isinstance(moved, list) and moved and moved[0] is not None:
        return after, {"audience": moved[0]}
    return after, after


def _admits(user: Any, state: Mapping[str, Any], secretariat: bool, subject: tuple[str, int] | None) -> bool:
    """Whether a subject in ``state`` admitted ``user``: audience or named, and released or secretariat."""
    audience = state.get("audience")
    if audience is None:
        return True  # nothing that varies over time decides it: the subject's present visibility does
    if audience == Audience.VERTROUWELIJK.value:
        named = state.get("named")
        admitted = user.id in named if named is not None else subject is not None and subject in user.grant_keys
    else:
        admitted = audience in {a.value for a in audiences_for(user)}
    return admitted and (secretariat or state.get("released", True))


def record_states(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reading state of an audit record's subject just after and just before the change it records."""
    return _states_of(record)


def state_admits(user: Any, state: Mapping[str, Any], subject: tuple[str, int] | None = None) -> bool:
    """Whether an object in ``state`` (as an audit record sealed it) admitted ``user`` by its audience or by
    the people it named then. Publication aside: the caller knows when that came (an agenda's publication
    is recorded on its meeting, not on each of its items). For *what's new*: an item the reader could not
    see before is new to them, whatever its age, and its past changes are none of their business."""
    return _signed_in(user) and _admits(user, state, True, subject)


# --- who could read an object at a moment (kept by the recorder with every record) ------------------

_NAMED = "regiotafel.named"


def note_named(session: Any, obj: Any, user_ids: set[int]) -> None:
    """The people ``obj`` will be shared with once the service that shares it is done.

    ``share`` writes the item (which needs an id) before its grants: the item's record must already
    carry the people it is meant for, not the ones it had for a moment in between.
    """
    session.info.setdefault(_NAMED, {})[id(obj)] = (obj, frozenset(user_ids))


def forget_named(session: Any, obj: Any) -> None:
    session.info.get(_NAMED, {}).pop(id(obj), None)


def reading_states(
    session: Any, refs: set[tuple[str, int]], *, as_shared: bool = False
) -> dict[tuple[str, int], dict[str, Any]]:
    """Who could read each of these objects as the session's transaction holds them now (``as_shared``:
    with the people a ``share`` under way is about to name, see ``note_named``).

    A state is a small JSON object: ``audience``; ``named`` (user ids) for a vertrouwelijk item;
    ``released: false`` while it waits for publication. Scaffolding takes its meeting's state. Objects
    whose readers do not change over time (accounts, comments, bodies) have none.
    """
    connection: Connection = session.connection()
    by_table: dict[str, set[int]] = {}
    for table, ident in refs:
        by_table.setdefault(table, set()).add(ident)
    states: dict[tuple[str, int], dict[str, Any]] = {}
    through: dict[tuple[str, int], tuple[str, int]] = {}
    for table, ids in by_table.items():
        model: Any = model_for_table(table)
        if model is not None and issubclass(model, ScaffoldingMixin):
            whole, joined = model.belongs_to()
            for ident, whole_id in connection.execute(
                select(model.id, whole.id).join(whole, joined).where(model.id.in_(ids))
            ):
                through[(table, ident)] = (whole.__tablename__, whole_id)
    wholes: dict[str, set[int]] = {}
    for table, ident in through.values():
        wholes.setdefault(table, set()).add(ident)
    for table, ids in [*by_table.items(), *wholes.items()]:
        model = model_for_table(table)
        if model is None or not issubclass(model, AudienceMixin):
            continue
        released = model.released_clause()
        for ident, audience, is_released in connection.execute(
            select(model.id, model.audience, released if released is not None else true()).where(model.id.in_(ids))
        ):
            state: dict[str, Any] = {"audience": Audience(audience).value}
            if not is_released:
                state["released"] = False
            states[(table, ident)] = state
    confidential = {key for key, state in states.items() if state["audience"] == Audience.VERTROUWELIJK.value}
    for key in confidential:
        states[key]["named"] = []
    for table in {t for t, _i in confidential}:
        for ident, user_id in connection.execute(
            select(AudienceGrant.object_id, AudienceGrant.user_id).where(
                AudienceGrant.object_type == table,
                AudienceGrant.object_id.in_([i for t, i in confidential if t == table]),
            )
        ):
            states[(table, ident)]["named"].append(user_id)
    for obj, named in session.info.get(_NAMED, {}).values() if as_shared else ():
        key = (obj.__tablename__, obj.id)
        if key in states and states[key]["audience"] == Audience.VERTROUWELIJK.value:
            states[key]["named"] = list(named)
    for key in confidential | {k for k in states if "named" in states[k]}:
        states[key]["named"] = sorted(set(states[key]["named"]))
    for key, whole_key in through.items():
        if whole_key in states:
            states[key] = states[whole_key]
    return {key: states[key] for key in refs if key in states}


def publishable(model: type[Any]) -> ColumnElement[bool]:
    """What may go out to the public (a Woo package): openbaar, and past any publication step.

    No secretariat sees more here than anyone else: this is the reader outside the table.
    """
    clauses: list[ColumnElement[bool]] = [model.audience == Audience.OPENBAAR]
    released = model.released_clause()
    if released is not None:
        clauses.append(released)
    return and_(*clauses)


def is_publishable(obj: Any) -> bool:
    return isinstance(obj, AudienceMixin) and obj.audience is Audience.OPENBAAR and obj.is_released()


#: Meetings whose openbaar agenda may go out to the public with the meeting's title, date, place, chair
#: and kenmerk: those of the whole table.
_PUBLISHES_AGENDA = frozenset({Audience.OPENBAAR, Audience.OVERLEG})


def publishes_agenda(meeting: Any) -> bool:
    """Whether a Woo package of ``meeting`` may exist. Of a meeting for one side (or for named people)
    nothing is the public's, not even when and where it is: the other side must not learn that it
    exists, and nothing on it can be openbaar anyway (no part reaches further than its whole)."""
    return isinstance(meeting, AudienceMixin) and meeting.audience in _PUBLISHES_AGENDA
