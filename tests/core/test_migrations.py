"""Migrations and models describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from core import create_app
from core.extensions import db
from search.models import include_name, include_object


def test_the_migrated_database_matches_the_models(app):
    """The test database was built from empty by `db upgrade`; autogenerate finds nothing to add."""
    with app.app_context(), db.engine.connect() as connection:
        # The same filters as migrations/env.py: the search index's full-text table (SQLite) or
        # tsvector column (PostgreSQL) exists only in the database, not in the models.
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": include_name, "include_object": include_object},
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], differences


@pytest.mark.own_database
def test_migrations_go_down_to_nothing_and_up_again(tmp_path):
    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "REGIOTAFEL_ENV": "test"})
    with other.app_context():
        upgrade()
        assert "agenda_items" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "audit_records" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _schema(connection: Any) -> dict[str, str]:
    return {
        name: sql
        for name, sql in connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    }


@pytest.mark.own_database
def test_ids_are_never_reused_and_the_rebuilt_tables_keep_every_constraint(tmp_path):
    """Migration b1d0a17e5c01 rebuilds SQLite's tables with AUTOINCREMENT from their own statements: the
    schema after it differs from the one before only in that, and a removed row's id stays unused."""
    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'ids.db'}", "REGIOTAFEL_ENV": "test"})
    with other.app_context():
        upgrade(revision="a7e1c0de5a11")
        with db.engine.connect() as connection:
            before = _schema(connection)
            connection.exec_driver_sql("INSERT INTO themes (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')")
            connection.exec_driver_sql("DELETE FROM themes WHERE id = 3")
            connection.commit()
        upgrade(revision="b1d0a17e5c01")  # that migration alone: later ones may add indexes of their own
        with db.engine.connect() as connection:
            after = _schema(connection)
            connection.exec_driver_sql("DELETE FROM themes WHERE id = 2")
            connection.exec_driver_sql("INSERT INTO themes (name) VALUES ('d')")
            assert connection.exec_driver_sql("SELECT max(id) FROM themes").scalar() == 3  # not 2 again
        db.engine.dispose()
    rebuilt = [name for name in after if "AUTOINCREMENT" in after[name]]
    assert len(rebuilt) == 35 and "audit_records" not in rebuilt
    assert set(after) == set(before) | {"sqlite_sequence"}
    for name, sql in before.items():
        if name in rebuilt:
            normal = re.sub(rf",\s*CONSTRAINT pk_{name} PRIMARY KEY \(id\)", "", sql)
            normal = normal.replace("id INTEGER NOT NULL,", "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", 1)
            assert after[name].replace(f'CREATE TABLE "{name}"', f"CREATE TABLE {name}") == normal.replace(
                f'CREATE TABLE "{name}"', f"CREATE TABLE {name}"
            ), name
        else:
            assert after[name] == sql, name  # indexes made again from their own statements, the rest untouched
