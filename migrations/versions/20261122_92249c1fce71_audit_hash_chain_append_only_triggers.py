"""audit hash chain, append-only triggers

Revision ID: 92249c1fce71
Revises: 7b16f3e44cd6
Create Date: 2026-11-22 22:07:13.319048
"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision = '92249c1fce71'
down_revision = '7b16f3e44cd6'
branch_labels = None
depends_on = None


GENESIS = "0" * 64

# A frozen copy of audit.chain's canonical form as it stands with this migration: a migration must
# not import the application, and the records it seals here must verify with that module forever.
_SEALED = (
    "action", "actor_label", "actor_organisation", "actor_user_id", "audience", "body_id", "changes", "id",
    "main_object", "object_id", "object_label", "object_type", "occurred_at", "origin", "prev_hash", "reason",
    "result", "service",
)


def _seal(record: dict) -> str:
    content = {}
    for name in _SEALED:
        value = record.get(name)
        if name == "occurred_at" and isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="microseconds")
        if name in ("changes", "origin") and isinstance(value, str):
            value = json.loads(value)
        content[name] = value
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


_REFUSE_SQLITE = """
CREATE TRIGGER audit_records_no_{what} BEFORE {WHAT} ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END
"""
_REFUSE_POSTGRES_FUNCTION = """
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$
"""
_REFUSE_POSTGRES = """
CREATE TRIGGER audit_records_no_{what} BEFORE {WHAT} ON audit_records
FOR EACH {scope} EXECUTE FUNCTION audit_records_append_only()
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("main_object", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_audit_records_main_object"), ["main_object"], unique=False)

    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )

    # Seal what is already there: renumber 1..N in the order of writing, then link and hash.
    connection = op.get_bind()
    typed = {"occurred_at": sa.DateTime(timezone=True), "changes": sa.JSON(), "origin": sa.JSON()}
    records = sa.table(
        "audit_records", *(sa.column(name, typed.get(name)) for name in _SEALED if name != "prev_hash"),
        sa.column("prev_hash"), sa.column("hash"),
    )
    ids = [row[0] for row in connection.execute(sa.select(records.c.id).order_by(records.c.id))]
    for old in ids:
        connection.execute(sa.update(records).where(records.c.id == old).values(id=-old))
    for new, old in enumerate(ids, start=1):
        connection.execute(sa.update(records).where(records.c.id == -old).values(id=new))
    previous = GENESIS
    for row in connection.execute(sa.select(records).order_by(records.c.id)).mappings().all():
        record = dict(row)
        record["prev_hash"] = previous
        previous = _seal(record)
        connection.execute(
            sa.update(records).where(records.c.id == record["id"]).values(prev_hash=record["prev_hash"], hash=previous)
        )
    op.bulk_insert(chain, [{"id": 1, "seq": len(ids), "head": previous}])

    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", server_default=None)
        batch_op.alter_column("hash", server_default=None)

    if connection.dialect.name == "postgresql":
        op.execute(_REFUSE_POSTGRES_FUNCTION)
        for what, scope in (("update", "ROW"), ("delete", "ROW"), ("truncate", "STATEMENT")):
            op.execute(_REFUSE_POSTGRES.format(what=what, WHAT=what.upper(), scope=scope))
    else:
        for what in ("update", "delete"):
            op.execute(_REFUSE_SQLITE.format(what=what, WHAT=what.upper()))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for what in ("update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_records_no_{what} ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    else:
        for what in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_records_no_{what}")
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_records_main_object"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("main_object")
        batch_op.drop_column("result")
