"""login attempts indexed per pair, account and client address

Revision ID: dba89e61baf0
Revises: bcb0b8357a9d
Create Date: 2026-12-07 05:32:38.172468
"""

from alembic import op
import sqlalchemy as sa


revision = 'dba89e61baf0'
down_revision = 'bcb0b8357a9d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The throttle judges three keys (account and address together, the account, the address), each
    # over a window of time: one index per key, ending in the time. They cover the single-column ones.
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_address'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.create_index('ix_login_attempts_account', ['email', 'succeeded', 'kind', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_client', ['address', 'succeeded', 'kind', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_pair', ['email', 'address', 'succeeded', 'kind', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_pair')
        batch_op.drop_index('ix_login_attempts_client')
        batch_op.drop_index('ix_login_attempts_account')
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_address'), ['address'], unique=False)
