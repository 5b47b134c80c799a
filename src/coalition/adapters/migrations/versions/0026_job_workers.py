"""The job workers' last signs of life, which /readyz reports (operational state, not covered by the row proofs).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 09:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_workers',
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('worker', name=op.f('pk_job_workers')),
    )


def downgrade() -> None:
    op.drop_table('job_workers')
