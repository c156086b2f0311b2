"""one source for the meeting date and the comments deadline: the milestones

The concept besluitenlijst's comments deadline was kept twice, on the meeting (set when publishing)
and as the cycle's milestone "reactietermijn sluit" (planned from the meeting date), and the two could
differ by days. The milestone is now the one source: each deadline that was set moves onto its
cycle's milestone, and the meeting's column goes. The milestone "vergadering" is put back on its
cycle's meeting date, from which it could have been moved on its own.

Revision ID: e30de252a26c
Revises: 3e158f4b6580
Create Date: 2026-12-07 06:18:57.432251
"""

import sqlalchemy as sa
from alembic import op

revision = "e30de252a26c"
down_revision = "3e158f4b6580"
branch_labels = None
depends_on = None

# Plain ALTER TABLE, never a batch copy: rebuilding meetings on SQLite (foreign keys on) would drop the
# table its agenda, documents and attendance point at.


def upgrade() -> None:
    op.execute(
        """
        UPDATE milestones SET due_date = (
            SELECT MIN(meetings.comments_deadline) FROM meetings
            WHERE meetings.cycle_id = milestones.cycle_id AND meetings.comments_deadline IS NOT NULL
        )
        WHERE kind = 'reactietermijn_sluit' AND EXISTS (
            SELECT 1 FROM meetings
            WHERE meetings.cycle_id = milestones.cycle_id AND meetings.comments_deadline IS NOT NULL
        )
        """
    )
    op.execute(
        """
        INSERT INTO milestones (cycle_id, body_id, kind, due_date)
        SELECT meetings.cycle_id, MIN(meetings.body_id), 'reactietermijn_sluit', MIN(meetings.comments_deadline)
        FROM meetings
        WHERE meetings.comments_deadline IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM milestones
            WHERE milestones.cycle_id = meetings.cycle_id AND milestones.kind = 'reactietermijn_sluit'
        )
        GROUP BY meetings.cycle_id
        """
    )
    op.execute(
        """
        UPDATE milestones SET due_date = (SELECT cycles.meeting_date FROM cycles WHERE cycles.id = milestones.cycle_id)
        WHERE kind = 'vergadering'
        """
    )
    op.drop_column("meetings", "comments_deadline")


def downgrade() -> None:
    op.add_column("meetings", sa.Column("comments_deadline", sa.Date(), nullable=True))
    op.execute(
        """
        UPDATE meetings SET comments_deadline = (
            SELECT milestones.due_date FROM milestones
            WHERE milestones.cycle_id = meetings.cycle_id AND milestones.kind = 'reactietermijn_sluit'
        )
        WHERE besluitenlijst_status != 'concept'
        """
    )
