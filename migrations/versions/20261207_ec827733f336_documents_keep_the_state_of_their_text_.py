"""documents keep the state of their text reading

The scheduler now reads a document's text after the upload, in a limited child process, and a
document says why it has no text. Documents stored before had their text read at upload: those with
a text are "gelezen"; those without wait ("wacht") to be read again, so that they get a reason.

Revision ID: ec827733f336
Revises: 5020fe07dbe7
Create Date: 2026-12-07 05:35:33.158256
"""

from alembic import op
import sqlalchemy as sa


revision = 'ec827733f336'
down_revision = "5020fe07dbe7"
branch_labels = None
depends_on = None

_STATUS = sa.Enum(
    'wacht', 'gelezen', 'geen_tekst', 'te_zwaar', 'onleesbaar', 'niet_ondersteund',
    name='textstatus', native_enum=False, length=32,
)


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        # The default fills the rows already there; the application sets the status of new ones.
        batch_op.add_column(sa.Column('text_status', _STATUS, nullable=False, server_default='wacht'))
        batch_op.add_column(sa.Column('text_claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('text_claimed_until', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE documents SET text_status = 'gelezen' WHERE text_content IS NOT NULL")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('text_status', existing_type=_STATUS, existing_nullable=False, server_default=None)
        batch_op.create_index(batch_op.f('ix_documents_text_status'), ['text_status'], unique=False)


def downgrade() -> None:
    # Texts read since stay in text_content; only the state and the claims go.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_text_status'))
        batch_op.drop_column('text_claimed_until')
        batch_op.drop_column('text_claimed_by')
        batch_op.drop_column('text_status')
