"""standing agenda items per body, placed on every new agenda

Each body keeps the items every new agenda starts and ends with (the beheerder edits them); an agenda
item remembers that it came from them, and whether among the first or the last. Existing bodies get
the defaults a new body gets.

Revision ID: cc59d5aed320
Revises: e30de252a26c
Create Date: 2026-12-07 06:26:35.625415
"""

import sqlalchemy as sa
from alembic import op

revision = "cc59d5aed320"
down_revision = "e30de252a26c"
branch_labels = None
depends_on = None

_KINDS = ("ter_besluitvorming", "ter_bespreking", "ter_informatie", "hamerstuk")

#: As meetings.models.agenda.DEFAULT_STANDING_ITEMS says today (a migration never imports the app).
DEFAULTS = [
    ("Opening", "ter_informatie", "begin", 1, False),
    ("Mededelingen", "ter_informatie", "begin", 2, False),
    ("Besluitenlijst vorige vergadering", "ter_besluitvorming", "begin", 3, False),
    ("Voortgang actiepunten en toezeggingen", "ter_informatie", "begin", 4, True),
    ("Rondvraag", "ter_bespreking", "eind", 1, False),
    ("Sluiting", "ter_informatie", "eind", 2, False),
]


def upgrade() -> None:
    op.create_table(
        "standing_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.Enum(*_KINDS, name="agendaitemkind", native_enum=False, length=32), nullable=False),
        sa.Column("placement", sa.Enum("begin", "eind", name="placement", native_enum=False, length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_progress_report", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_standing_items_body_id_bodies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_items")),
    )
    op.create_index(op.f("ix_standing_items_body_id"), "standing_items", ["body_id"], unique=False)
    # Plain ADD/DROP COLUMN, never a batch copy: rebuilding agenda_items on SQLite (foreign keys on)
    # would drop the table that documents and decisions point at.
    op.add_column(
        "agenda_items",
        sa.Column("standing", sa.Enum("begin", "eind", name="placement", native_enum=False, length=32), nullable=True),
    )
    connection = op.get_bind()
    body_ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM bodies"))]
    for body_id in body_ids:
        for title, kind, placement, position, progress in DEFAULTS:
            connection.execute(
                sa.text(
                    "INSERT INTO standing_items (body_id, title, kind, placement, position, is_progress_report) "
                    "VALUES (:body_id, :title, :kind, :placement, :position, :progress)"
                ),
                {
                    "body_id": body_id,
                    "title": title,
                    "kind": kind,
                    "placement": placement,
                    "position": position,
                    "progress": progress,
                },
            )


def downgrade() -> None:
    op.drop_column("agenda_items", "standing")
    op.drop_index(op.f("ix_standing_items_body_id"), table_name="standing_items")
    op.drop_table("standing_items")
