"""members sign in or off ahead of a meeting, per seat of their own organisation

Revision ID: 353bd6495632
Revises: cc59d5aed320
Create Date: 2026-12-07 06:27:10.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "353bd6495632"
down_revision = "cc59d5aed320"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("aanwezig", "afwezig", "vervangen", name="attendancestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("replaced_by", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_attendance_notices_body_id_bodies")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_attendance_notices_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_attendance_notices_seat_id_seats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_attendance_notices_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_notices")),
        sa.UniqueConstraint("meeting_id", "seat_id", name=op.f("uq_attendance_notices_meeting_id_seat_id")),
    )
    op.create_index(op.f("ix_attendance_notices_body_id"), "attendance_notices", ["body_id"], unique=False)
    op.create_index(op.f("ix_attendance_notices_meeting_id"), "attendance_notices", ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attendance_notices_meeting_id"), table_name="attendance_notices")
    op.drop_index(op.f("ix_attendance_notices_body_id"), table_name="attendance_notices")
    op.drop_table("attendance_notices")
