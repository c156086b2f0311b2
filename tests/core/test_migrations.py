"""Migrations and models describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

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
