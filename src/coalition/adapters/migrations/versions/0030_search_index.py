"""The search index: one entry per requirement, procurement case, contract, party, proposal and document
(adapters/search_index.py), written from the record as it stands; with SQLite's FTS5 table kept from the entries
by triggers, or PostgreSQL's GIN index of the entries' English text vectors.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 14:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE VIRTUAL TABLE search_terms USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_terms_insert AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_terms (rowid, body) VALUES (NEW.id, NEW.body); END",
    "CREATE TRIGGER search_terms_delete AFTER DELETE ON search_entries BEGIN "
    "DELETE FROM search_terms WHERE rowid = OLD.id; END",
    "CREATE TRIGGER search_terms_update AFTER UPDATE ON search_entries BEGIN "
    "DELETE FROM search_terms WHERE rowid = OLD.id; "
    "INSERT INTO search_terms (rowid, body) VALUES (NEW.id, NEW.body); END",
)
POSTGRES = "CREATE INDEX ix_search_entries_terms ON search_entries USING gin (to_tsvector('english', body))"


def upgrade() -> None:
    op.create_table(
        'search_entries',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('coalition', sa.String(length=64), nullable=True),
        sa.Column('caption', sa.Text(), nullable=False),
        sa.Column('caption_uk', sa.Text(), nullable=True),
        sa.Column('attached_type', sa.String(length=32), nullable=True),
        sa.Column('attached_key', sa.String(length=80), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
        sa.UniqueConstraint('kind', 'key', name='uq_search_entries_kind_key'),
    )
    bind = op.get_bind()
    for statement in SQLITE if bind.dialect.name == "sqlite" else (POSTGRES,):
        op.execute(statement)
    from coalition.adapters.search_index import rebuild  # the entries of a record that already holds rows
    rebuild(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("search_terms_update", "search_terms_delete", "search_terms_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_terms")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_terms")
    op.drop_table('search_entries')
