"""read marks, postponement requests and case attachments (issue 16, the participant's morning)

- body_read_marks, meeting_read_marks: until when each reader has read what is new in a body or a
  meeting (their own *Gelezen*; bookkeeping, not in the audit trail).
- cases.requested_due_date: the later due date an owner asked for (uitstel aanvragen) while the
  secretariat has not answered.
- case_attachments: files on a progress report or an agenda request, seen with their case.

Revision ID: cb6ced060154
Revises: 142ee582a553
Create Date: 2026-12-07 06:44:54.729418
"""

import sqlalchemy as sa
from alembic import op

revision = "cb6ced060154"
down_revision = "142ee582a553"
branch_labels = None
depends_on = None

# Plain ALTER TABLE on cases, never a batch copy: rebuilding cases on SQLite (foreign keys on) would drop
# the table its events, route, links and attachments point at.


def upgrade() -> None:
    op.create_table(
        "body_read_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_body_read_marks_body_id_bodies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_body_read_marks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "body_id", name=op.f("pk_body_read_marks")),
    )
    op.create_table(
        "meeting_read_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_read_marks_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_read_marks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "meeting_id", name=op.f("pk_meeting_read_marks")),
    )
    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_case_attachments_body_id_bodies")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_attachments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name=op.f("fk_case_attachments_event_id_case_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_case_attachments_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
    )
    op.create_index(op.f("ix_case_attachments_body_id"), "case_attachments", ["body_id"], unique=False)
    op.create_index(op.f("ix_case_attachments_case_id"), "case_attachments", ["case_id"], unique=False)
    op.create_index(op.f("ix_case_attachments_event_id"), "case_attachments", ["event_id"], unique=False)
    op.add_column("cases", sa.Column("requested_due_date", sa.Date(), nullable=True))


def downgrade() -> None:
    # A postponement still waiting for an answer is forgotten; the steps asking for it stay in the history.
    op.drop_column("cases", "requested_due_date")
    op.drop_index(op.f("ix_case_attachments_event_id"), table_name="case_attachments")
    op.drop_index(op.f("ix_case_attachments_case_id"), table_name="case_attachments")
    op.drop_index(op.f("ix_case_attachments_body_id"), table_name="case_attachments")
    op.drop_table("case_attachments")
    op.drop_table("meeting_read_marks")
    op.drop_table("body_read_marks")
