"""Each priority-list version keeps the SHA-256 of its ranks, so readers can know it without reading them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 04:45:00
"""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('priority_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranks_sha256', sa.String(length=64), nullable=False, server_default=''))
    lists = sa.table('priority_lists', sa.column('coalition', sa.String), sa.column('version', sa.Integer),
                     sa.column('ranks', sa.JSON), sa.column('ranks_sha256', sa.String))
    connection = op.get_bind()
    for coalition, version, ranks in connection.execute(sa.select(lists.c.coalition, lists.c.version,
                                                                  lists.c.ranks)).all():
        # As coalition.adapters.planning_store.ranks_digest computes it (kept here: a migration stays as written).
        digest = hashlib.sha256(json.dumps(list(ranks), separators=(",", ":")).encode()).hexdigest()
        connection.execute(lists.update().where(lists.c.coalition == coalition, lists.c.version == version)
                           .values(ranks_sha256=digest))
    with op.batch_alter_table('priority_lists', schema=None) as batch_op:
        batch_op.alter_column('ranks_sha256', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('priority_lists', schema=None) as batch_op:
        batch_op.drop_column('ranks_sha256')
