"""Requirements with their status history, packages, versioned priority lists and allocation plans.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:53:13.008139
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('allocation_plans',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('priority_version', sa.Integer(), nullable=False),
    sa.Column('ledger_position', sa.BigInteger(), nullable=False),
    sa.Column('policy', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_allocation_plans_coalition_coalitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_plans'))
    )
    op.create_table('packages',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('size_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_packages_coalition_coalitions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_packages'))
    )
    op.create_table('priority_lists',
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ranks', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_priority_lists_coalition_coalitions')),
    sa.ForeignKeyConstraint(['submitted_by'], ['parties.code'], name=op.f('fk_priority_lists_submitted_by_parties')),
    sa.PrimaryKeyConstraint('coalition', 'version', name=op.f('pk_priority_lists'))
    )
    op.create_table('requirements',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('area', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('unit_cost_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('end_users', sa.JSON(), nullable=False),
    sa.Column('stock_number', sa.String(length=40), nullable=True),
    sa.Column('package', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['area'], ['capability_areas.code'], name=op.f('fk_requirements_area_capability_areas')),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_requirements_coalition_coalitions')),
    sa.ForeignKeyConstraint(['owner'], ['parties.code'], name=op.f('fk_requirements_owner_parties')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_requirements'))
    )
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirements_coalition'), ['coalition'], unique=False)

    op.create_table('requirement_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('requirement', sa.String(length=64), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['requirement'], ['requirements.code'], name=op.f('fk_requirement_events_requirement_requirements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement_events'))
    )
    with op.batch_alter_table('requirement_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirement_events_requirement'), ['requirement'], unique=False)

    op.create_table('allocation_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan', sa.Integer(), nullable=False),
    sa.Column('contribution', sa.BigInteger(), nullable=False),
    sa.Column('requirement', sa.String(length=64), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['contribution'], ['contributions.id'], name=op.f('fk_allocation_lines_contribution_contributions')),
    sa.ForeignKeyConstraint(['plan'], ['allocation_plans.id'], name=op.f('fk_allocation_lines_plan_allocation_plans')),
    sa.ForeignKeyConstraint(['requirement'], ['requirements.code'], name=op.f('fk_allocation_lines_requirement_requirements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_lines'))
    )
    with op.batch_alter_table('allocation_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_lines_plan'), ['plan'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('allocation_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_lines_plan'))

    op.drop_table('allocation_lines')
    with op.batch_alter_table('requirement_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirement_events_requirement'))

    op.drop_table('requirement_events')
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirements_coalition'))

    op.drop_table('requirements')
    op.drop_table('priority_lists')
    op.drop_table('packages')
    op.drop_table('allocation_plans')
