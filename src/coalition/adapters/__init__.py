"""Adapters at the edge: SQL storage (SQLAlchemy Core), Alembic migrations, later parsers and exporters."""
