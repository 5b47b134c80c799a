"""The bridge from the innovation pipeline to procurement: adopted projects linked to direct-financing cases.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 18:23:42.952102
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('project_cases',
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('case_code', sa.String(length=64), nullable=False),
    sa.Column('linked_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['case_code'], ['procurement_cases.code'], name=op.f('fk_project_cases_case_code_procurement_cases')),
    sa.ForeignKeyConstraint(['project'], ['innovation_projects.code'], name=op.f('fk_project_cases_project_innovation_projects')),
    sa.PrimaryKeyConstraint('project', 'case_code', name=op.f('pk_project_cases'))
    )
    with op.batch_alter_table('project_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_cases_case_code'), ['case_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('project_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_cases_case_code'))

    op.drop_table('project_cases')
