"""Grants to innovation projects and their tranches, paid through the ledger.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 18:22:42.953124
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grants',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('fund', sa.String(length=64), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_grants_coalition_coalitions')),
    sa.ForeignKeyConstraint(['fund'], ['funds.code'], name=op.f('fk_grants_fund_funds')),
    sa.ForeignKeyConstraint(['project'], ['innovation_projects.code'], name=op.f('fk_grants_project_innovation_projects')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_grants'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_project'), ['project'], unique=False)

    op.create_table('grant_payments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('grant_code', sa.String(length=64), nullable=False),
    sa.Column('milestone', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['grant_code'], ['grants.code'], name=op.f('fk_grant_payments_grant_code_grants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_payments'))
    )
    with op.batch_alter_table('grant_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_payments_grant_code'), ['grant_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('grant_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_payments_grant_code'))

    op.drop_table('grant_payments')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_project'))

    op.drop_table('grants')
