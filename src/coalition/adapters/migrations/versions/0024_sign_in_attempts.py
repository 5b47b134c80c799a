"""Sign-in and token attempts per client address, kept in the database so that every server process counts the
same attempts (operational state, not covered by the row proofs).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_attempts',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempts')),
    )
    op.create_index('ix_sign_in_attempts_client_at', 'sign_in_attempts', ['client', 'at'])


def downgrade() -> None:
    op.drop_index('ix_sign_in_attempts_client_at', table_name='sign_in_attempts')
    op.drop_table('sign_in_attempts')
