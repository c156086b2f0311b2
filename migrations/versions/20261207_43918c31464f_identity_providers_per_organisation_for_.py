"""identity providers per organisation for single sign-on

An organisation may sign its people in through its own OpenID Connect provider (issue 14). The
client secret is stored encrypted by the application; the table starts empty.

Revision ID: 43918c31464f
Revises: a7c3e19f0b52
Create Date: 2026-12-07 12:33:11.520834
"""

from alembic import op
import sqlalchemy as sa


revision = '43918c31464f'
down_revision = 'a7c3e19f0b52'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identity_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('client_secret', sa.String(length=1000), nullable=False),
    sa.Column('email_claim', sa.String(length=60), nullable=False),
    sa.Column('verified_claim', sa.String(length=60), nullable=False),
    sa.Column('email_domains', sa.String(length=500), nullable=False),
    sa.Column('create_users', sa.Boolean(), nullable=False),
    sa.Column('mfa_acr_values', sa.String(length=300), nullable=False),
    sa.Column('mfa_amr_values', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_identity_providers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_providers'))
    )
    with op.batch_alter_table('identity_providers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_providers_organisation_id'), ['organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('identity_providers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_providers_organisation_id'))

    op.drop_table('identity_providers')
