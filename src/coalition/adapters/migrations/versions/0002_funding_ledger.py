"""Funding ledger: capability areas, exchange rates, contributions, ledger accounts and entries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:27:52.966280
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('capability_areas',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_uk', sa.String(length=200), nullable=True),
    sa.Column('parent', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['parent'], ['capability_areas.code'], name=op.f('fk_capability_areas_parent_capability_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_capability_areas'))
    )
    op.create_table('fx_rates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('base', sa.String(length=3), nullable=False),
    sa.Column('quote', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fx_rates')),
    sa.UniqueConstraint('base', 'quote', 'day', 'source', name='uq_fx_rates_pair_day_source')
    )
    op.create_table('conversion_sources',
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_conversion_sources_coalition_coalitions')),
    sa.PrimaryKeyConstraint('coalition', 'currency', 'source', name=op.f('pk_conversion_sources'))
    )
    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('fund', sa.String(length=64), nullable=False),
    sa.Column('donor', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('earmark', sa.String(length=300), nullable=False),
    sa.Column('requirement', sa.String(length=64), nullable=False),
    sa.Column('balance_minor', sa.BigInteger(), nullable=False),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_ledger_accounts_coalition_coalitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('type', 'coalition', 'fund', 'donor', 'currency', 'earmark', 'requirement', name='uq_ledger_accounts_key')
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_accounts_donor', ['donor'], unique=False)

    op.create_table('contributions',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('fund', sa.String(length=64), nullable=False),
    sa.Column('donor', sa.String(length=64), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('earmark', sa.String(length=300), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('restricted_to', sa.String(length=500), nullable=False),
    sa.Column('declassify_on', sa.Date(), nullable=True),
    sa.Column('external_ref', sa.String(length=100), nullable=True),
    sa.Column('parent', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('valuation_rule', sa.String(length=32), nullable=True),
    sa.Column('valuation_source', sa.String(length=300), nullable=True),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('rate_date', sa.Date(), nullable=False),
    sa.Column('rate_source', sa.String(length=200), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_contributions_coalition_coalitions')),
    sa.ForeignKeyConstraint(['donor'], ['parties.code'], name=op.f('fk_contributions_donor_parties')),
    sa.ForeignKeyConstraint(['fund'], ['funds.code'], name=op.f('fk_contributions_fund_funds')),
    sa.ForeignKeyConstraint(['parent'], ['contributions.id'], name=op.f('fk_contributions_parent_contributions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('coalition', 'external_ref', name='uq_contributions_coalition_external_ref')
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index('ix_contributions_donor', ['donor'], unique=False)
        batch_op.create_index('ix_contributions_parent', ['parent'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('debit', sa.Integer(), nullable=False),
    sa.Column('credit', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.Column('contribution', sa.BigInteger(), nullable=True),
    sa.Column('reverses', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['contribution'], ['contributions.id'], name=op.f('fk_ledger_entries_contribution_contributions')),
    sa.ForeignKeyConstraint(['credit'], ['ledger_accounts.id'], name=op.f('fk_ledger_entries_credit_ledger_accounts')),
    sa.ForeignKeyConstraint(['debit'], ['ledger_accounts.id'], name=op.f('fk_ledger_entries_debit_ledger_accounts')),
    sa.ForeignKeyConstraint(['reverses'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reverses_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('reverses', name=op.f('uq_ledger_entries_reverses'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_contribution', ['contribution'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_contribution')

    op.drop_table('ledger_entries')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_parent')
        batch_op.drop_index('ix_contributions_donor')

    op.drop_table('contributions')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_accounts_donor')

    op.drop_table('ledger_accounts')
    op.drop_table('conversion_sources')
    op.drop_table('fx_rates')
    op.drop_table('capability_areas')
