"""The ledger's next ids in one row, which money writers lock; seeded from the highest stored ids.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 04:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_next_ids',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('contribution', sa.BigInteger(), nullable=False),
    sa.Column('entry', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_next_ids'))
    )
    op.execute("INSERT INTO ledger_next_ids (id, contribution, entry) "
               "SELECT 1, (SELECT COALESCE(MAX(id), 0) + 1 FROM contributions), "
               "(SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_entries)")


def downgrade() -> None:
    op.drop_table('ledger_next_ids')
