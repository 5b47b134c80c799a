"""Alembic environment: runs on the connection handed over by coalition.adapters.database."""

from __future__ import annotations

from alembic import context

from coalition.adapters.tables import compared, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through coalition.adapters.database.migrate(), which supplies a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True,
                  include_name=compared)
with context.begin_transaction():
    context.run_migrations()
