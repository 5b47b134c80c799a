"""Users with their roles, API tokens, idempotency keys of API writes; contributions indexed by visibility.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:54:10.413795
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('username', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('users',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('oidc_subject', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['party'], ['parties.code'], name=op.f('fk_users_party_parties')),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_users')),
    sa.UniqueConstraint('oidc_subject', name=op.f('uq_users_oidc_subject'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scopes', sa.String(length=100), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('expires_at', sa.String(length=40), nullable=False),
    sa.Column('revoked_at', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['username'], ['users.username'], name=op.f('fk_api_tokens_username_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_username'), ['username'], unique=False)

    op.create_table('user_grants',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_user_grants_coalition_coalitions')),
    sa.ForeignKeyConstraint(['username'], ['users.username'], name=op.f('fk_user_grants_username_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_grants'))
    )
    with op.batch_alter_table('user_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_grants_username'), ['username'], unique=False)

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index('ix_contributions_coalition_visibility', ['coalition', 'visibility'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_coalition_visibility')

    with op.batch_alter_table('user_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_grants_username'))

    op.drop_table('user_grants')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_username'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('idempotency_keys')
