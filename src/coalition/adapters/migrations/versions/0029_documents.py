"""Documents attached to records: the metadata of each file (its SHA-256, cleaned name, detected media type, size,
who attached it and when, the document it supersedes); the bytes live in the document store. Covered by the row
proofs like every table of the record.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
# The new table and the SQL its row-proof triggers note a row's key with (see 0016).
PROVED = {'documents': "changed.id::text"}


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('record_type', sa.String(length=32), nullable=False),
        sa.Column('record_id', sa.String(length=80), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=200), nullable=False),
        sa.Column('uploaded_at', sa.String(length=40), nullable=False),
        sa.Column('supersedes', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
        sa.ForeignKeyConstraint(['supersedes'], ['documents.id'], name=op.f('fk_documents_supersedes_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
        sa.UniqueConstraint('supersedes', name=op.f('uq_documents_supersedes')),
    )
    op.create_index('ix_documents_record', 'documents', ['record_type', 'record_id', 'id'], unique=False)
    op.create_index(op.f('ix_documents_sha256'), 'documents', ['sha256'], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # the row proofs' notes (see 0016)
        for table, key in PROVED.items():
            quoted = key.replace("'", "''")
            for event in EVENTS:
                transition = "OLD TABLE AS changed" if event == "DELETE" else "NEW TABLE AS changed"
                op.execute(f"CREATE TRIGGER audit_note_{event.lower()} AFTER {event} ON {table} REFERENCING "
                           f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION audit_note_rows('{quoted}')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PROVED:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS audit_note_{event.lower()} ON {table}")
    op.drop_index(op.f('ix_documents_sha256'), table_name='documents')
    op.drop_index('ix_documents_record', table_name='documents')
    op.drop_table('documents')
