"""audit records keep who could read their values

Revision ID: 5020fe07dbe7
Revises: bcb0b8357a9d
Create Date: 2026-12-07 05:30:57.916885
"""

import sqlalchemy as sa
from alembic import op

revision = "5020fe07dbe7"
down_revision = "bcb0b8357a9d"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, never a batch copy: rebuilding audit_records on SQLite would drop the
# triggers that keep it append-only.
def upgrade() -> None:
    op.add_column("audit_records", sa.Column("visibility", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_records", "visibility")
