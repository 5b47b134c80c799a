"""The news intake's review queue: articles kept once by their SHA-256, the facts they state as proposals kept once
by their fact key, each proposal's sources (article, sentence, place) and its one decision; each new table is
covered by the row proofs like every other table of the record.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# Each new table and the SQL its row-proof triggers note a row's key with (see 0016).
PROVED = {'intake_articles': 'changed.id::text', 'intake_proposals': 'changed.id::text',
          'intake_sources': 'changed.id::text', 'intake_decisions': 'changed.proposal::text'}


def _articles_and_proposals() -> None:
    op.create_table(
        'intake_articles',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('text', sa.String(length=100000), nullable=False),
        sa.Column('added_by', sa.String(length=64), nullable=False),
        sa.Column('added_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_articles')),
        sa.UniqueConstraint('sha256', name=op.f('uq_intake_articles_sha256')),
    )
    op.create_table(
        'intake_proposals',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('fact_digest', sa.String(length=64), nullable=False),
        sa.Column('fact_key', sa.String(length=1000), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('event', sa.JSON(), nullable=False),
        sa.Column('added_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_proposals')),
        sa.UniqueConstraint('fact_digest', name=op.f('uq_intake_proposals_fact_digest')),
    )
    op.create_index(op.f('ix_intake_proposals_kind'), 'intake_proposals', ['kind'], unique=False)


def _sources_and_decisions() -> None:
    op.create_table(
        'intake_sources',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('proposal', ID, nullable=False),
        sa.Column('article', ID, nullable=False),
        sa.Column('evidence', sa.String(length=2000), nullable=False),
        sa.Column('span_start', sa.Integer(), nullable=False),
        sa.Column('span_end', sa.Integer(), nullable=False),
        sa.Column('confidence_milli', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article'], ['intake_articles.id'],
                                name=op.f('fk_intake_sources_article_intake_articles')),
        sa.ForeignKeyConstraint(['proposal'], ['intake_proposals.id'],
                                name=op.f('fk_intake_sources_proposal_intake_proposals')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_sources')),
        sa.UniqueConstraint('proposal', 'article', name='uq_intake_sources_proposal_article'),
    )
    op.create_index(op.f('ix_intake_sources_article'), 'intake_sources', ['article'], unique=False)
    op.create_index(op.f('ix_intake_sources_proposal'), 'intake_sources', ['proposal'], unique=False)
    op.create_table(
        'intake_decisions',
        sa.Column('proposal', ID, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=200), nullable=False),
        sa.Column('decided_at', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('result', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['proposal'], ['intake_proposals.id'],
                                name=op.f('fk_intake_decisions_proposal_intake_proposals')),
        sa.PrimaryKeyConstraint('proposal', name=op.f('pk_intake_decisions')),
    )


def upgrade() -> None:
    _articles_and_proposals()
    _sources_and_decisions()
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
    op.drop_table('intake_decisions')
    op.drop_index(op.f('ix_intake_sources_proposal'), table_name='intake_sources')
    op.drop_index(op.f('ix_intake_sources_article'), table_name='intake_sources')
    op.drop_table('intake_sources')
    op.drop_index(op.f('ix_intake_proposals_kind'), table_name='intake_proposals')
    op.drop_table('intake_proposals')
    op.drop_table('intake_articles')
