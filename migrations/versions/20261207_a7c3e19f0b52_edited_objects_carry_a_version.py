"""edited objects carry a version

Revision ID: a7c3e19f0b52
Revises: 6f5392b799eb
Create Date: 2026-12-07 12:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e19f0b52"
down_revision = "6f5392b799eb"
branch_labels = None
depends_on = None

#: The tables of the objects a form edits or a state change races on (``core.db.VersionedMixin``).
TABLES = (
    "agenda_items",
    "documents",
    "cycles",
    "milestones",
    "meetings",
    "decisions",
    "decision_comments",
    "minutes",
    "notes",
    "cases",
    "nota_route",
)


# Existing rows start at version 1, as a new row does: the server default fills them without a table
# copy, and a form opened before the upgrade carries no version, so it is checked against nothing.
def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
