"""ids are never reused: SQLite tables get AUTOINCREMENT (PostgreSQL's sequences never reuse one)

The audit trail names its subjects by table and id. On SQLite without AUTOINCREMENT a new row takes the
id of the highest one deleted before it, and the history of the new agenda item then held the records
of the removed one, judged as if they were its own (the leak hunter, seed 20261210). Each table is
rebuilt from its own CREATE statement, changed only in its primary key, so that every constraint stays
exactly as it was; its sequence starts past every id the trail has ever named for it.

Revision ID: b1d0a17e5c01
Revises: a7e1c0de5a11
Create Date: 2026-12-07 17:55:00
"""

import re

from alembic import op


revision = 'b1d0a17e5c01'
down_revision = 'a7e1c0de5a11'
branch_labels = None
depends_on = None

#: Every table with an integer id at this revision, but the trail's own (its ids are its chain's).
TABLES = (
    'access_reviews', 'access_tokens', 'agenda_items', 'attendance_notices', 'attendances', 'audience_grants',
    'bodies', 'calendar_feeds', 'case_attachments', 'case_events', 'cases', 'cycles', 'decision_comments',
    'decisions', 'documents', 'dossier_links', 'identity_providers', 'invitations', 'login_attempts',
    'meetings', 'memberships', 'milestones', 'minutes', 'nota_route', 'notes', 'notifications',
    'organisations', 'password_resets', 'recovery_codes', 'search_entries', 'seats', 'standing_items',
    'themes', 'user_sessions', 'users',
)

_PLAIN_ID = re.compile(r'^(\s*)id INTEGER NOT NULL,', re.MULTILINE)
_SERIAL_ID = re.compile(r'^(\s*)id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,', re.MULTILINE)
_NAME = re.compile(r'^CREATE TABLE "?(\w+)"? \(')


def _with_autoincrement(sql: str, table: str) -> str:
    key = re.compile(rf',\s*CONSTRAINT pk_{table} PRIMARY KEY \(id\)')
    if not (_PLAIN_ID.search(sql) and key.search(sql)):
        raise RuntimeError(f'{table}: not the primary key this migration knows how to change: {sql}')
    return key.sub('', _PLAIN_ID.sub(r'\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,', sql, count=1), count=1)


def _without_autoincrement(sql: str, table: str) -> str:
    if not _SERIAL_ID.search(sql):
        raise RuntimeError(f'{table}: no AUTOINCREMENT to take away: {sql}')
    plain = _SERIAL_ID.sub(r'\1id INTEGER NOT NULL,', sql, count=1)
    return plain[: plain.rindex(')')].rstrip() + f', \n\tCONSTRAINT pk_{table} PRIMARY KEY (id)\n)'


def _rebuild(change) -> None:
    """SQLite's way to change a table: a new one from the changed statement, the rows copied, the old one
    dropped, the new one renamed, its indexes made again (env.py has foreign keys off meanwhile)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    for table in TABLES:
        sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
        indexes = [
            row[0]
            for row in bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
            )
        ]
        changed = _NAME.sub(f'CREATE TABLE _rebuilt_{table} (', change(sql, table), count=1)
        columns = ', '.join(f'"{row[1]}"' for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")'))
        bind.exec_driver_sql(changed)
        bind.exec_driver_sql(f'INSERT INTO _rebuilt_{table} ({columns}) SELECT {columns} FROM "{table}"')
        bind.exec_driver_sql(f'DROP TABLE "{table}"')
        bind.exec_driver_sql(f'ALTER TABLE _rebuilt_{table} RENAME TO "{table}"')
        for index in indexes:
            bind.exec_driver_sql(index)
    if change is _with_autoincrement:
        _start_past_the_trail(bind)


def _start_past_the_trail(bind) -> None:
    for table in TABLES:
        named = bind.exec_driver_sql(
            'SELECT max(object_id) FROM audit_records WHERE object_type = ?', (table,)
        ).scalar()
        highest = bind.exec_driver_sql(f'SELECT max(id) FROM "{table}"').scalar()
        start = max(named or 0, highest or 0)
        if not start:
            continue
        bind.exec_driver_sql('DELETE FROM sqlite_sequence WHERE name = ?', (table,))
        bind.exec_driver_sql('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', (table, start))


def upgrade() -> None:
    _rebuild(_with_autoincrement)


def downgrade() -> None:
    _rebuild(_without_autoincrement)
