"""login attempts indexed per pair, account and client address; IPv6 addresses as their /64

Revision ID: dba89e61baf0
Revises: ec827733f336
Create Date: 2026-12-07 05:32:38.172468
"""

import ipaddress

from alembic import op
import sqlalchemy as sa


revision = 'dba89e61baf0'
down_revision = "ec827733f336"
branch_labels = None
depends_on = None

attempts = sa.table('login_attempts', sa.column('address', sa.String(64)))


def upgrade() -> None:
    # The throttle judges three keys (account and address together, the account, the address), each
    # over a window of time: one index per key, ending in the time. They cover the single-column ones.
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_address'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.create_index('ix_login_attempts_account', ['email', 'succeeded', 'kind', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_client', ['address', 'succeeded', 'kind', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_pair', ['email', 'address', 'succeeded', 'kind', 'at'], unique=False)

    # The throttle now keys an IPv6 client by its /64 network; earlier rows get the same key, so the
    # addresses users signed in from before stay known (a copy of auth.throttle.network, as it is today).
    connection = op.get_bind()
    for (address,) in connection.execute(sa.select(attempts.c.address).where(attempts.c.address.contains(':')).distinct()):
        try:
            parsed = ipaddress.IPv6Address(address)
        except ValueError:
            continue
        key = str(parsed.ipv4_mapped or ipaddress.IPv6Network((parsed, 64), strict=False))
        connection.execute(attempts.update().where(attempts.c.address == address).values(address=key))


def downgrade() -> None:
    # The /64 keys stay: the exact addresses are gone, and the older throttle reads them as addresses.
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_pair')
        batch_op.drop_index('ix_login_attempts_client')
        batch_op.drop_index('ix_login_attempts_account')
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_address'), ['address'], unique=False)
