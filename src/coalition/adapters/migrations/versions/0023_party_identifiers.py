"""The identifier crosswalk: each party's identifiers by scheme (IATI organisation identifier, OCDS party id, LEI,
national register number), a value naming one party in its scheme; covered by the row proofs like every table of the
record.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 03:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
# The new table and the SQL its row-proof triggers note a row's key with (see 0016).
PROVED = {'party_identifiers': "changed.party::text || '|' || changed.scheme::text"}


def upgrade() -> None:
    op.create_table(
        'party_identifiers',
        sa.Column('party', sa.String(length=64), nullable=False),
        sa.Column('scheme', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['party'], ['parties.code'], name=op.f('fk_party_identifiers_party_parties')),
        sa.PrimaryKeyConstraint('party', 'scheme', name=op.f('pk_party_identifiers')),
        sa.UniqueConstraint('scheme', 'value', name='uq_party_identifiers_scheme_value'),
    )
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
    op.drop_table('party_identifiers')
