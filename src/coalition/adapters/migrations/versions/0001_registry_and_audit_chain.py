"""Registry (parties, coalitions, funds, instruments, signatures, membership changes) and the audit chain.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 05:10:27.541421
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    # The chain starts at its genesis: the head row exists before the first append locks it.
    audit_head = sa.table('audit_head', sa.column('id', sa.Integer), sa.column('seq', sa.BigInteger),
                          sa.column('hash', sa.String))
    op.bulk_insert(audit_head, [{'id': 1, 'seq': 0, 'hash': '0' * 64}])
    op.create_table('audit_records',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=200), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_records'))
    )
    op.create_table('parties',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_uk', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_parties'))
    )
    op.create_table('coalitions',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('capability_area', sa.String(length=200), nullable=False),
    sa.Column('framework', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('founded_on', sa.Date(), nullable=False),
    sa.Column('founded_at', sa.String(length=200), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['recipient'], ['parties.code'], name=op.f('fk_coalitions_recipient_parties')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_coalitions'))
    )
    op.create_table('funds',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('custodian', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_funds_coalition_coalitions')),
    sa.ForeignKeyConstraint(['custodian'], ['parties.code'], name=op.f('fk_funds_custodian_parties')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_funds'))
    )
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_coalition'), ['coalition'], unique=False)

    op.create_table('instruments',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_instruments_coalition_coalitions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_instruments'))
    )
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruments_coalition'), ['coalition'], unique=False)

    op.create_table('membership_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('instrument', sa.String(length=64), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_membership_changes_coalition_coalitions')),
    sa.ForeignKeyConstraint(['instrument'], ['instruments.code'], name=op.f('fk_membership_changes_instrument_instruments')),
    sa.ForeignKeyConstraint(['party'], ['parties.code'], name=op.f('fk_membership_changes_party_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_changes'))
    )
    with op.batch_alter_table('membership_changes', schema=None) as batch_op:
        batch_op.create_index('ix_membership_changes_coalition_party', ['coalition', 'party'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('instrument', sa.String(length=64), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['instrument'], ['instruments.code'], name=op.f('fk_signatures_instrument_instruments')),
    sa.ForeignKeyConstraint(['party'], ['parties.code'], name=op.f('fk_signatures_party_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('instrument', 'party', name='uq_signatures_instrument_party')
    )


def downgrade() -> None:
    op.drop_table('signatures')
    with op.batch_alter_table('membership_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_changes_coalition_party')

    op.drop_table('membership_changes')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruments_coalition'))

    op.drop_table('instruments')
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_coalition'))

    op.drop_table('funds')
    op.drop_table('coalitions')
    op.drop_table('parties')
    op.drop_table('audit_records')
    op.drop_table('audit_head')
