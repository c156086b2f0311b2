"""agenda items carry an optional duration

Revision ID: 3e158f4b6580
Revises: dba89e61baf0
Create Date: 2026-12-07 05:58:50.905622
"""

import sqlalchemy as sa
from alembic import op

revision = "3e158f4b6580"
down_revision = "dba89e61baf0"
branch_labels = None
depends_on = None


# Minutes set aside per item, from which the agenda computes start times. Nullable: existing items
# have none, and an item without a duration is allowed. A plain ADD/DROP COLUMN: no table copy.
def upgrade() -> None:
    op.add_column("agenda_items", sa.Column("duration_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("agenda_items", "duration_minutes")
