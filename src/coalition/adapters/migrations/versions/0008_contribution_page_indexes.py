"""Pages of contributions read straight from an index: by coalition, by coalition and kind, by donor, in id order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 18:05:00
"""
from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_contributions_donor', table_name='contributions')
    op.create_index('ix_contributions_coalition_id', 'contributions', ['coalition', 'id'])
    op.create_index('ix_contributions_coalition_kind_id', 'contributions', ['coalition', 'kind', 'id'])
    op.create_index('ix_contributions_donor_id', 'contributions', ['donor', 'id'])


def downgrade() -> None:
    op.drop_index('ix_contributions_donor_id', table_name='contributions')
    op.drop_index('ix_contributions_coalition_kind_id', table_name='contributions')
    op.drop_index('ix_contributions_coalition_id', table_name='contributions')
    op.create_index('ix_contributions_donor', 'contributions', ['donor'])
