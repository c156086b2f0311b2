"""Alembic environment: the app's engine and metadata; batch mode so SQLite can alter tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    # Without disable_existing_loggers=False this silences every logger that exists already, the app's
    # own among them, in whatever process migrates: a live test server would then log no error at all.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata

# The search index's full-text parts differ per database and cannot be models (an FTS5 virtual
# table and its shadow tables on SQLite, a generated tsvector column on PostgreSQL): without these
# filters autogenerate would want to drop what the search migration made.
from search.models import include_name, include_object  # noqa: E402


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our column types as plain SQLAlchemy ones: a migration never imports the app."""
    from sqlalchemy.types import TypeDecorator

    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=current_app.config["DATABASE_URL"],
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_: object, revision: object, directives: list) -> None:  # type: ignore[type-arg]
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection, _sqlite_foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            process_revision_directives=skip_empty,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
            include_name=include_name,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
            _sqlite_check_foreign_keys(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection: Any) -> Iterator[None]:
    """SQLite alters a table by rebuilding it (batch mode): a new copy, then DROP TABLE of the old
    one. With foreign keys on, that DROP first deletes every row, and ON DELETE CASCADE takes the rows
    of other tables that refer to them along (or the DROP fails). So migrations run with them off, as
    SQLite's own procedure for altering a table says; they can only be switched outside a
    transaction, so on the driver's connection before the migrations' transaction begins."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        # Each migration committed its own transaction; what may still be open only read (the check
        # below). End it, or the pragma is ignored and the pool hands out a connection without them.
        if connection.in_transaction():
            connection.rollback()
        raw.execute("PRAGMA foreign_keys=ON")
        if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
            connection.invalidate()  # never back into the pool without its foreign keys


def _sqlite_check_foreign_keys(connection: Any) -> None:
    """Before the migrations commit: every reference still holds (SQLite checked none meanwhile)."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration broke foreign keys (table, rowid, parent, fk): {broken[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
