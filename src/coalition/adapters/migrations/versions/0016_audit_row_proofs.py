"""Each audit record proves the rows its change wrote: a proof per record (the keys and SHA-256 digests of the rows,
as written), its summary in the record's hash, signed checkpoints of the chain's head, and on PostgreSQL the statement
triggers that note every row written (SQLite connections create theirs as temporary triggers).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# The proved tables as of this migration: (name, how a trigger spells a changed row's key, the events noted). A later
# migration that adds a table adds its triggers (a test checks every proved table has them).
PROVED = (
    ('allocation_lines', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('allocation_plans', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('api_tokens', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('bids', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('capability_areas', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('case_events', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('coalitions', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('conflict_declarations', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('contract_funding', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('contract_versions', "changed.contract::text || '|' || changed.version::text", ('INSERT', 'UPDATE', 'DELETE')),
    ('contracts', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('contributions', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('conversion_sources', "changed.coalition::text || '|' || changed.currency::text || '|' || changed.source::text", ('INSERT', 'UPDATE', 'DELETE')),
    ('end_use_checks', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('funds', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('fx_rates', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('gate_decisions', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('grant_payments', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('grants', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('innovation_calls', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('innovation_projects', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('instruments', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('ledger_accounts', 'changed.id::text', ('INSERT', 'DELETE')),
    ('ledger_entries', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('meeting_attendance', "changed.meeting::text || '|' || changed.party::text", ('INSERT', 'UPDATE', 'DELETE')),
    ('meetings', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('membership_changes', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('packages', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('parties', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('payment_shares', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('payments', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('priority_lists', "changed.coalition::text || '|' || changed.version::text", ('INSERT', 'UPDATE', 'DELETE')),
    ('procurement_cases', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('project_cases', "changed.project::text || '|' || changed.case_code::text", ('INSERT', 'UPDATE', 'DELETE')),
    ('project_evidence', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('project_reviews', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('proposals', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('requirement_events', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('requirements', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('shipment_events', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('shipments', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('shortlists', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('signatures', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('tenders', 'changed.code::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('unit_receipts', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('user_grants', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('users', 'changed.username::text', ('INSERT', 'UPDATE', 'DELETE')),
    ('votes', 'changed.id::text', ('INSERT', 'UPDATE', 'DELETE')),
)

# Notes the keys of the rows a statement wrote in the connection's own temporary table; a connection without that
# table (not the platform's) notes nothing.
NOTE_ROWS = """
CREATE FUNCTION audit_note_rows() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF to_regclass('pg_temp.audit_pending') IS NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('INSERT INTO pg_temp.audit_pending (tbl, k) SELECT %L, %s FROM changed', TG_TABLE_NAME, TG_ARGV[0]);
  RETURN NULL;
END
$body$
"""


def upgrade() -> None:
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows', sa.JSON(), nullable=True))
    op.create_table(
        'audit_proofs',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('part', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('keys', sa.JSON(), nullable=False),
        sa.Column('digests', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('seq', 'table_name', 'part', name=op.f('pk_audit_proofs')),
    )
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('signed_at', sa.String(length=40), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=200), nullable=False),
        sa.Column('public_key', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTE_ROWS)
    for table, key, events in PROVED:
        for event in events:
            transition = "OLD TABLE AS changed" if event == "DELETE" else "NEW TABLE AS changed"
            quoted = key.replace("'", "''")
            op.execute(f"CREATE TRIGGER audit_note_{event.lower()} AFTER {event} ON {table} REFERENCING {transition} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION audit_note_rows('{quoted}')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _, events in PROVED:
            for event in events:
                op.execute(f"DROP TRIGGER IF EXISTS audit_note_{event.lower()} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_note_rows()")
    op.drop_table('audit_checkpoints')
    op.drop_table('audit_proofs')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_column('rows')
