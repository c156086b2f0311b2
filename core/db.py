"""The declarative base, shared column types, the session extension and the audience mixin."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from flask import Flask, abort, current_app, request
from flask.globals import app_ctx
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    MetaData,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    false,
    select,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    scoped_session,
    sessionmaker,
)

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _system_clock() -> datetime:
    return datetime.now(UTC)


#: Tests move time by replacing this (``tests.conftest.clock``); nothing else should.
clock: Callable[[], datetime] = _system_clock


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC: the only kind of datetime we store."""
    return clock()


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored in UTC and always returned timezone-aware.

    SQLite has no timezone type, so there we store naive UTC and attach UTC on the way out;
    PostgreSQL keeps ``timestamptz``. Naive datetimes are refused: their meaning is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_storable_id(ident: int) -> bool:
    """Whether ``ident`` fits an id column (INTEGER: 32 bits on PostgreSQL). A larger number in a URL
    names no row, and asking the database about it would fail instead of finding nothing."""
    return -(2**31) <= ident < 2**31


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Enums are stored as their (Dutch) values in a VARCHAR, not as a native type, so adding a
    # state later is a model change, not an ALTER TYPE on PostgreSQL.
    type_annotation_map = {
        datetime: UTCDateTime(),
        date: Date(),
        str: String(200),
        dict[str, Any]: JSON(),
        enum.Enum: SAEnum(
            enum.Enum,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
    }

    #: Columns whose values never go into the audit trail (only that they changed).
    __audit_secret__: frozenset[str] = frozenset()
    #: False for bookkeeping tables (the audit trail itself, session records).
    __audited__: bool = True
    #: Columns derived from others (a document's extracted text), left out of the audit trail.
    __audit_omit__: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        table = cls.__dict__.get("__table__")
        if table is not None and table.autoincrement_column is not None:
            # An id is never handed out twice: the audit trail names objects by table and id, so a new
            # row with a removed one's id would inherit its history. PostgreSQL's sequences never reuse
            # one; SQLite does unless the table says AUTOINCREMENT (migration b1d0a17e5c01).
            table.dialect_kwargs["sqlite_autoincrement"] = True

    @property
    def audit_label(self) -> str:
        """A readable name for this object in the audit trail and in messages."""
        return f"{type(self).__name__} {getattr(self, 'id', '?')}"

    def audit_main_object(self) -> str | None:
        """The object this one belongs to, as "table/id", for the trail's hoofdObject. Own columns only."""
        return None


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
title_text = Annotated[str, mapped_column(String(200))]
long_text = Annotated[str, mapped_column(Text, default="")]


class Side(enum.StrEnum):
    """The two sides of every consultation: each organisation is on one of them."""

    RIJK = "rijk"
    REGIO = "regio"


class Audience(enum.StrEnum):
    """Who may see an item, within the members of its body."""

    OPENBAAR = "openbaar"  # publishable, e.g. in a Woo package
    OVERLEG = "overleg"  # all members of the body
    RIJK = "rijk"  # members on the Rijk side only
    REGIO = "regio"  # members on the regio side only
    VERTROUWELIJK = "vertrouwelijk"  # named members only


class AudienceMixin:
    """Gives a model an audience and the body whose members may see it.

    The policy (``auth.policy``) knows items only through this mixin. ``body_id`` is stored on
    every item, even where a join could find it, so that a visibility filter is a plain WHERE
    on the item's own table. A model whose items are only visible after some publication step
    overrides ``released_clause`` (SQL, for lists) and ``is_released`` (Python, for one item);
    the two must agree, and the tests check that they do.
    """

    audience: Mapped[Audience] = mapped_column(default=Audience.OVERLEG)

    if TYPE_CHECKING:  # every model with this mixin is mapped and has these
        __tablename__: str
        id: Mapped[int]

    @declared_attr
    def body_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("bodies.id"), index=True)

    @classmethod
    def released_clause(cls) -> ColumnElement[bool] | None:
        """SQL condition under which members other than the secretariat may see the item."""
        return None

    def is_released(self) -> bool:
        return True


class VersionedMixin:
    """An object a form edits: its row counts its changes, and SQLAlchemy's ``version_id_col`` makes
    every UPDATE say ``WHERE version = <the version read>``. A form carries the version it was opened
    with, so that a save against a newer one changes nothing (``core.conflicts``); and a write racing
    another one on PostgreSQL finds no row to update instead of silently overwriting it."""

    #: 1 for a new row, one more with every UPDATE of it.
    version: Mapped[int] = mapped_column(server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class BodyMixin:
    """The consultation body itself: the scope on which every other item's visibility hangs."""

    @declared_attr
    def secretariat_invites(cls) -> Mapped[bool]:
        #: The beheerder lets this body's secretariat invite people into it (as deelnemer or
        #: waarnemer). The policy reads it here, as it reads audiences through their mixin.
        return mapped_column(default=False, server_default=false())

    @property
    def body_id(self) -> int:
        return self.id  # type: ignore[attr-defined]


class ScaffoldingMixin:
    """Scaffolding of a meeting: a cycle, its milestones, a meeting's attendance. It has no audience of
    its own: whoever may see the meeting it belongs to sees it, and nobody else, so that a meeting for
    one side does not show through its dates, its plan or who replaced whom at it.

    The policy derives this; a model only says which meeting it hangs off, as SQL::

        @classmethod
        def belongs_to(cls) -> tuple[type, ColumnElement[bool]]:
            return Meeting, Meeting.cycle_id == cls.id
    """

    if TYPE_CHECKING:
        __tablename__: str
        id: Mapped[int]
        body_id: Mapped[int]

        @classmethod
        def belongs_to(cls) -> tuple[type[Any], ColumnElement[bool]]: ...


class SubmittedMixin:
    """An item one organisation addresses to a body's secretariat, such as a comment on a concept
    decision. Only that organisation's users and the secretariat see it, and of them only who may see
    what it is about: a comment is part of its decision and reaches no further (a regio member's
    comment on a regio-only decision tells the Rijk's secretariat nothing). A model says what it is
    about, as SQL::

        @classmethod
        def submitted_on(cls) -> tuple[type, ColumnElement[bool]]:
            return Decision, Decision.id == cls.decision_id
    """

    if TYPE_CHECKING:
        __tablename__: str
        id: Mapped[int]

        @classmethod
        def submitted_on(cls) -> tuple[type[Any], ColumnElement[bool]]: ...

    @declared_attr
    def body_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("bodies.id"), index=True)

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisations.id"), index=True)


class AppSession(Session):
    """The app's session: bound to the current app's engine, unless bound explicitly (tests).

    The packages' flush listeners (the audit recorder, the search index, the named people of a deleted
    item) listen on this class, registered by their ``init_app``, not on SQLAlchemy's ``Session``: a
    session that is not the app's (a script's, a library's) records and indexes nothing of ours.
    """

    def get_bind(self, mapper: Any = None, clause: Any = None, **kw: Any) -> Any:
        if self.bind is not None:
            return self.bind
        return current_app.extensions["regiotafel.db"]


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


class Database:
    """The engine per app and one session per app context (what we need of Flask-SQLAlchemy)."""

    def __init__(self) -> None:
        self.Model = Base
        self.metadata = Base.metadata
        # Objects stay readable after commit: a request commits once and then only redirects, and
        # the audit recorder needs the loaded values of an object to know its "before".
        self.session = scoped_session(
            sessionmaker(class_=AppSession, expire_on_commit=False), scopefunc=_app_context_id
        )

    def init_app(self, app: Flask) -> None:
        app.extensions["regiotafel.db"] = make_engine(
            app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"]
        )
        app.teardown_appcontext(self._remove_session)
        app.before_request(self._writers_first)

    def _writers_first(self) -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.begin_write()

    def _remove_session(self, exc: BaseException | None) -> None:
        # Closing rolls back whatever a failed request left uncommitted. When the connection died after
        # the response was made (the network to the database cut between a commit and the end of the
        # request), that rollback fails: the response stands, since what it says happened did (the
        # commit is done, or nothing was), instead of becoming gunicorn's bare 500. SQLAlchemy has
        # invalidated the dead connection; the pool replaces it.
        try:
            self.session.remove()
        except (OperationalError, InterfaceError) as error:
            logging.getLogger(__name__).warning("closing the session: the connection is gone: %s", error)
            self.session.registry.clear()

    def begin_write(self) -> None:
        """Start the session's transaction as a writer's (IMMEDIATE on SQLite), unless one is open.

        Called before a POST request's first query and by the outermost service, so that writers
        queue at the start instead of failing halfway. PostgreSQL ignores the option.
        """
        if not self.session().in_transaction():
            self.session.connection(execution_options={"sqlite_immediate": True})

    def get_or_404(self, model: type[T], ident: Any, *options: Any) -> T:
        """An item by primary key, or a 404 (for items outside the visibility policy only)."""
        # A number from a URL that no id column can hold names no row; the database would fail on it.
        fits = not isinstance(ident, int) or is_storable_id(ident)
        obj = self.session.get(model, ident, options=options) if fits else None
        if obj is None:
            abort(404)
        return obj

    def lock(self, obj: Any) -> None:
        """Hold ``obj``'s row until the transaction ends, and read it anew: a state change that two people
        make at once (publishing, adopting, settling, a workflow step) takes turns, and the second one
        judges the state the first one left. Call it before changing ``obj``: the reading discards
        changes not yet flushed. On SQLite the writer's lock taken at the start already serialises."""
        model = type(obj)
        self.session.execute(select(model.id).where(model.id == obj.id).with_for_update())
        self.session.refresh(obj)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["regiotafel.db"]


#: SQLite's result codes and PostgreSQL's SQLSTATE classes for a database that cannot take more: its
#: disk is full (SQLITE_FULL, 53100 disk_full), out of resources (class 53) or over a limit (class 54:
#: a value too large for a column).
_FULL_SQLITE = frozenset({"SQLITE_FULL", "SQLITE_TOOBIG"})
_FULL_SQLSTATE = ("53", "54")


def is_storage_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, the driver's error it wraps, or an error it happened while handling, says that the
    database cannot store more. (SQLite rolls the whole transaction back on a full disk; the savepoint's
    rollback then fails, with the full disk as its context.)"""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for error in (exc, getattr(exc, "orig", None)):
            if getattr(error, "sqlite_errorname", None) in _FULL_SQLITE:
                return True
            if str(getattr(error, "sqlstate", None) or "").startswith(_FULL_SQLSTATE):
                return True
        exc = exc.__cause__ or exc.__context__
    return False


def make_engine(url: str, *, busy_timeout_ms: int = 30_000) -> Engine:
    """An engine for ``url``; on SQLite with WAL, foreign keys and a busy timeout on every connection."""
    if not url.startswith("sqlite"):
        # Sessions in UTC, whatever the server's default: what we read back is what we stored.
        return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c timezone=utc"})
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we emit BEGIN
        # ourselves in the "begin" hook below (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A transaction that will write starts IMMEDIATE: it takes the write lock up front. A
        # deferred one that read first and writes later fails outright (SQLITE_BUSY_SNAPSHOT) when
        # another writer committed in between; waiting at BEGIN is what the busy timeout is for.
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
