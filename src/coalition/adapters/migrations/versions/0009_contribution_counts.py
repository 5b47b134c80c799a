"""The number of contributions per coalition and kind, kept with every insert; filled from the records.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contribution_counts',
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_contribution_counts_coalition_coalitions')),
    sa.PrimaryKeyConstraint('coalition', 'kind', name=op.f('pk_contribution_counts'))
    )
    op.execute("INSERT INTO contribution_counts (coalition, kind, count) "
               "SELECT coalition, kind, COUNT(*) FROM contributions GROUP BY coalition, kind")


def downgrade() -> None:
    op.drop_table('contribution_counts')
