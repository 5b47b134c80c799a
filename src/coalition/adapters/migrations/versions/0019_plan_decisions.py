"""Dated acts on allocation plans: each approval or supersession is a row of its own with the day it was decided and
the time it was recorded, so the record says what happened when and when it learned it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 00:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')


def upgrade() -> None:
    op.create_table(
        'plan_decisions',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('plan', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['plan'], ['allocation_plans.id'], name=op.f('fk_plan_decisions_plan_allocation_plans')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_decisions')),
    )
    with op.batch_alter_table('plan_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_decisions_plan'), ['plan'], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # the row proofs' notes (see 0016)
        for event in EVENTS:
            transition = "OLD TABLE AS changed" if event == "DELETE" else "NEW TABLE AS changed"
            op.execute(f"CREATE TRIGGER audit_note_{event.lower()} AFTER {event} ON plan_decisions "
                       f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION audit_note_rows('changed.id::text')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS audit_note_{event.lower()} ON plan_decisions")
    with op.batch_alter_table('plan_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_decisions_plan'))
    op.drop_table('plan_decisions')
