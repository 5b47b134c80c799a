"""Procurement and delivery: cases, tenders and bids, contracts with versions, funding and payments,
shipments, unit receipts and end-use checks; the intended funding route of a requirement.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:38:06.577948
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('procurement_cases',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('route', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('buyer', sa.String(length=64), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('route_decision', sa.Integer(), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['buyer'], ['parties.code'], name=op.f('fk_procurement_cases_buyer_parties')),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_procurement_cases_coalition_coalitions')),
    sa.ForeignKeyConstraint(['route_decision'], ['proposals.id'], name=op.f('fk_procurement_cases_route_decision_proposals')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_procurement_cases'))
    )
    with op.batch_alter_table('procurement_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_cases_coalition'), ['coalition'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_code', sa.String(length=64), nullable=False),
    sa.Column('from_stage', sa.String(length=16), nullable=True),
    sa.Column('to_stage', sa.String(length=16), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['case_code'], ['procurement_cases.code'], name=op.f('fk_case_events_case_code_procurement_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_code'), ['case_code'], unique=False)

    op.create_table('tenders',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('case_code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('procedure', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('lots', sa.JSON(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('invited', sa.JSON(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('standstill_days', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('awards', sa.JSON(), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_code'], ['procurement_cases.code'], name=op.f('fk_tenders_case_code_procurement_cases')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_tenders'))
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenders_case_code'), ['case_code'], unique=False)

    op.create_table('bids',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tender', sa.String(length=64), nullable=False),
    sa.Column('lot', sa.Integer(), nullable=False),
    sa.Column('supplier', sa.String(length=64), nullable=False),
    sa.Column('unit_price_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('delivery_days', sa.Integer(), nullable=False),
    sa.Column('compliant', sa.Boolean(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['supplier'], ['parties.code'], name=op.f('fk_bids_supplier_parties')),
    sa.ForeignKeyConstraint(['tender'], ['tenders.code'], name=op.f('fk_bids_tender_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bids'))
    )
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bids_tender'), ['tender'], unique=False)

    op.create_table('contracts',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('case_code', sa.String(length=64), nullable=False),
    sa.Column('supplier', sa.String(length=64), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('tender', sa.String(length=64), nullable=True),
    sa.Column('lots', sa.JSON(), nullable=False),
    sa.Column('in_kind', sa.BigInteger(), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_code'], ['procurement_cases.code'], name=op.f('fk_contracts_case_code_procurement_cases')),
    sa.ForeignKeyConstraint(['in_kind'], ['contributions.id'], name=op.f('fk_contracts_in_kind_contributions')),
    sa.ForeignKeyConstraint(['supplier'], ['parties.code'], name=op.f('fk_contracts_supplier_parties')),
    sa.ForeignKeyConstraint(['tender'], ['tenders.code'], name=op.f('fk_contracts_tender_tenders')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_contracts'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_case_code'), ['case_code'], unique=False)

    op.create_table('contract_funding',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('contract', sa.String(length=64), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('contribution', sa.BigInteger(), nullable=False),
    sa.Column('donor', sa.String(length=64), nullable=False),
    sa.Column('fund', sa.String(length=64), nullable=False),
    sa.Column('earmark', sa.String(length=200), nullable=False),
    sa.Column('units', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.Column('entry', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['contract'], ['contracts.code'], name=op.f('fk_contract_funding_contract_contracts')),
    sa.ForeignKeyConstraint(['contribution'], ['contributions.id'], name=op.f('fk_contract_funding_contribution_contributions')),
    sa.ForeignKeyConstraint(['entry'], ['ledger_entries.id'], name=op.f('fk_contract_funding_entry_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_funding'))
    )
    with op.batch_alter_table('contract_funding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_funding_contract'), ['contract'], unique=False)

    op.create_table('contract_versions',
    sa.Column('contract', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['contract'], ['contracts.code'], name=op.f('fk_contract_versions_contract_contracts')),
    sa.PrimaryKeyConstraint('contract', 'version', name=op.f('pk_contract_versions'))
    )
    op.create_table('payments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('contract', sa.String(length=64), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('rate_date', sa.Date(), nullable=False),
    sa.Column('rate_source', sa.String(length=200), nullable=False),
    sa.Column('milestone', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('reverses', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['contract'], ['contracts.code'], name=op.f('fk_payments_contract_contracts')),
    sa.ForeignKeyConstraint(['reverses'], ['payments.id'], name=op.f('fk_payments_reverses_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('reverses', name=op.f('uq_payments_reverses'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_contract'), ['contract'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('contract', sa.String(length=64), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['contract'], ['contracts.code'], name=op.f('fk_shipments_contract_contracts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_contract'), ['contract'], unique=False)

    op.create_table('payment_shares',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('payment', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('contribution', sa.BigInteger(), nullable=False),
    sa.Column('donor', sa.String(length=64), nullable=False),
    sa.Column('fund', sa.String(length=64), nullable=False),
    sa.Column('earmark', sa.String(length=200), nullable=False),
    sa.Column('units', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=False),
    sa.Column('entry', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['contribution'], ['contributions.id'], name=op.f('fk_payment_shares_contribution_contributions')),
    sa.ForeignKeyConstraint(['entry'], ['ledger_entries.id'], name=op.f('fk_payment_shares_entry_ledger_entries')),
    sa.ForeignKeyConstraint(['payment'], ['payments.id'], name=op.f('fk_payment_shares_payment_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_shares'))
    )
    with op.batch_alter_table('payment_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_shares_payment'), ['payment'], unique=False)

    op.create_table('shipment_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('shipment', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['shipment'], ['shipments.id'], name=op.f('fk_shipment_events_shipment_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_events'))
    )
    with op.batch_alter_table('shipment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_events_shipment'), ['shipment'], unique=False)

    op.create_table('unit_receipts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('shipment', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('signed_by', sa.String(length=200), nullable=False),
    sa.Column('discrepancy', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['shipment'], ['shipments.id'], name=op.f('fk_unit_receipts_shipment_shipments')),
    sa.ForeignKeyConstraint(['unit'], ['parties.code'], name=op.f('fk_unit_receipts_unit_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_receipts'))
    )
    with op.batch_alter_table('unit_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_receipts_shipment'), ['shipment'], unique=False)

    op.create_table('end_use_checks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('receipt', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('checked_by', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('finding', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['checked_by'], ['parties.code'], name=op.f('fk_end_use_checks_checked_by_parties')),
    sa.ForeignKeyConstraint(['receipt'], ['unit_receipts.id'], name=op.f('fk_end_use_checks_receipt_unit_receipts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_end_use_checks'))
    )
    with op.batch_alter_table('end_use_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_end_use_checks_receipt'), ['receipt'], unique=False)

    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sa.String(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.drop_column('route')

    with op.batch_alter_table('end_use_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_end_use_checks_receipt'))

    op.drop_table('end_use_checks')
    with op.batch_alter_table('unit_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_receipts_shipment'))

    op.drop_table('unit_receipts')
    with op.batch_alter_table('shipment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_events_shipment'))

    op.drop_table('shipment_events')
    with op.batch_alter_table('payment_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_shares_payment'))

    op.drop_table('payment_shares')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_contract'))

    op.drop_table('shipments')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_contract'))

    op.drop_table('payments')
    op.drop_table('contract_versions')
    with op.batch_alter_table('contract_funding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_funding_contract'))

    op.drop_table('contract_funding')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_case_code'))

    op.drop_table('contracts')
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bids_tender'))

    op.drop_table('bids')
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenders_case_code'))

    op.drop_table('tenders')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_code'))

    op.drop_table('case_events')
    with op.batch_alter_table('procurement_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_cases_coalition'))

    op.drop_table('procurement_cases')
