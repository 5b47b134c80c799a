"""Ids are 64-bit on PostgreSQL too (primary keys, the foreign keys that reference them, and the sequences
behind them), as they already are on SQLite; notes and earmarks are as long everywhere as their field's rule.

On PostgreSQL an id above 2**31 - 1 no longer overflows an int4 column: the API and the command line take
ids from 1 to 2**63 - 1 (ADR 0020). On SQLite an INTEGER PRIMARY KEY is already 64-bit, so ids change
nothing there. Every note is up to 1000 characters (some were 500), and the earmark kept beside contract
funding and payment shares up to 300, as the contribution's own.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# Integer id columns: (table, column, whether a sequence numbers it). As the tables stood at 0014 (those added since were made 64-bit when created).
IDS = [
    ('audit_head', 'id', False), ('ledger_next_ids', 'id', False),
    ('signatures', 'id', True), ('membership_changes', 'id', True), ('fx_rates', 'id', True),
    ('ledger_accounts', 'id', True), ('ledger_entries', 'debit', False), ('ledger_entries', 'credit', False),
    ('requirement_events', 'id', True),
    ('allocation_plans', 'id', True), ('allocation_lines', 'id', True), ('allocation_lines', 'plan', False),
    ('meetings', 'id', True), ('meeting_attendance', 'meeting', False),
    ('proposals', 'id', True), ('proposals', 'meeting', False),
    ('votes', 'id', True), ('votes', 'proposal', False),
    ('procurement_cases', 'route_decision', False), ('case_events', 'id', True), ('bids', 'id', True),
    ('contract_funding', 'id', True),
    ('payments', 'id', True), ('payments', 'reverses', False),
    ('payment_shares', 'id', True), ('payment_shares', 'payment', False),
    ('shipments', 'id', True), ('shipment_events', 'id', True), ('shipment_events', 'shipment', False),
    ('unit_receipts', 'id', True), ('unit_receipts', 'shipment', False),
    ('end_use_checks', 'id', True), ('end_use_checks', 'receipt', False),
    ('project_evidence', 'id', True), ('conflict_declarations', 'id', True), ('project_reviews', 'id', True),
    ('shortlists', 'id', True), ('gate_decisions', 'id', True), ('gate_decisions', 'decision', False),
    ('grant_payments', 'id', True), ('user_grants', 'id', True),
]

# Text columns made as long as their field's rule: (table, column, before, after). None of these tables is
# referenced by a foreign key, so SQLite can rebuild them.
WIDENED = [
    ('membership_changes', 'note', 500, 1000), ('requirement_events', 'note', 500, 1000),
    ('priority_lists', 'note', 500, 1000), ('case_events', 'note', 500, 1000),
    ('shipment_events', 'note', 500, 1000), ('bids', 'note', 500, 1000),
    ('contract_funding', 'earmark', 200, 300), ('payment_shares', 'earmark', 200, 300),
]


def _ids(to: type[sa.types.TypeEngine[int]], sequence_type: str) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite: INTEGER PRIMARY KEY is the 64-bit rowid already; its integers are 64-bit
    current = sa.Integer if to is sa.BigInteger else sa.BigInteger
    for table, column, numbered in IDS:
        op.alter_column(table, column, type_=to(), existing_type=current())
        if numbered:
            op.execute(sa.text(f"DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %s AS {sequence_type}', "
                               f"pg_get_serial_sequence('{table}', '{column}')); END $$"))


def _texts(widen: bool) -> None:
    for table, column, before, after in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, type_=sa.String(length=after if widen else before),
                                  existing_type=sa.String(length=before if widen else after),
                                  existing_nullable=False)


def upgrade() -> None:
    _ids(sa.BigInteger, 'bigint')
    _texts(widen=True)


def downgrade() -> None:
    _texts(widen=False)
    _ids(sa.Integer, 'integer')
