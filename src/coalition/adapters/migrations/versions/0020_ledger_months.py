"""Balances as of a day: each account's net change per month of value dates, kept with every entry, and an index
on the entries' value dates for the days of the month asked about. Existing entries are summed into the months.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ledger_months',
        sa.Column('account', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('balance_minor', sa.BigInteger(), nullable=False),
        sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['account'], ['ledger_accounts.id'],
                                name=op.f('fk_ledger_months_account_ledger_accounts')),
        sa.PrimaryKeyConstraint('account', 'month', name=op.f('pk_ledger_months')),
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_value_date'), ['value_date'], unique=False)
    month = ("CAST(to_char(value_date, 'YYYYMM') AS INTEGER)" if op.get_bind().dialect.name == "postgresql"
             else "CAST(strftime('%Y%m', value_date) AS INTEGER)")
    moves = (f"SELECT debit AS account, {month} AS month, amount_minor AS units, reporting_minor AS reporting "  # noqa: S608
             f"FROM ledger_entries UNION ALL SELECT credit, {month}, -amount_minor, -reporting_minor"
             " FROM ledger_entries")
    op.execute("INSERT INTO ledger_months (account, month, balance_minor, reporting_minor) "  # noqa: S608 (fixed text)
               f"SELECT account, month, SUM(units), SUM(reporting) FROM ({moves}) AS moves GROUP BY account, month")


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_value_date'))
    op.drop_table('ledger_months')
