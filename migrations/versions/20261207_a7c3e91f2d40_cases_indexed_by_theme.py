"""cases indexed by theme (issue 12: the theme filters ask per theme for one visible case)

Revision ID: a7c3e91f2d40
Revises: 43918c31464f
Create Date: 2026-12-07 13:25:00.000000
"""

from alembic import op


revision = 'a7c3e91f2d40'
down_revision = '43918c31464f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The search page's theme filter lists a theme when the reader sees one case on it: without this
    # index every theme scans all cases (forty thousand after ten years).
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_theme_id'), ['theme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_theme_id'))
