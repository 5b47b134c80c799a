"""PURL packages (with allies' shares and dated acts) and Danish-model offers (with dated answers); each new table
is covered by the row proofs like every other table of the record.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 02:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# Each new table and the SQL its row-proof triggers note a row's key with (see 0016).
PROVED = {'purl_packages': 'changed.code::text', 'purl_shares': 'changed.id::text',
          'purl_acts': 'changed.id::text', 'offers': 'changed.code::text', 'offer_answers': 'changed.id::text'}


def _packages() -> None:
    op.create_table(
        'purl_packages',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('validator', sa.String(length=64), nullable=False),
        sa.Column('supplier', sa.String(length=64), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('amount_minor', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('proposed_on', sa.Date(), nullable=False),
        sa.Column('illustrative', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['owner'], ['parties.code'], name=op.f('fk_purl_packages_owner_parties')),
        sa.ForeignKeyConstraint(['recipient'], ['parties.code'], name=op.f('fk_purl_packages_recipient_parties')),
        sa.ForeignKeyConstraint(['supplier'], ['parties.code'], name=op.f('fk_purl_packages_supplier_parties')),
        sa.ForeignKeyConstraint(['validator'], ['parties.code'], name=op.f('fk_purl_packages_validator_parties')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_purl_packages')),
    )
    op.create_index(op.f('ix_purl_packages_owner'), 'purl_packages', ['owner'], unique=False)
    op.create_table(
        'purl_shares',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('package', sa.String(length=64), nullable=False),
        sa.Column('donor', sa.String(length=64), nullable=False),
        sa.Column('amount_minor', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['donor'], ['parties.code'], name=op.f('fk_purl_shares_donor_parties')),
        sa.ForeignKeyConstraint(['package'], ['purl_packages.code'],
                                name=op.f('fk_purl_shares_package_purl_packages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purl_shares')),
    )
    op.create_index(op.f('ix_purl_shares_package'), 'purl_shares', ['package'], unique=False)
    op.create_table(
        'purl_acts',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('package', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('acted_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.String(length=40), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['package'], ['purl_packages.code'],
                                name=op.f('fk_purl_acts_package_purl_packages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purl_acts')),
    )
    op.create_index(op.f('ix_purl_acts_package'), 'purl_acts', ['package'], unique=False)


def _offers() -> None:
    op.create_table(
        'offers',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('coalition', sa.String(length=64), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('donor', sa.String(length=64), nullable=False),
        sa.Column('producer', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=300), nullable=False),
        sa.Column('amount_minor', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('offered_on', sa.Date(), nullable=False),
        sa.Column('requirements', sa.JSON(), nullable=False),
        sa.Column('illustrative', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_offers_coalition_coalitions')),
        sa.ForeignKeyConstraint(['donor'], ['parties.code'], name=op.f('fk_offers_donor_parties')),
        sa.ForeignKeyConstraint(['producer'], ['parties.code'], name=op.f('fk_offers_producer_parties')),
        sa.ForeignKeyConstraint(['recipient'], ['parties.code'], name=op.f('fk_offers_recipient_parties')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_offers')),
    )
    op.create_index(op.f('ix_offers_coalition'), 'offers', ['coalition'], unique=False)
    op.create_table(
        'offer_answers',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('offer', sa.String(length=64), nullable=False),
        sa.Column('answer', sa.String(length=16), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.String(length=40), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('case_code', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_code'], ['procurement_cases.code'],
                                name=op.f('fk_offer_answers_case_code_procurement_cases')),
        sa.ForeignKeyConstraint(['offer'], ['offers.code'], name=op.f('fk_offer_answers_offer_offers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_answers')),
    )
    op.create_index(op.f('ix_offer_answers_offer'), 'offer_answers', ['offer'], unique=False)


def upgrade() -> None:
    _packages()
    _offers()
    if op.get_bind().dialect.name == "postgresql":  # the row proofs' notes (see 0016)
        for table, key in PROVED.items():
            for event in EVENTS:
                transition = "OLD TABLE AS changed" if event == "DELETE" else "NEW TABLE AS changed"
                op.execute(f"CREATE TRIGGER audit_note_{event.lower()} AFTER {event} ON {table} REFERENCING "
                           f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION audit_note_rows('{key}')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PROVED:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS audit_note_{event.lower()} ON {table}")
    for table, index in (('offer_answers', 'offer'), ('offers', 'coalition'), ('purl_acts', 'package'),
                         ('purl_shares', 'package'), ('purl_packages', 'owner')):
        op.drop_index(op.f(f'ix_{table}_{index}'), table_name=table)
        op.drop_table(table)
