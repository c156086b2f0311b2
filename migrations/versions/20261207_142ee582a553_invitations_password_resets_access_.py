"""invitations, password resets, access reviews; users may have no password (issue 15)

People choose their own password through an invitation; nobody else sets one, so an account has
none until then (and again once it is switched off). Invitations and password resets keep only a
nonce and the hash of the token their link carries. Memberships say since when their role is held,
bodies whether their secretariat may invite, and access reviews who confirmed a review when.

Revision ID: 142ee582a553
Revises: 353bd6495632
Create Date: 2026-12-07 06:47:37.330326
"""

from alembic import op
import sqlalchemy as sa


revision = '142ee582a553'
down_revision = "353bd6495632"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('access_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', _UTC, nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_access_reviews_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_access_reviews_reviewer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_reviews'))
    )
    op.create_index(op.f('ix_access_reviews_body_id'), 'access_reviews', ['body_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', _UTC, nullable=False),
    sa.Column('expires_at', _UTC, nullable=False),
    sa.Column('ended_at', _UTC, nullable=True),
    sa.Column('ended_reason', sa.Enum('aanvaard', 'vervangen', 'ingetrokken', 'account_uit', name='invitationend', native_enum=False, length=32), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_invitations_body_id_bodies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    op.create_index(op.f('ix_invitations_body_id'), 'invitations', ['body_id'], unique=False)
    op.create_index(op.f('ix_invitations_user_id'), 'invitations', ['user_id'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', _UTC, nullable=False),
    sa.Column('expires_at', _UTC, nullable=False),
    sa.Column('used_at', _UTC, nullable=True),
    sa.Column('ended_at', _UTC, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    op.create_index(op.f('ix_password_resets_email'), 'password_resets', ['email'], unique=False)
    op.create_index(op.f('ix_password_resets_expires_at'), 'password_resets', ['expires_at'], unique=False)
    op.create_index(op.f('ix_password_resets_user_id'), 'password_resets', ['user_id'], unique=False)

    # ADD COLUMN on both databases (no table is rebuilt): a default for the rows there are.
    op.add_column('bodies', sa.Column('secretariat_invites', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Since when a role is held: for the memberships there are, since they were made.
    op.add_column('memberships', sa.Column('role_since', _UTC, nullable=True))
    op.execute("UPDATE memberships SET role_since = created_at")
    _rebuild_or_alter('memberships', 'role_since', _UTC, nullable=False)
    _rebuild_or_alter('users', 'password_hash', sa.String(length=255), nullable=True)


def downgrade() -> None:
    # An account without a password (invited, or switched off) cannot be kept by the older schema,
    # which had no such thing: it gets a hash no password matches, and stays unable to sign in.
    op.execute("UPDATE users SET password_hash = '!' WHERE password_hash IS NULL")
    _rebuild_or_alter('users', 'password_hash', sa.String(length=255), nullable=False)
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('role_since')
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.drop_column('secretariat_invites')

    op.drop_index(op.f('ix_password_resets_user_id'), table_name='password_resets')
    op.drop_index(op.f('ix_password_resets_expires_at'), table_name='password_resets')
    op.drop_index(op.f('ix_password_resets_email'), table_name='password_resets')
    op.drop_table('password_resets')
    op.drop_index(op.f('ix_invitations_user_id'), table_name='invitations')
    op.drop_index(op.f('ix_invitations_body_id'), table_name='invitations')
    op.drop_table('invitations')
    op.drop_index(op.f('ix_access_reviews_body_id'), table_name='access_reviews')
    op.drop_table('access_reviews')


def _rebuild_or_alter(table: str, column: str, type_: sa.types.TypeEngine, *, nullable: bool) -> None:
    """Change a column's NULL rule: in place on PostgreSQL, by rebuilding the table on SQLite (with
    foreign keys off while it runs, see ``env.py``: the rows that refer to it stay)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(column, existing_type=type_, nullable=nullable)
